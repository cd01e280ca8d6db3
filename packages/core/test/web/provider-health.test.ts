import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { ExplainBoard, getLogger, HealthBoard, LauncherReportPublisher, readLauncherReports, zooKeeperHealthSource } from '@nodepool/core';
import { EventStreamReader } from './event-stream.js';
import { webFixture } from './helpers.js';

const zk = useZooKeeper(test);

const OPENED_AT = 1_800_000_000_000;

/** A launcher publishing its breakers, as the launcher does, on a clock stopped at `OPENED_AT`. */
function launcherReports(t: { teardown(fn: () => unknown): void }, client: ZooKeeperClient, hostname: string, providers: Record<string, number | undefined>) {
  const health = new HealthBoard({ clock: () => OPENED_AT });
  for (const [name, failures] of Object.entries(providers)) health.configure(name, failures === undefined ? { name } : { name, 'circuit-breaker': { failures: BigInt(failures), 'probe-interval': 60 } });
  const publisher = new LauncherReportPublisher(client, { hostname, explain: new ExplainBoard(), health, log: getLogger('test'), intervalMs: 10 });
  publisher.start();
  t.teardown(() => publisher.stop());
  return health;
}

async function published(client: ZooKeeperClient, expected: (reports: Awaited<ReturnType<typeof readLauncherReports>>) => boolean): Promise<void> {
  await waitFor(async () => expected(await readLauncherReports(client)), { timeoutMs: 10_000 });
}

test('GET /provider-health lists every launcher’s breakers as a table, /provider-health.json as JSON; providers without one are not listed', async (t) => {
  const f = await webFixture(t, zk().connectString, { seed: false, now: () => OPENED_AT / 1000 + 30, health: zooKeeperHealthSource });
  const nl01 = launcherReports(t, f.client, 'nl01.example.org', { 'cloud-a': 2, 'cloud-b': 3, k8s: undefined });
  launcherReports(t, f.client, 'nl02.example.org', { 'cloud-a': 2 });
  nl01.recordLaunch('cloud-a', { ok: false, error: 'server went to ERROR: No valid host was found' });
  nl01.recordLaunch('cloud-a', { ok: false, error: 'server went to ERROR: No valid host was found' });
  nl01.recordApiError('cloud-b', 'HTTP 503 listing flavors');
  await published(f.client, (reports) => reports.length === 2 && reports.some((report) => report.providers.some((breaker) => breaker.provider === 'cloud-b' && breaker.consecutiveFailures === 1)));

  const text = await fetch(`${f.url}/provider-health`);
  t.is(text.status, 200);
  t.is(text.headers.get('content-type'), 'text/plain; charset=UTF-8');
  t.is(
    await text.text(),
    [
      '+------------------+----------+--------+-------------------+----------------+---------------+--------------+-----------------------------------------------+',
      '| Launcher         | Provider | State  | Failures in a row | Not closed for | Next probe in | Times opened | Last error                                    |',
      '+------------------+----------+--------+-------------------+----------------+---------------+--------------+-----------------------------------------------+',
      '| nl01.example.org | cloud-a  | open   | 2/2               | 00:00:00:30    | 00:00:00:30   | 1            | server went to ERROR: No valid host was found |',
      '| nl01.example.org | cloud-b  | closed | 1/3               |                |               | 0            | HTTP 503 listing flavors                      |',
      '| nl02.example.org | cloud-a  | closed | 0/2               |                |               | 0            |                                               |',
      '+------------------+----------+--------+-------------------+----------------+---------------+--------------+-----------------------------------------------+',
    ].join('\n'),
  );
  t.regex(await (await fetch(`${f.url}/provider-health?fields=launcher,provider,state`)).text(), /^\| nl01\.example\.org \| cloud-a {2}\| open {3}\|$/m);

  const json = await fetch(`${f.url}/provider-health.json`);
  t.is(json.headers.get('content-type'), 'application/json');
  const providers = (await json.json()) as Record<string, unknown>[];
  t.deepEqual(
    providers.map((breaker) => [breaker.launcher, breaker.provider, breaker.state]),
    [
      ['nl01.example.org', 'cloud-a', 'open'],
      ['nl01.example.org', 'cloud-b', 'closed'],
      ['nl02.example.org', 'cloud-a', 'closed'],
    ],
  );
  t.like(providers[0], { consecutiveFailures: 2, threshold: 2, openedAt: OPENED_AT, nextProbeAt: OPENED_AT + 60_000, timesOpened: 1, lastError: 'server went to ERROR: No valid host was found' });
  t.deepEqual(await (await fetch(`${f.url}/provider-health`, { headers: { accept: 'application/json' } })).json(), providers);
});

test('without a health source /provider-health is not found, and the dashboard stream says there is none', async (t) => {
  const f = await webFixture(t, zk().connectString, { seed: false });
  for (const path of ['/provider-health', '/provider-health.json']) t.is((await fetch(`${f.url}${path}`)).status, 404, path);
  const stream = await EventStreamReader.open(t, `${f.url}/dashboard/events`);
  t.deepEqual((await stream.next('features')).data, { explain: false, provider_health: false });
});

test('the dashboard stream sends provider health after the snapshot, and again when a breaker changes', async (t) => {
  const f = await webFixture(t, zk().connectString, { seed: false, health: zooKeeperHealthSource, dashboard: { healthIntervalMs: 50 } });
  const nl01 = launcherReports(t, f.client, 'nl01.example.org', { 'cloud-a': 1 });
  await published(f.client, (reports) => reports[0]?.providers.length === 1);
  const stream = await EventStreamReader.open(t, `${f.url}/dashboard/events`);
  t.deepEqual((await stream.next('features')).data, { explain: false, provider_health: true });
  await stream.next('snapshot');
  t.like((await stream.next('health')).data, { providers: [{ launcher: 'nl01.example.org', provider: 'cloud-a', state: 'closed' }] });
  nl01.recordLaunch('cloud-a', { ok: false, error: 'boot timeout' });
  t.like((await stream.next('health')).data, { providers: [{ provider: 'cloud-a', state: 'open', lastError: 'boot timeout' }] });
});
