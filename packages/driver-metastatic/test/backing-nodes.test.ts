/**
 * The backing-node bookkeeping against a real ZooKeeper, playing the other launcher's part by
 * hand: the requests it makes, how it claims, releases and gives up backing nodes, and what a
 * restart reads back.
 */
import test, { type ExecutionContext } from 'ava';
import { launcherCluster } from '@nodepool/core/testing';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { BackingNodeFailedError } from '@nodepool/driver-metastatic';
import { backingNodes, FakeClock, fulfil, lockContenders, metastaticNode, rawRequest, smallLabel } from './helpers.js';

const zk = useZooKeeper(test, { tls: true });

async function setup(t: ExecutionContext, labels = [smallLabel()]) {
  const c = await launcherCluster(t, zk(), []);
  const store = await c.store();
  const client = await c.client();
  const clock = new FakeClock();
  return { store, client, clock, backing: backingNodes(store, clock, labels) };
}

/** Checks the requests until the backing node of `record` is claimed (the cache sees the fulfilment). */
async function claimed(backing: ReturnType<typeof backingNodes>, record: { nodeId: string | null }): Promise<string> {
  return waitFor(
    async () => {
      await backing.checkRequests();
      return record.nodeId ?? undefined;
    },
    { timeoutMs: 10_000, message: 'the backing node was not claimed' },
  );
}

test('a node without a free slot asks for a backing node as Nodepool 9.0.0 does; the next shares it', async (t) => {
  const { backing, client } = await setup(t);
  const first = await backing.allocate(smallLabel(), '0000000100');
  t.is(first.slot, 0);
  const requestId = first.record.requestId!;
  t.regex(requestId, /^100-\d{10}$/, 'priority 100');
  const { json, ephemeral } = await rawRequest(client, requestId);
  t.true(ephemeral, 'Nodepool’s own requests are ephemeral');
  t.like(json, {
    state: 'requested',
    node_types: ['large'],
    requestor: 'NodePool:metastatic:meta',
    reuse: true,
    declined_by: [],
    nodes: [],
    provider: null,
    requestor_data: null,
    relative_priority: 0,
    created_time: null,
    tenant_name: null,
  });
  t.regex(json.event_id as string, /^[0-9a-f]{32}$/);

  const second = await backing.allocate(smallLabel(), '0000000101');
  t.is(second.record, first.record, 'max-parallel-jobs 2: the same backing node');
  t.is(second.slot, 1);
  const third = await backing.allocate(smallLabel(), '0000000102');
  t.not(third.record, first.record, 'a full backing node: another is requested');
  t.not(third.record.requestId, requestId);
  t.deepEqual((await client.getChildren('/nodepool/requests')).children.sort(), [requestId, third.record.requestId!].sort());
});

test('a fulfilled request’s node is claimed: locked for good under our identity, in use, owned in user_data, the request deleted', async (t) => {
  const { backing, store, client } = await setup(t);
  const { record } = await backing.allocate(smallLabel(), '0000000100');
  const requestId = record.requestId!;
  const node = await fulfil(store, requestId);
  t.is(await claimed(backing, record), node.id);
  const stored = (await store.getNode(node.id))!;
  t.is(stored.state, 'in-use');
  t.is(stored.userData, '{"owner": "NodePool:metastatic:meta", "label": "small", "slots": 2}', 'json.dumps’ spelling');
  t.deepEqual(await lockContenders(client, store, node.id), [{ identifier: 'NodePool:metastatic:meta', ephemeral: false }]);
  t.is(await store.getNodeRequest(requestId), undefined, 'the requestor deletes its request');
  t.is(record.requestId, null);
});

test('a failed backing request fails the launches waiting on it and is deleted', async (t) => {
  const { backing, store } = await setup(t);
  const { record } = await backing.allocate(smallLabel(), '0000000100');
  const requestId = record.requestId!;
  await waitFor(async () => ((await store.requestCache()).get(requestId) ? true : undefined), { timeoutMs: 10_000 });
  await backing.checkRequests();
  const request = (await store.getNodeRequest(requestId))!;
  request.declinedBy = ['nl-other-PoolWorker.sim-main-0123'];
  request.setState('failed');
  await store.storeNodeRequest(request);
  await waitFor(
    async () => {
      await backing.checkRequests();
      return record.failed;
    },
    { timeoutMs: 10_000, message: 'the failure was not noticed' },
  );
  t.deepEqual(backing.all(), [], 'the record is dropped');
  await waitFor(async () => (await store.getNodeRequest(requestId)) === undefined, { timeoutMs: 10_000, message: 'the failed request stayed' });
  // The next node asks anew.
  const retry = await backing.allocate(smallLabel(), '0000000100');
  t.not(retry.record.requestId, requestId);
});

