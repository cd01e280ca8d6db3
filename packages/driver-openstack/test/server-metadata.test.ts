import test from 'ava';
import { getLogger, NodeRequest } from '@nodepool/core';
import { serverMetadata } from '../src/server-metadata.js';

const request = () => {
  const made = new NodeRequest();
  made.id = '200-0000000042';
  made.nodeTypes = ['small'];
  made.requestor = 'zuul';
  made.tenantName = 'example';
  return made;
};

test('groups, instance properties, formatted dynamic properties, then Nodepool\'s metadata, in that order', (t) => {
  const metadata = serverMetadata({
    providerName: 'cloud1',
    imageName: 'debian',
    label: { name: 'small', instanceProperties: { team: 'ci', count: 3, flag: true }, dynamicInstanceProperties: { request: 'for {request.id} of {request.tenant_name}', team: 'override', labels: '{request.labels[0]}' } },
    request: request(),
    nodepoolMetadata: { nodepool_node_id: '0000000001', nodepool_pool_name: 'main', nodepool_provider_name: 'cloud1' },
    log: getLogger('test'),
  });
  t.deepEqual(Object.keys(metadata), ['groups', 'team', 'count', 'flag', 'request', 'labels', 'nodepool_node_id', 'nodepool_pool_name', 'nodepool_provider_name']);
  t.like(metadata, { groups: 'cloud1,debian,small', team: 'override', count: '3', flag: 'True', request: 'for 200-0000000042 of example', labels: 'small' });
});

test('a dynamic property that does not format is left out', (t) => {
  const metadata = serverMetadata({
    providerName: 'p',
    imageName: 'i',
    label: { name: 'l', instanceProperties: {}, dynamicInstanceProperties: { broken: '{request.nope}', fine: '{request.requestor}' } },
    request: request(),
    nodepoolMetadata: {},
    log: getLogger('test'),
  });
  t.deepEqual(metadata, { groups: 'p,i,l', fine: 'zuul' });
});
