import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { DriverRegistry, ExplainBoard, getLogger, HealthBoard, LauncherReportPublisher, NodepoolZooKeeper, readLauncherReports } from '@nodepool/core';
import { submitRequest } from '@nodepool/core/testing';
import { simDriver } from '@nodepool/driver-sim';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import { files, nodepoolWith } from './helpers.js';

const zk = useZooKeeper(test);
const NOW = 1_800_000_000;

const body = `
labels:
  - name: small
providers:
  - name: cloud
    driver: sim
    endpoint: http://127.0.0.1:1
    circuit-breaker:
      failures: 2
    cloud-images:
      - name: base
    pools:
      - name: main
        labels:
          - name: small
            flavor: small
            cloud-image: base
`;

/** A chroot with a configuration for it, a store acting as Zuul, and a launcher's report publisher. */
async function fixture(t: ExecutionContext) {
  const server = zk();
  const chroot = `/explain-${randomUUID()}`;
  const client = new ZooKeeperClient({ servers: server.connectString, chroot, sessionTimeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.connect();
  await client.mkdirp('/');
  const store = new NodepoolZooKeeper(client);
  t.teardown(() => store.stop());
  const { 'nodepool.yaml': config } = await files(t, { 'nodepool.yaml': `zookeeper-servers:\n  - host: 127.0.0.1\n    port: ${server.port}\n    chroot: ${chroot}\nzookeeper-timeout: 5.0\n${body}` });
  const explain = new ExplainBoard({ clock: () => NOW * 1000 - 30_000 });
  const health = new HealthBoard({ clock: () => NOW * 1000 - 10_000 });
  const publisher = new LauncherReportPublisher(client, { hostname: 'nl01', explain, health, log: getLogger('test'), intervalMs: 10 });
  publisher.start();
  t.teardown(() => publisher.stop());
  const run = (...argv: string[]) => nodepoolWith({ drivers: () => DriverRegistry.of(simDriver), now: () => NOW }, '-c', config!, ...argv);
  const published = (test: (reports: Awaited<ReturnType<typeof readLauncherReports>>) => boolean) => waitFor(async () => test(await readLauncherReports(client)), { timeoutMs: 10_000 });
  return { store, explain, health, run, published };
}

const pool = { id: 'nl01-PoolWorker.cloud-main-abc', providerName: 'cloud', poolName: 'main' };

test('request-explain prints every pool’s decision with its reason, since when, and the changes before', async (t) => {
  const { store, explain, run, published } = await fixture(t);
  const id = await submitRequest(store, ['small', 'small'], { requestor: 'zuul-system' });
  explain.note(pool, id, 'waiting.at-quota', 'at quota in pool main (max-servers 10): 10/10 servers');
  explain.note(pool, id, 'waiting.paused-behind', `paused behind request 100-0000000001, which waits for quota`);
  await published((reports) => reports[0]?.requests[id]?.[0]?.code === 'waiting.paused-behind');
  const result = await run('request-explain', id);
  t.is(result.code, 0, result.err.join('\n'));
  t.regex(result.out[0]!, new RegExp(`^Request ${id}: requested for \\S+, labels small, small, requested by zuul-system$`));
  t.deepEqual(result.out.slice(1), [
    '  cloud/main (launcher nl01): waiting.paused-behind, for 30s',
    '    paused behind request 100-0000000001, which waits for quota',
    '    07:59:30 waiting.at-quota: at quota in pool main (max-servers 10): 10/10 servers',
  ]);
});

test('request-explain --json gives the codes, phases and times', async (t) => {
  const { store, explain, run, published } = await fixture(t);
  const id = await submitRequest(store, ['small']);
  explain.note(pool, id, 'launching.node', 'launching node 0000000004 (attempt 2 of 3): waiting for server');
  await published((reports) => reports[0]?.requests[id] !== undefined);
  const result = await run('request-explain', '--json', id);
  t.is(result.code, 0);
  const json = JSON.parse(result.out.join('\n'));
  t.like(json, { id, request: { state: 'requested', nodeTypes: ['small'] } });
  t.like(json.pools[0], { launcher: 'nl01', provider: 'cloud', pool: 'main', poolWorker: pool.id, code: 'launching.node', phase: 'launching', since: NOW * 1000 - 30_000 });
  t.deepEqual(json.silentPools, []);
});

test('request-explain of an unknown request fails with one line', async (t) => {
  const { run } = await fixture(t);
  const result = await run('request-explain', '200-0000009999');
  t.is(result.code, 1);
  t.deepEqual(result.err, ['nodepool: node request 200-0000009999 not found']);
});

test('nodepool info shows the provider’s circuit breaker in each launcher that has one', async (t) => {
  const { health, run, published } = await fixture(t);
  health.configure('cloud', { name: 'cloud', 'circuit-breaker': { failures: 2n, 'probe-interval': 60n } });
  health.recordLaunch('cloud', { ok: false, error: 'instance went to error' });
  health.recordLaunch('cloud', { ok: false, error: 'instance went to error' });
  await published((reports) => reports[0]?.providers[0]?.state === 'open');
  const result = await run('info', 'cloud');
  t.is(result.code, 0, result.err.join('\n'));
  t.deepEqual(result.out.slice(result.out.indexOf('Health (circuit breaker):')), [
    'Health (circuit breaker):',
    '  launcher nl01: open for 10s, 2/2 failures in a row, next probe in 50s, opened 1 times; last error: instance went to error',
  ]);
});