test('a backing node is released once no slot is in use for grace-time, not before', async (t) => {
  const { backing, store, client, clock } = await setup(t);
  const { record } = await backing.allocate(smallLabel(), '0000000100');
  await backing.allocate(smallLabel(), '0000000101');
  const backingNode = await fulfil(store, record.requestId!);
  await claimed(backing, record);
  await backing.deallocate('0000000100');
  clock.advance(3_600_000);
  await backing.sweep();
  t.is((await store.getNode(backingNode.id))!.state, 'in-use', 'a slot is still in use');

  await backing.deallocate('0000000101');
  clock.advance(599_000);
  await backing.sweep();
  t.is((await store.getNode(backingNode.id))!.state, 'in-use', '599 s of a 600 s grace time');
  t.is((await lockContenders(client, store, backingNode.id)).length, 1);

  clock.advance(1_000);
  await backing.sweep();
  const released = (await store.getNode(backingNode.id))!;
  t.is(released.state, 'used', 'handed back to its provider for deletion');
  t.is((await client.exists(`/nodepool/nodes/${backingNode.id}/lock`)), null, 'the lock removed whole, as the original forces it');
  t.deepEqual(backing.all(), []);
});

test('a new node within the grace time takes a slot of the idle backing node', async (t) => {
  const { backing, store, clock } = await setup(t);
  const { record } = await backing.allocate(smallLabel(), '0000000100');
  await fulfil(store, record.requestId!);
  await claimed(backing, record);
  await backing.deallocate('0000000100');
  clock.advance(300_000);
  await backing.sweep();
  const again = await backing.allocate(smallLabel(), '0000000102');
  t.is(again.record, record);
  t.is(again.record.requestId, null, 'no new request');
});

test('a restart reads the backing nodes and their slots back from ZooKeeper', async (t) => {
  const { backing, store, clock } = await setup(t, [smallLabel({ maxParallelJobs: 3 })]);
  const { record } = await backing.allocate(smallLabel({ maxParallelJobs: 3 }), 'x');
  const backingNode = await fulfil(store, record.requestId!);
  await claimed(backing, record);
  const a = await metastaticNode(store, backingNode.id, 0);
  const b = await metastaticNode(store, backingNode.id, 2);
  await backing.deallocate('x');

  const restarted = backingNodes(store, clock, [smallLabel({ maxParallelJobs: 3 })]);
  await restarted.init();
  const [recovered, ...others] = restarted.all();
  t.deepEqual(others, []);
  t.is(recovered!.nodeId, backingNode.id);
  t.deepEqual(recovered!.slots, [a.id, null, b.id]);
  t.false(recovered!.failed);
  const next = await restarted.allocate(smallLabel({ maxParallelJobs: 3 }), '0000000999');
  t.is(next.record, recovered!);
  t.is(next.slot, 1, 'the free slot, not one held before the restart');
});

test('a node claiming to be our backing node without our lock is not taken for one', async (t) => {
  const { store, clock } = await setup(t);
  const { Node } = await import('@nodepool/core');
  const node = Object.assign(new Node(), { type: ['large'], provider: 'sim', userData: '{"owner": "NodePool:metastatic:meta", "label": "small", "slots": 2}' });
  node.setState('in-use');
  await store.storeNode(node);
  await store.lockNode(node.id);
  const restarted = backingNodes(store, clock);
  await restarted.init();
  t.deepEqual(restarted.all(), []);
});

test('a backing node that is gone fails its record: launches on it fail, its unused ready nodes are released, and it is dropped once empty', async (t) => {
  const { backing, store } = await setup(t);
  const { record } = await backing.allocate(smallLabel(), 'placeholder');
  const backingNode = await fulfil(store, record.requestId!);
  await claimed(backing, record);
  await backing.deallocate('placeholder');
  const idle = await metastaticNode(store, backingNode.id, 0, 'ready');
  const busy = await metastaticNode(store, backingNode.id, 1, 'in-use');
  // Recovered as a restart would, so both nodes hold their slots.
  const restarted = backingNodes(store, new FakeClock());
  await restarted.init();
  const [recovered] = restarted.all();
  t.deepEqual(recovered!.slots, [idle.id, busy.id]);

  await store.deleteNode(backingNode.id);
  await waitFor(async () => !(await store.nodeCache()).get(backingNode.id), { timeoutMs: 10_000 });
  await restarted.sweep();
  t.true(recovered!.failed);
  await t.throwsAsync(restarted.backingNode(recovered!), { instanceOf: BackingNodeFailedError });
  t.is((await store.getNode(idle.id))!.state, 'used', 'the unused node goes, for its launcher to delete');
  t.is((await store.getNode(busy.id))!.state, 'in-use', 'the node in use finishes its job');
  t.false((await restarted.allocate(smallLabel(), '0000000777')).record === recovered, 'no new slots on it');

  await restarted.deallocate(idle.id);
  await restarted.deallocate(busy.id);
  await restarted.sweep();
  t.false(restarted.all().includes(recovered!), 'dropped once empty, with no grace time');
});
