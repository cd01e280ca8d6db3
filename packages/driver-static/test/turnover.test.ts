/**
 * A slot Zuul is done with comes back on ZooKeeper's notifications alone: the used node is
 * deleted, its slot registered again and given to a waiting request. Every periodic pass of
 * the launcher is an hour apart here, so a step that waited for one would never happen.
 * The hosts have host-key-checking off, so nothing contacts them (loopback addresses all the same).
 */
import test from 'ava';
import { runJobs, useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { launcherCluster } from '@nodepool/core/testing';
import type { LauncherTimings } from '@nodepool/core';
import staticDriver from '@nodepool/driver-static';

const zk = useZooKeeper(test);

const HOUR = 3_600_000;
const noPeriodicPasses: Partial<LauncherTimings> = {
  deletedNodeIntervalMs: HOUR,
  cleanupIntervalMs: HOUR,
  poolWorkerFallbackMs: HOUR,
  mainLoopMs: HOUR,
};

const config = (hosts: string[], slots: number) => `
labels:
  - name: static-a
providers:
  - name: rack
    driver: static
    pools:
      - name: main
        nodes:
${hosts
  .map(
    (host) => `          - name: ${host}
            labels: static-a
            host-key-checking: false
            max-parallel-jobs: ${slots}
`,
  )
  .join('')}`;

test('a returned node is registered again in its slot and handed to the request waiting for it', async (t) => {
  const c = await launcherCluster(t, zk(), [staticDriver]);
  await c.launcher(config(['127.0.0.1'], 1), { timings: noPeriodicPasses });
  const store = await c.store();
  const nodes = await store.nodeCache();
  const registry = await store.componentRegistry();
  const zuul = new ZuulClient(await c.client());

  const first = await zuul.requestNodes(['static-a']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 20_000 })).state, 'fulfilled');
  const held = await zuul.acceptNodes(first);
  await zuul.useNodes(held, { projectName: 'example.org/app' });
  const second = await zuul.requestNodes(['static-a']);
  await waitFor(() => registry.all('pool')[0]?.paused === true, { timeoutMs: 20_000, message: 'the pool did not pause while waiting' });

  await zuul.returnNodes(held);
  const record = await zuul.waitForRequest(second, { timeoutMs: 20_000 });
  t.is(record.state, 'fulfilled');
  const [nodeId] = record.nodes!;
  t.not(nodeId, held.nodeIds[0]);
  await waitFor(() => nodes.get(held.nodeIds[0]!) === undefined, { timeoutMs: 20_000, message: 'the used node was not deleted' });
  const node = (await store.getNode(nodeId!))!;
  t.is(node.hostname, '127.0.0.1');
  t.is(node.slot, 0);
  t.is(node.allocatedTo, second.id);
});

test('many more jobs than slots all run, and every slot is registered again at the end', async (t) => {
  const c = await launcherCluster(t, zk(), [staticDriver]);
  await c.launcher(config(['127.0.0.1', '127.0.0.2'], 2), { timings: noPeriodicPasses });
  const store = await c.store();
  const nodes = await store.nodeCache();
  const zuuls = await Promise.all(Array.from({ length: 4 }, async () => new ZuulClient(await c.client())));
  const { results } = await runJobs(zuuls, { labels: ['static-a'], concurrency: 8, total: 40, timeoutMs: 30_000 });
  t.deepEqual(
    results.map((result) => result.result),
    Array<string>(40).fill('SUCCESS'),
  );
  const slotsReady = () =>
    [...nodes.values()]
      .filter((node) => node.state === 'ready' && node.allocatedTo === null)
      .map((node) => `${node.hostname}/${node.slot}`)
      .sort();
  await waitFor(() => nodes.size === 4 && slotsReady().length === 4, { timeoutMs: 20_000, message: 'not every slot came back' });
  t.deepEqual(slotsReady(), ['127.0.0.1/0', '127.0.0.1/1', '127.0.0.2/0', '127.0.0.2/1']);
});
