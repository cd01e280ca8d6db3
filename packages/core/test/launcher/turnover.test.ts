/**
 * A used node is reaped, and its quota given to a waiting request, on ZooKeeper's notification
 * alone. Every periodic pass is an hour apart here, so a step that waited for one would never
 * happen within the test.
 */
import test from 'ava';
import { KazooLock } from '@nodepool/zookeeper';
import { KazooPeer, runJobs, useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { createFakeDriver, launcherCluster as cluster, submitRequest } from '@nodepool/core/testing';
import type { LauncherTimings } from '@nodepool/core';

const zk = useZooKeeper(test);

const HOUR = 3_600_000;
/** No periodic pass after the first (at start): only events move things. */
const noPeriodicPasses: Partial<LauncherTimings> = {
  deletedNodeIntervalMs: HOUR,
  cleanupIntervalMs: HOUR,
  poolWorkerFallbackMs: HOUR,
  mainLoopMs: HOUR,
};

const body = `
labels:
  - name: small
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 1
        labels:
          - name: small
`;

test('a node marked used and unlocked in one step is deleted, and its quota goes to the waiting request', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body, { timings: noPeriodicPasses });
  const store = await c.store();
  const requests = await store.requestCache();
  const first = await submitRequest(store, ['small']);
  await waitFor(() => requests.get(first)?.state === 'fulfilled', { timeoutMs: 20_000 });
  const [nodeId] = requests.get(first)!.nodes;
  const second = await submitRequest(store, ['small']);
  await waitFor(() => requests.get(second)?.state === 'pending', { timeoutMs: 20_000 });

  // As Zuul at the end of a job, but the `used` write and the unlock in one transaction: the
  // launcher hears of the unlock while its read of `used` is still on the way.
  const client = await c.client();
  const lock = new KazooLock(client, `/nodepool/nodes/${nodeId}/lock`);
  await lock.acquire({ blocking: true, timeoutMs: 20_000 });
  const path = `/nodepool/nodes/${nodeId}`;
  const record = JSON.parse((await client.getData(path)).data.toString()) as Record<string, unknown>;
  await client.multi([{ type: 'set', path, data: JSON.stringify({ ...record, state: 'used', state_time: Date.now() / 1000 }) }, lock.releaseOp()]);
  lock.releasedByTransaction();

  await waitFor(() => requests.get(second)?.state === 'fulfilled', { timeoutMs: 20_000, message: 'the waiting request did not get the freed quota' });
  t.deepEqual(cloud.deleted, [nodeId]);
  t.is(cloud.launched.length, 2);
  t.notDeepEqual(requests.get(second)!.nodes, [nodeId]);
});

test('with room for one node, jobs queued behind each other each get a node once the previous one is used', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body, { timings: noPeriodicPasses });
  const zuuls = [new ZuulClient(await c.client()), new ZuulClient(await c.client())];
  const { results } = await runJobs(zuuls, { labels: ['small'], concurrency: 3, total: 9, timeoutMs: 30_000 });
  t.deepEqual(
    results.map((result) => result.result),
    Array<string>(9).fill('SUCCESS'),
  );
  const store = await c.store();
  const nodes = await store.nodeCache();
  await waitFor(() => nodes.size === 0, { timeoutMs: 20_000, message: 'the last used node was not deleted' });
  t.is(cloud.deleted.length, 9);
});

test('a node Zuul marks used while still holding it is queued for, and deleted as soon as Zuul lets go', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body, { timings: noPeriodicPasses });
  const store = await c.store();
  const requests = await store.requestCache();
  const nodes = await store.nodeCache();
  const first = await submitRequest(store, ['small']);
  await waitFor(() => requests.get(first)?.state === 'fulfilled', { timeoutMs: 20_000 });
  const [nodeId] = requests.get(first)!.nodes;

  const zuul = await c.store();
  await zuul.lockNode(nodeId!, { blocking: true, timeoutMs: 20_000 });
  const node = (await zuul.getNode(nodeId!))!;
  node.setState('used');
  await zuul.storeNode(node);
  await waitFor(async () => (await zuul.nodeLockContenders(nodeId!)).length === 2, { timeoutMs: 20_000, message: 'the launcher did not queue for the lock' });
  t.deepEqual(cloud.deleted, [], 'nothing is deleted while Zuul holds the node');
  await zuul.unlockNode(nodeId!);
  await waitFor(() => nodes.get(nodeId!) === undefined, { timeoutMs: 20_000, message: 'the used node was not deleted' });
  t.deepEqual(cloud.deleted, [nodeId]);
});

test('the queue on a used node works with a kazoo client as the holder, as Zuul is', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(body, { timings: noPeriodicPasses });
  const store = await c.store();
  const requests = await store.requestCache();
  const nodes = await store.nodeCache();
  const first = await submitRequest(store, ['small']);
  await waitFor(() => requests.get(first)?.state === 'fulfilled', { timeoutMs: 20_000 });
  const [nodeId] = requests.get(first)!.nodes;

  const kazoo = await KazooPeer.start(`${zk().connectString}${c.chroot}`);
  t.teardown(() => kazoo.stop());
  const lockPath = `/nodepool/nodes/${nodeId}/lock`;
  t.true((await kazoo.acquire(lockPath, { timeoutMs: 20_000 })).acquired);
  const node = (await store.getNode(nodeId!))!;
  node.setState('used');
  await store.storeNode(node);
  await waitFor(async () => (await kazoo.contenders(lockPath)).length === 2, { timeoutMs: 20_000, message: 'the launcher did not queue for the lock' });
  await kazoo.release(lockPath);
  await waitFor(() => nodes.get(nodeId!) === undefined, { timeoutMs: 20_000, message: 'the used node was not deleted' });
  t.deepEqual(cloud.deleted, [nodeId]);
});
