import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import {
  ExplainBoard,
  explainRequest,
  formatExplanation,
  getLogger,
  HealthBoard,
  LAUNCHER_REPORTS_PATH,
  LauncherReportPublisher,
  NodeRequest,
  readLauncherReports,
} from '@nodepool/core';
import { connect, connectPeer } from '../zk/helpers.js';

const zk = useZooKeeper(test);
const pool = { id: 'nl01-PoolWorker.cloud-main-1', providerName: 'cloud', poolName: 'main' };

function publisher(client: Parameters<typeof readLauncherReports>[0], options: { maxBytes?: number; isLive?: (id: string) => boolean } = {}) {
  const explain = new ExplainBoard();
  const health = new HealthBoard();
  const published = new LauncherReportPublisher(client, { hostname: 'nl01', explain, health, log: getLogger('test'), intervalMs: 20, ...options });
  return { explain, health, published };
}

test('a launcher publishes its decisions to its own ephemeral znode, outside Nodepool’s tree, and another client reads them', async (t) => {
  const client = await connect(t, zk().connectString);
  const reader = await connectPeer(t, zk().connectString, client);
  const { explain, health, published } = publisher(client);
  t.teardown(() => published.stop());
  health.configure('cloud', { name: 'cloud', 'circuit-breaker': { failures: 1n } });
  published.start();
  explain.note(pool, '200-0000000001', 'waiting.at-quota', 'at quota: 10/10 servers');
  await waitFor(async () => (await readLauncherReports(reader)).some((report) => report.requests['200-0000000001']), { timeoutMs: 10_000 });
  const [name] = (await reader.getChildren(LAUNCHER_REPORTS_PATH)).children;
  t.regex(name!, /^nl01\d{10}$/);
  t.not((await reader.exists(`${LAUNCHER_REPORTS_PATH}/${name}`))!.ephemeralOwner, 0n);
  t.is(await reader.exists('/nodepool'), null, 'nothing is written into Nodepool’s tree');

  health.recordLaunch('cloud', { ok: false, error: 'instance went to error' });
  await waitFor(async () => (await readLauncherReports(reader))[0]?.providers[0]?.state === 'open', { timeoutMs: 10_000 });

  const request = new NodeRequest();
  request.id = '200-0000000001';
  request.nodeTypes = ['ubuntu'];
  request.requestor = 'zuul';
  request.setState('requested');
  const explanation = explainRequest('200-0000000001', request, await readLauncherReports(reader), []);
  t.like(explanation.pools[0], { launcher: 'nl01', provider: 'cloud', pool: 'main', code: 'waiting.at-quota', phase: 'waiting' });
  t.like(explanation.providers[0], { provider: 'cloud', state: 'open', launcher: 'nl01' });
  const text = formatExplanation(explanation, request.stateTime * 1000 + 5000);
  t.regex(text, /^Request 200-0000000001: requested for 5s, labels ubuntu, requested by zuul\n/);
  t.regex(text, /cloud\/main \(launcher nl01\): waiting\.at-quota, for \d+s\n {4}at quota: 10\/10 servers\n/);
  t.regex(text, /Provider cloud \(launcher nl01\) is unhealthy: circuit breaker open, next probe in \S+; last error: instance went to error/);

  await published.stop();
  t.deepEqual((await reader.getChildren(LAUNCHER_REPORTS_PATH)).children, [], 'removed when the launcher stops');
});

test('requests that are gone are left out, and the report stays within its size bound', async (t) => {
  const client = await connect(t, zk().connectString);
  let live = new Set<string>();
  const { explain, published } = publisher(client, { maxBytes: 4_000, isLive: (id) => live.has(id) });
  for (let i = 0; i < 100; i++) {
    const id = `200-${String(i).padStart(10, '0')}`;
    live.add(id);
    explain.note(pool, id, 'waiting.paused-behind', `paused behind request 200-0000000000 (${'x'.repeat(40)})`);
  }
  live = new Set(['200-0000000000', '200-0000000001']);
  let report = published.report();
  t.deepEqual(Object.keys(report.requests), ['200-0000000000', '200-0000000001']);
  live = new Set(explain.requestIds());
  for (let i = 2; i < 100; i++) live.add(`200-${String(i).padStart(10, '0')}`);
  for (let i = 2; i < 100; i++) explain.note(pool, `200-${String(i).padStart(10, '0')}`, 'waiting.free-node', 'waiting for a free node');
  report = published.report();
  t.true(JSON.stringify(report).length <= 4_000);
  t.true(report.omittedRequests > 0);
  t.is(Object.keys(report.requests).length + report.omittedRequests, 100);
  t.truthy(report.requests['200-0000000000'], 'the first in priority order are kept');
});

test('a pool that published nothing is listed as silent, with whether it declined', (t) => {
  const request = new NodeRequest();
  request.id = '200-0000000001';
  request.declinedBy = ['nl09-PoolWorker.old-main-1'];
  const component = { id: 'nl09-PoolWorker.old-main-1', providerName: 'old' };
  const explanation = explainRequest('200-0000000001', request, [], [component as never]);
  t.deepEqual(explanation.silentPools, [{ poolWorker: 'nl09-PoolWorker.old-main-1', provider: 'old', declined: true }]);
  t.regex(formatExplanation(explanation), /No launcher has published a decision about it\.\n {2}old \(pool worker nl09-PoolWorker\.old-main-1\): no decision published \(it declined the request\)\n$/);
});
