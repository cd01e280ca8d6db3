import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { createFakeDriver, FakeCloud, launcherCluster as cluster, submitRequest } from '@nodepool/core/testing';


const zk = useZooKeeper(test);

const body = (extra = '') => `
labels:
  - name: small
  - name: large
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 4
        node-attributes:
          executor-zone: z1
        labels:
          - name: small
          - name: large
${extra}`;

test('fulfils a two-node request with new nodes, in label order', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body());
  const store = await c.store();
  const requests = await store.requestCache();
  const id = await submitRequest(store, ['large', 'small']);
  await waitFor(() => requests.get(id)?.state === 'fulfilled', { timeoutMs: 10_000 });
  const request = requests.get(id)!;
  t.is(request.nodes.length, 2);
  const nodes = await Promise.all(request.nodes.map((nodeId) => store.getNode(nodeId)));
  t.deepEqual(nodes.map((node) => node!.type), [['large'], ['small']]);
  for (const node of nodes) {
    t.is(node!.state, 'ready');
    t.is(node!.allocatedTo, id);
    t.deepEqual(node!.attributes, { 'executor-zone': 'z1' });
    t.regex(node!.launcher!, /^nl-test-PoolWorker\.cloud-a-main-[0-9a-f]{32}$/);
  }
  t.is(cloud.launched.length, 2);
  t.deepEqual(await store.nodeLockContenders(nodes[0]!.id), [], 'nodes are unlocked once fulfilled');
});

test('declines a label no pool offers, and the request fails once every pool has declined', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  const launcher = await c.launcher(body());
  const store = await c.store();
  const requests = await store.requestCache();
  const id = await submitRequest(store, ['unknown-label']);
  await waitFor(() => requests.get(id)?.state === 'failed', { timeoutMs: 10_000 });
  t.deepEqual(requests.get(id)!.declinedBy, launcher.poolWorkerIds('cloud-a'));
});

/** Marks a fulfilled request's nodes used and deletes the request, as Zuul does at job end. */
async function finishJob(store: import('@nodepool/core').NodepoolZooKeeper, requestId: string, nodeIds: string[]): Promise<void> {
  for (const id of nodeIds) {
    await store.lockNode(id, { blocking: true, timeoutMs: 5_000 });
    const node = (await store.getNode(id))!;
    node.setState('used');
    await store.storeNode(node);
  }
  await store.deleteNodeRequest(requestId);
  for (const id of nodeIds) await store.unlockNode(id);
}

test('used nodes are deleted, their resources first', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body());
  const store = await c.store();
  const requests = await store.requestCache();
  const nodes = await store.nodeCache();
  const id = await submitRequest(store, ['small']);
  await waitFor(() => requests.get(id)?.state === 'fulfilled', { timeoutMs: 10_000 });
  const [nodeId] = requests.get(id)!.nodes;
  await finishJob(store, id, [nodeId!]);
  await waitFor(() => nodes.get(nodeId!) === undefined, { timeoutMs: 10_000 });
  t.deepEqual(cloud.deleted, [nodeId]);
  t.deepEqual(await store.getNodeIds(), []);
});

test('ready unallocated nodes are reused before launching new ones', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body(), {});
  const store = await c.store();
  const requests = await store.requestCache();
  const first = await submitRequest(store, ['small']);
  await waitFor(() => requests.get(first)?.state === 'fulfilled', { timeoutMs: 10_000 });
  const [nodeId] = requests.get(first)!.nodes;
  // Zuul cancels the fulfilled request without using the node: it becomes free again.
  await store.deleteNodeRequest(first);
  await waitFor(async () => (await store.getNode(nodeId!))?.allocatedTo === null, { timeoutMs: 10_000 });
  const second = await submitRequest(store, ['small']);
  await waitFor(() => requests.get(second)?.state === 'fulfilled', { timeoutMs: 10_000 });
  t.deepEqual(requests.get(second)!.nodes, [nodeId]);
  t.is(cloud.launched.length, 1);
});

test('min-ready keeps ready nodes around, unallocated', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body().replace('  - name: small\n', '  - name: small\n    min-ready: 2\n'));
  const store = await c.store();
  const nodes = await store.nodeCache();
  const requests = await store.requestCache();
  const readyFree = () => [...nodes.values()].filter((node) => node.state === 'ready' && node.allocatedTo === null && node.type.includes('small'));
  await waitFor(() => readyFree().length === 2 && requests.size === 0, { timeoutMs: 10_000, message: 'two free ready nodes and no leftover requests' });
  t.is(readyFree().length, 2);
});

test('a failed launch declines the request; with one pool it fails and the node is reaped', async (t) => {
  const { driver, cloud } = createFakeDriver();
  cloud.failNextLaunch('error');
  const c = await cluster(t, zk(), [driver]);
  const launcher = await c.launcher(body());
  const store = await c.store();
  const requests = await store.requestCache();
  const nodes = await store.nodeCache();
  const id = await submitRequest(store, ['small']);
  await waitFor(() => requests.get(id)?.state === 'failed', { timeoutMs: 10_000 });
  t.deepEqual(requests.get(id)!.declinedBy, launcher.poolWorkerIds('cloud-a'));
  await waitFor(() => nodes.size === 0, { timeoutMs: 10_000, message: 'the failed node was not reaped' });
  t.is(cloud.deleted.length, 1);
});

