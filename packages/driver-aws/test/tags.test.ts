import test from 'ava';
import { getLogger, NodeRequest } from '@nodepool/core';
import { nodeTags } from '../src/tags.js';

const log = getLogger('test.driver-aws');

function request(): NodeRequest {
  return Object.assign(new NodeRequest(), {
    id: '100-0000000012',
    nodeTypes: ['small', 'large'],
    requestor: 'zuul-abc',
    requestorData: { build: 'b1', list: [1, 2] },
    tenantName: 'acme',
  });
}

test('a node’s tags: the label’s as Python writes them, dynamic ones from the request, then Nodepool’s and Name', (t) => {
  const tags = nodeTags(
    {
      tags: { team: 'ci', gpu: true, count: 2, nodepool_node_id: 'overridden', list: ['a'] },
      dynamicTags: { request: 'req {request.id} for {request.tenant_name}', labels: '{request.labels}', build: '{request.requestor_data[build]}', second: '{request.requestor_data[list][1]}', bad: '{request.nope}' },
    },
    request(),
    { nodepool_node_id: '0000000005', nodepool_pool_name: 'main', nodepool_provider_name: 'aws' },
    'np0000000005',
    log,
  );
  t.deepEqual(tags, {
    team: 'ci',
    gpu: 'True',
    count: '2',
    nodepool_node_id: '0000000005',
    list: "['a']",
    request: 'req 100-0000000012 for acme',
    labels: "['small', 'large']",
    build: 'b1',
    second: '2',
    nodepool_pool_name: 'main',
    nodepool_provider_name: 'aws',
    Name: 'np0000000005',
  });
  t.false('bad' in tags, 'a template that does not format is left out, as the original does');
});

