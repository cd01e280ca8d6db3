/**
 * One test per item of the protocol spec's "pitfalls a naive implementation gets wrong" (§13),
 * each written so that the naive behaviour would fail it.
 */
import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import {
  ImageBuild,
  ImageUpload,
  KazooLock,
  Node,
  NodeRequest,
  NodepoolZooKeeper,
  RecordGoneError,
  compareRequests,
  declinedByEveryPool,
  orderNodesForRequest,
  sortContenders,
  Component,
  ComponentRegistration,
} from '@nodepool/core';
import { connect, connectPeer } from './helpers.js';

const zk = useZooKeeper(test);

async function store(t: import('ava').ExecutionContext) {
  const client = await connect(t, zk().connectString);
  return { client, store: new NodepoolZooKeeper(client) };
}

test('1. request locks live in /nodepool/requests-lock/<id>, not under the request', async (t) => {
  const { client, store: zkStore } = await store(t);
  const request = new NodeRequest();
  await zkStore.storeNodeRequest(request, { priority: '200' });
  await zkStore.lockNodeRequest(request);
  t.is((await client.getChildren(`/nodepool/requests-lock/${request.id}`)).children.length, 1);
  t.deepEqual((await client.getChildren(`/nodepool/requests/${request.id}`)).children, []);
});

test('2. contender names are <uuid hex>__lock__<seq10> and order by the suffix only', (t) => {
  const late = 'ffffffffffffffffffffffffffffffff__lock__0000000001';
  const early = '00000000000000000000000000000000__lock__0000000002';
  t.deepEqual(sortContenders([early, late]), [late, early]);
});

test('3. a failed non-blocking attempt leaves no contender behind', async (t) => {
  const { client, store: zkStore } = await store(t);
  const peer = await connectPeer(t, zk().connectString, client);
  const node = new Node();
  await zkStore.storeNode(node);
  await new KazooLock(peer, `/nodepool/nodes/${node.id}/lock`).acquire();
  await t.throwsAsync(zkStore.lockNode(node));
  t.is((await client.getChildren(`/nodepool/nodes/${node.id}/lock`)).children.length, 1);
});

test('4. requests sort by (prefix, relative_priority, sequence), not by znode name', (t) => {
  const a = Object.assign(new NodeRequest(), { id: '200-0000000001', relativePriority: 3 });
  const b = Object.assign(new NodeRequest(), { id: '200-0000000002', relativePriority: 0 });
  t.deepEqual([a, b].sort(compareRequests).map((r) => r.id), ['200-0000000002', '200-0000000001']);
});

test('5. FAILED needs every registered pool to decline, label support or not', (t) => {
  const request = Object.assign(new NodeRequest(), { declinedBy: ['supports-labels'] });
  t.false(declinedByEveryPool(request, ['supports-labels', 'lacks-labels']));
});

test('6. a held request lock is not dropped by ordinary work around it', async (t) => {
  const { client, store: zkStore } = await store(t);
  const peer = await connectPeer(t, zk().connectString, client);
  const request = new NodeRequest();
  await zkStore.storeNodeRequest(request);
  await zkStore.lockNodeRequest(request);
  request.setState('pending');
  await zkStore.storeNodeRequest(request);
  await zkStore.getNodeRequest(request.id);
  t.true(zkStore.holdsRequestLock(request.id));
  t.false(await new KazooLock(peer, `/nodepool/requests-lock/${request.id}`).acquire({ blocking: false }));
});

test('7. fulfilled nodes are listed in node_types order', (t) => {
  t.deepEqual(orderNodesForRequest(['x', 'y'], [{ id: '2', type: ['y'] }, { id: '1', type: ['x'] }]), ['1', '2']);
});

test('8. writing a vanished request or node fails instead of re-creating it', async (t) => {
  const { client, store: zkStore } = await store(t);
  const request = new NodeRequest();
  await zkStore.storeNodeRequest(request);
  await client.delete(`/nodepool/requests/${request.id}`);
  request.setState('fulfilled');
  await t.throwsAsync(zkStore.storeNodeRequest(request), { instanceOf: RecordGoneError });
  t.is(await client.exists(`/nodepool/requests/${request.id}`), null);
  const node = new Node();
  await zkStore.storeNode(node);
  await zkStore.deleteNode(node);
  node.setState('ready');
  await t.throwsAsync(zkStore.storeNode(node), { instanceOf: RecordGoneError });
  t.is(await client.exists(`/nodepool/nodes/${node.id}`), null);
});

