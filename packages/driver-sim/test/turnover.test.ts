/**
 * A used cloud node's deletion starts on ZooKeeper's notification, not at the next pass of the
 * deleted-node worker: every periodic pass is an hour apart here, so a deletion (or a request
 * waiting for the quota it frees) that waited for one would never happen within the test.
 */
import test from 'ava';
import { launcherCluster } from '@nodepool/core/testing';
import type { LauncherTimings } from '@nodepool/core';
import simDriver from '@nodepool/driver-sim';
import { startSimCloud } from '@nodepool/driver-sim/cloud';
import { runJobs, useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';

const zk = useZooKeeper(test);

const HOUR = 3_600_000;
const noPeriodicPasses: Partial<LauncherTimings> = {
  deletedNodeIntervalMs: HOUR,
  cleanupIntervalMs: HOUR,
  poolWorkerFallbackMs: HOUR,
  mainLoopMs: HOUR,
};

test('with room for one instance, queued jobs each get one as soon as the previous one is used and deleted', async (t) => {
  const cloud = await startSimCloud({ bootDelayMs: 0 });
  t.teardown(() => cloud.stop());
  const c = await launcherCluster(t, zk(), [simDriver]);
  await c.launcher(
    `
labels:
  - name: sim-small
providers:
  - name: sim
    driver: sim
    endpoint: ${cloud.url}
    cloud-images:
      - name: sim-base
    pools:
      - name: main
        max-servers: 1
        host-key-checking: false
        labels:
          - name: sim-small
            flavor: small
            cloud-image: sim-base
`,
    { timings: noPeriodicPasses },
  );
  const zuuls = [new ZuulClient(await c.client()), new ZuulClient(await c.client())];
  const { results } = await runJobs(zuuls, { labels: ['sim-small'], concurrency: 2, total: 4, timeoutMs: 60_000 });
  t.deepEqual(
    results.map((result) => result.result),
    ['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS'],
  );
  await waitFor(() => cloud.instances().length === 0, { timeoutMs: 30_000, message: 'the last used instance was not deleted' });
  t.is(cloud.calls()['instances.create'], 4);
  t.is(cloud.calls()['instances.delete'], 4);
});
