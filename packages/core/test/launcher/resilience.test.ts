import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useZooKeeper, waitFor, ZuulClient, type JobResult } from '@nodepool/testkit';
import { createFakeDriver, launcherCluster as cluster, submitRequest } from '@nodepool/core/testing';


// The default tick: sessions of at least 4 s, so a killed launcher's locks linger that long.
const zk = useZooKeeper(test);

const config = (maxServers: number) => `
zookeeper-timeout: 4
labels:
  - name: small
  - name: large
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: ${maxServers}
        labels:
          - name: small
          - name: large
`;

test('a launcher killed with SIGKILL mid-request: another resets the request, reaps the half-built node, and serves it', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  const file = join(c.dir, 'killed.yaml');
  await writeFile(file, c.configText(config(5)));
  const script = fileURLToPath(new URL('./fixtures/launcher-process.ts', import.meta.url));
  // Its launches never finish: the kill lands mid-launch.
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', script, file, 'nl-doomed', '600000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  const [started] = (await once(child.stdout!, 'data')) as [Buffer];
  t.is(started.toString().trim(), 'started');

  const store = await c.store();
  const nodes = await store.nodeCache();
  const requests = await store.requestCache();
  const zuul = new ZuulClient(await c.client());
  const request = await zuul.requestNodes(['small']);
  await waitFor(() => requests.get(request.id)?.state === 'pending' && [...nodes.values()].some((node) => node.state === 'building'), { timeoutMs: 10_000 });
  const abandoned = [...nodes.values()].find((node) => node.state === 'building')!;
  child.kill('SIGKILL');
  await once(child, 'exit');

  await c.launcher(config(5), { hostname: 'nl-survivor' });
  const record = await zuul.waitForRequest(request, { timeoutMs: 30_000 });
  t.is(record.state, 'fulfilled');
  t.notDeepEqual(record.nodes, [abandoned.id]);
  await waitFor(() => nodes.get(abandoned.id) === undefined, { timeoutMs: 30_000, message: 'the half-built node was not reaped' });
  t.true(cloud.deleted.includes(abandoned.id));
});

test('three launchers under load: every request fulfilled, no node shared, max-servers never exceeded', async (t) => {
  const { driver, cloud } = createFakeDriver();
  cloud.launchDelayMs = 20;
  const c = await cluster(t, zk(), [driver]);
  const maxServers = 6;
  for (const hostname of ['nl01', 'nl02', 'nl03']) await c.launcher(config(maxServers), { hostname });

  const store = await c.store();
  const nodes = await store.nodeCache();
  let peak = 0;
  // Nodes that hold (or held) cloud resources; an `init` record that lost the race for the last
  // slot is removed without ever being launched.
  const launched = () => [...nodes.values()].filter((node) => node.provider === 'cloud-a' && node.state !== 'init').length;
  const sampler = setInterval(() => {
    peak = Math.max(peak, launched());
  }, 5);
  nodes.on('change', () => {
    peak = Math.max(peak, launched());
  });
  t.teardown(() => clearInterval(sampler));

  const zuuls = await Promise.all([1, 2, 3, 4].map(async () => new ZuulClient(await c.client())));
  const jobs = 60;
  const results: JobResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 12 }, async (_, worker) => {
      while (next < jobs) {
        const index = next++;
        const labelSet = index % 3 === 0 ? ['small', 'large'] : ['small'];
        results.push(await zuuls[worker % zuuls.length]!.runJob(labelSet, { durationMs: 10, timeoutMs: 60_000 }));
      }
    }),
  );
  clearInterval(sampler);

  t.deepEqual(results.filter((result) => result.result !== 'SUCCESS').map((result) => result.error?.message), []);
  t.true(peak <= maxServers, `peak of ${peak} nodes in a pool of max-servers ${maxServers}`);
  // No node was held by two jobs at once.
  const spans = results.flatMap((result) => result.nodeIds.map((id) => ({ id, from: result.timings.startedAt!, to: result.timings.finishedAt! })));
  for (const a of spans) {
    for (const b of spans) {
      if (a !== b && a.id === b.id) t.false(a.from < b.to && b.from < a.to, `node ${a.id} was in two jobs at once`);
    }
  }
  t.log(`${jobs} jobs, peak ${peak} nodes, ${cloud.launched.length} launches`);
});