test('9. every key of request and node records is written, with both port keys', async (t) => {
  const { client, store: zkStore } = await store(t);
  const request = new NodeRequest();
  await zkStore.storeNodeRequest(request);
  const requestJson = JSON.parse((await client.getData(`/nodepool/requests/${request.id}`)).data.toString()) as object;
  t.deepEqual(Object.keys(requestJson).sort(), [
    'created_time', 'declined_by', 'event_id', 'node_types', 'nodes', 'provider', 'relative_priority',
    'requestor', 'requestor_data', 'reuse', 'state', 'state_time', 'tenant_name',
  ]);
  const node = new Node();
  await zkStore.storeNode(node);
  const nodeJson = JSON.parse((await client.getData(`/nodepool/nodes/${node.id}`)).data.toString()) as Record<string, unknown>;
  t.is(Object.keys(nodeJson).length, 36);
  t.is(nodeJson.ssh_port, nodeJson.connection_port);
});

test('10. object ports, bare-string types and Zuul\'s id key are all read', async (t) => {
  const { client, store: zkStore } = await store(t);
  await client.create('/nodepool/nodes/0000000007', {
    makeParents: true,
    data: JSON.stringify({ state: 'in-use', state_time: 1, type: 'fedora', connection_port: { pod: 'p' }, id: '0000000007' }),
  });
  const node = (await zkStore.getNode('0000000007'))!;
  t.deepEqual(node.type, ['fedora']);
  t.deepEqual(node.connectionPort, { pod: 'p' });
});

test('11. an empty node znode (ensure-path leftover) reads as no node', async (t) => {
  const { client, store: zkStore } = await store(t);
  await client.create('/nodepool/nodes/0000000009/lock', { makeParents: true });
  t.is(await zkStore.getNode('0000000009'), undefined);
  t.true((await zkStore.getNodeIds()).includes('0000000009'), 'still listed, for the cleanup worker to delete');
});

test('12. components are ephemeral sequential hostname+10 digits with integer model_api 0', async (t) => {
  const { client } = await store(t);
  const registration = new ComponentRegistration(client, new Component('builder', { hostname: 'nb01' }));
  await registration.register();
  t.regex(registration.path!, /\/builder\/nb01\d{10}$/);
  const json = JSON.parse((await client.getData(registration.path!)).data.toString()) as { model_api: unknown };
  t.true(Number.isInteger(json.model_api) && json.model_api === 0);
});

test("13. Zuul's requests are persistent, Nodepool's own are ephemeral", async (t) => {
  const { client, store: zkStore } = await store(t);
  const zuul = new NodeRequest();
  await zkStore.storeNodeRequest(zuul, { priority: '200' });
  const own = new NodeRequest();
  await zkStore.storeNodeRequest(own, { priority: '900', ephemeral: true });
  t.is((await client.exists(`/nodepool/requests/${zuul.id}`))!.ephemeralOwner, 0n);
  t.not((await client.exists(`/nodepool/requests/${own.id}`))!.ephemeralOwner, 0n);
});

test('14. timestamps are written as float seconds', async (t) => {
  const { client, store: zkStore } = await store(t);
  const node = new Node();
  node.setState('ready');
  await zkStore.storeNode(node);
  const json = JSON.parse((await client.getData(`/nodepool/nodes/${node.id}`)).data.toString()) as { state_time: number };
  t.true(json.state_time < 1e11 && json.state_time > 1.6e9);
  t.is(json.state_time, node.stateTime, 'written as the float kept in the model');
});

test('15. build ids are uuid hex; upload ids are sequence numbers that skip the lock', async (t) => {
  const { client, store: zkStore } = await store(t);
  const build = new ImageBuild();
  build.image = 'debian';
  await zkStore.storeBuild(build);
  t.regex(build.id, /^[0-9a-f]{32}$/);
  const first = Object.assign(new ImageUpload(), { image: 'debian', buildId: build.id, provider: 'p' });
  await zkStore.storeUpload(first);
  await new KazooLock(client, `/nodepool/images/debian/builds/${build.id}/providers/p/images/lock`).acquire();
  const second = Object.assign(new ImageUpload(), { image: 'debian', buildId: build.id, provider: 'p' });
  await zkStore.storeUpload(second);
  t.regex(first.id, /^\d{10}$/);
  t.true(Number(second.id) > Number(first.id) + 1, `${second.id} follows ${first.id} with a gap`);
  t.deepEqual((await zkStore.getUploadIds('debian', build.id, 'p')).sort(), [first.id, second.id]);
});