test('at max-servers a request waits, paused, until a node is freed', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body().replace('max-servers: 4', 'max-servers: 1'));
  const store = await c.store();
  const requests = await store.requestCache();
  const registry = await store.componentRegistry();
  const first = await submitRequest(store, ['small']);
  await waitFor(() => requests.get(first)?.state === 'fulfilled', { timeoutMs: 10_000 });
  const second = await submitRequest(store, ['large']);
  await waitFor(() => requests.get(second)?.state === 'pending' && registry.all('pool')[0]?.paused === true, { timeoutMs: 10_000 });
  await finishJob(store, first, requests.get(first)!.nodes);
  await waitFor(() => requests.get(second)?.state === 'fulfilled', { timeoutMs: 10_000 });
  await waitFor(() => registry.all('pool')[0]?.paused === false, { timeoutMs: 10_000 });
  t.pass();
});

test('a request that can never fit the pool is declined at once', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body().replace('max-servers: 4', 'max-servers: 2'));
  const store = await c.store();
  const requests = await store.requestCache();
  const id = await submitRequest(store, ['small', 'small', 'small']);
  await waitFor(() => requests.get(id)?.state === 'failed', { timeoutMs: 10_000 });
  t.pass();
});

test('a request cancelled during launch gives its nodes back for reuse', async (t) => {
  const { driver, cloud } = createFakeDriver();
  cloud.holdLaunches = true;
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body());
  const store = await c.store();
  const nodes = await store.nodeCache();
  const id = await submitRequest(store, ['small']);
  await waitFor(() => cloud.launched.length === 1, { timeoutMs: 10_000 });
  await store.deleteNodeRequest(id);
  cloud.releaseLaunches();
  await waitFor(() => [...nodes.values()].some((node) => node.state === 'ready' && node.allocatedTo === null && !nodes.isProbablyLocked(node.id)), {
    timeoutMs: 10_000,
  });
  t.pass();
});

test('stopping the launcher gives its pending requests back and unlocks everything', async (t) => {
  const { driver, cloud } = createFakeDriver();
  cloud.holdLaunches = true;
  const c = await cluster(t, zk(), [driver]);
  const launcher = await c.launcher(body());
  const store = await c.store();
  const requests = await store.requestCache();
  const nodes = await store.nodeCache();
  const id = await submitRequest(store, ['small']);
  await waitFor(() => cloud.launched.length === 1, { timeoutMs: 10_000 });
  await launcher.stop();
  await waitFor(() => requests.get(id)?.state === 'requested', { timeoutMs: 10_000 });
  t.deepEqual(requests.get(id)!.declinedBy, []);
  // The abandoned launch is accounted for: failed and unlocked (to be reaped), or already reaped.
  // (The cache may see the unlock a moment before the `failed` it follows.)
  const settled = () => {
    const node = [...nodes.values()][0];
    return node === undefined ? cloud.deleted.length === 1 : node.state === 'failed' && !nodes.isProbablyLocked(node.id);
  };
  await waitFor(settled, { timeoutMs: 10_000, message: 'the abandoned node was neither failed and unlocked nor reaped' });
  const registry = await store.componentRegistry();
  t.deepEqual(registry.all('pool'), []);
  t.deepEqual(registry.all('launcher'), []);
});

test('a pending request whose launcher vanished is reset and served by another', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  const store = await c.store();
  // A request left pending by a dead launcher: nobody holds its lock.
  const id = await submitRequest(store, ['small']);
  const request = (await store.getNodeRequest(id))!;
  request.setState('pending');
  await store.storeNodeRequest(request);
  await c.launcher(body());
  const requests = await store.requestCache();
  await waitFor(() => requests.get(id)?.state === 'fulfilled', { timeoutMs: 10_000 });
  t.pass();
});

test('a launch the cloud refuses for quota is tried again after a pause, twice as long after each refusal in a row', async (t) => {
  const startedAt: number[] = [];
  class TimedCloud extends FakeCloud {
    override launch(...args: Parameters<FakeCloud['launch']>): ReturnType<FakeCloud['launch']> {
      startedAt.push(Date.now());
      return super.launch(...args);
    }
  }
  const cloud = new TimedCloud();
  cloud.failNextLaunch('quota', 2);
  const { driver } = createFakeDriver('fakecloud', cloud);
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body(), { timings: { quotaRefusalRetryMs: 400 } });
  const store = await c.store();
  const requests = await store.requestCache();
  const id = await submitRequest(store, ['small']);
  await waitFor(() => requests.get(id)?.state === 'fulfilled', { timeoutMs: 30_000 });
  t.is(startedAt.length, 3, 'two refusals, then the launch that worked');
  // Lower bounds only: a slow machine waits longer, never shorter.
  t.true(startedAt[1]! - startedAt[0]! >= 400, `retried after ${startedAt[1]! - startedAt[0]!} ms`);
  t.true(startedAt[2]! - startedAt[1]! >= 800, `retried after ${startedAt[2]! - startedAt[1]!} ms`);
  t.deepEqual(requests.get(id)!.declinedBy, []);
});
