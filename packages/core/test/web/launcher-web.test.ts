import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { DriverRegistry, Launcher } from '@nodepool/core';
import { createFakeDriver, fastTimings, launcherCluster } from '@nodepool/core/testing';

const zk = useZooKeeper(test);

test('the launcher serves the web API once its providers are up, from its caches, and stops it first', async (t) => {
  const { driver } = createFakeDriver();
  const cluster = await launcherCluster(t, zk(), [driver]);
  const file = join(cluster.dir, 'nodepool.yaml');
  await writeFile(
    file,
    cluster.configText(`
webapp:
  port: 8005
labels:
  - name: small
    min-ready: 1
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 2
        labels:
          - name: small
`),
  );
  // The options override the configuration's port: 0 picks a free one.
  const launcher = new Launcher({ configFile: file, drivers: DriverRegistry.of(driver), hostname: 'nl-web', timings: fastTimings, env: {}, webapp: { port: 0, listenAddress: '127.0.0.1' } });
  t.teardown(() => launcher.stop());
  await launcher.start();
  const url = `http://127.0.0.1:${launcher.webApp!.port}`;
  t.not(launcher.webApp!.port, 8005);
  t.is(await (await fetch(`${url}/ready`)).text(), 'OK');
  t.deepEqual(await (await fetch(`${url}/label-list.json`)).json(), [{ label: 'small' }]);
  await waitFor(async () => ((await (await fetch(`${url}/node-list.json?fields=state`)).json()) as { state: string }[]).some((node) => node.state === 'ready'), { timeoutMs: 10_000 });
  const metrics = await (await fetch(`${url}/metrics`)).text();
  t.regex(metrics, /^nodepool_provider_max_servers\{provider="cloud-a"\} 2$/m);
  // Its history (issue 19): a sample from the start, and the request-wait histogram.
  t.regex(metrics, /^nodepool_request_wait_seconds_count\{state="fulfilled"\} \d+$/m);
  const [first] = (await (await fetch(`${url}/history.json`)).json()) as { interval: number; nodes: Record<string, number> }[];
  t.is(first!.interval, 0);
  t.deepEqual(Object.keys(first!.nodes).length, 11);
  await launcher.stop();
  await t.throwsAsync(fetch(`${url}/ready`));
});

test('without the webapp option the launcher serves nothing', async (t) => {
  const { driver } = createFakeDriver();
  const cluster = await launcherCluster(t, zk(), [driver]);
  const launcher = await cluster.launcher('labels: []\nproviders: []\n');
  t.is(launcher.webApp, undefined);
});
