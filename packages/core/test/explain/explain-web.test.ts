import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import {
  CachedStatusSource,
  ExplainBoard,
  getLogger,
  HealthBoard,
  LauncherReportPublisher,
  NodepoolZooKeeper,
  readLauncherReports,
  WebApp,
  zooKeeperExplainSource,
} from '@nodepool/core';
import { submitRequest } from '@nodepool/core/testing';
import { connect } from '../zk/helpers.js';

const zk = useZooKeeper(test);
const pool = { id: 'nl01-PoolWorker.cloud-main-1', providerName: 'cloud', poolName: 'main' };

test('GET /request/ID/explain answers with every pool’s decision, as text or JSON; an unknown request is 404', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = new NodepoolZooKeeper(client);
  t.teardown(() => store.stop());
  const explain = new ExplainBoard({ clock: () => 1_800_000_000_000 });
  const publisher = new LauncherReportPublisher(client, { hostname: 'nl02', explain, health: new HealthBoard(), log: getLogger('test'), intervalMs: 10 });
  publisher.start();
  t.teardown(() => publisher.stop());
  const status = await CachedStatusSource.of(store);
  const app = new WebApp({
    port: 0,
    listenAddress: '127.0.0.1',
    source: status,
    ready: () => true,
    now: () => 1_800_000_005,
    explain: zooKeeperExplainSource(client, { request: (id) => store.getNodeRequest(id), poolComponents: () => status.poolComponents() }),
  });
  await app.start();
  t.teardown(() => app.stop());
  const url = `http://127.0.0.1:${app.port}`;

  const id = await submitRequest(store, ['small']);
  explain.note(pool, id, 'waiting.max-concurrency', 'max-concurrency reached: 4 of 4 requests in progress in provider cloud');
  await waitFor(async () => (await readLauncherReports(client))[0]?.requests[id] !== undefined, { timeoutMs: 10_000 });

  const text = await fetch(`${url}/request/${id}/explain`);
  t.is(text.status, 200);
  t.regex(await text.text(), /cloud\/main \(launcher nl02\): waiting\.max-concurrency, for 5s\n {4}max-concurrency reached: 4 of 4 requests in progress in provider cloud\n/);
  const json = await fetch(`${url}/request/${id}/explain`, { headers: { Accept: 'application/json' } });
  t.like(await json.json(), { id, request: { state: 'requested' }, pools: [{ code: 'waiting.max-concurrency', phase: 'waiting', launcher: 'nl02' }] });
  t.like(await (await fetch(`${url}/request/${id}/explain.json`)).json(), { id });

  const missing = await fetch(`${url}/request/200-0000009999/explain`);
  t.is(missing.status, 404);
  t.regex(await missing.text(), /Node request 200-0000009999 not found\./);
});
