import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { Node, NodeRequest, REQUEST_WAIT_BUCKETS, type HistorySample } from '@nodepool/core';
import { FakeClock } from '../history/fake-clock.js';
import { EventStreamReader } from './event-stream.js';
import { webFixture, type WebFixture } from './helpers.js';

const zk = useZooKeeper(test);
const STARTED_AT = Date.parse('2026-01-05T09:00:00Z');
const T0 = STARTED_AT / 1000;

/** A node launched on `provider` (by another launcher): building, then ready or failed, each seen by the caches. */
async function launch(f: WebFixture, provider: string, outcome: 'ready' | 'failed'): Promise<void> {
  const nodes = await f.zk.nodeCache();
  const writer = await f.writer();
  const node = Object.assign(new Node(), { provider, pool: 'main', type: ['small'], createdTime: T0 });
  for (const state of ['building', outcome] as const) {
    node.setState(state, T0 + 1);
    await writer.storeNode(node);
    await waitFor(() => nodes.get(node.id)?.state === state, { timeoutMs: 20_000 });
  }
}

/** A request Zuul created at T0, fulfilled `waitSeconds` later, as the caches see it. */
async function fulfil(f: WebFixture, waitSeconds: number): Promise<void> {
  const requests = await f.zk.requestCache();
  const writer = await f.writer();
  const request = Object.assign(new NodeRequest(), { nodeTypes: ['small'], requestor: 'zuul', createdTime: T0 });
  for (const [state, time] of [['requested', T0], ['fulfilled', T0 + waitSeconds]] as const) {
    request.setState(state, time);
    await writer.storeNodeRequest(request);
    await waitFor(() => requests.get(request.id)?.state === state, { timeoutMs: 20_000 });
  }
}

test('/history.json: the samples, oldest first; as text one row per sample, fields= picking columns', async (t) => {
  const clock = new FakeClock(STARTED_AT);
  const f = await webFixture(t, zk().connectString, { seed: false, history: { clock }, cacheExpirySeconds: 0 });
  await launch(f, 'cloud-a', 'ready');
  await launch(f, 'cloud-a', 'failed');
  await fulfil(f, 4);
  await fulfil(f, 8);
  clock.advance(10_000);

  const json = await fetch(`${f.url}/history.json`);
  t.is(json.status, 200);
  t.is(json.headers.get('content-type'), 'application/json');
  t.is(json.headers.get('cache-control'), 'public, max-age=0');
  const samples = (await json.json()) as HistorySample[];
  t.deepEqual(samples.map((sample) => sample.time), [T0, T0 + 10]);
  t.like(samples[1], {
    interval: 10,
    nodes: { ready: 1, failed: 1, building: 0 },
    requests: 0,
    request_wait: { count: 2, p50: 4, p95: 8 },
    launches: { 'cloud-a': { launched: 1, failed: 1 } },
  });
  // The Accept header chooses as for the other listings.
  t.deepEqual(await (await fetch(`${f.url}/history`, { headers: { accept: 'application/json' } })).json(), samples);

  const text = await (await fetch(`${f.url}/history?fields=time,ready,failed,completed,wait_p50,wait_p95,launched`)).text();
  t.is(
    text,
    [
      '+----------------------+-------+--------+-----------+----------+----------+----------+',
      '| Time                 | ready | failed | Completed | Wait p50 | Wait p95 | Launched |',
      '+----------------------+-------+--------+-----------+----------+----------+----------+',
      '| 2026-01-05T09:00:00Z | 0     | 0      | 0         |          |          | 0        |',
      '| 2026-01-05T09:00:10Z | 1     | 1      | 2         | 4.0      | 8.0      | 1        |',
      '+----------------------+-------+--------+-----------+----------+----------+----------+',
    ].join('\n'),
  );
});

test('/metrics gains nodepool_request_wait_seconds: a histogram of waits by state, both series zero before any request', async (t) => {
  const clock = new FakeClock(STARTED_AT);
  const f = await webFixture(t, zk().connectString, { seed: false, history: { clock } });
  const scrape = async (): Promise<string> => (await fetch(`${f.url}/metrics`)).text();
  const before = await scrape();
  t.regex(before, /^# TYPE nodepool_request_wait_seconds histogram$/m);
  t.regex(before, /^nodepool_request_wait_seconds_count\{state="fulfilled"\} 0$/m);
  t.regex(before, /^nodepool_request_wait_seconds_count\{state="failed"\} 0$/m);
  // The existing gauges are still there.
  t.regex(before, /^nodepool_nodes\{state="ready"\} 0$/m);

  await fulfil(f, 3);
  await fulfil(f, 45);
  const after = await scrape();
  t.deepEqual(REQUEST_WAIT_BUCKETS.slice(0, 7), [1, 2, 5, 10, 15, 30, 60]);
  t.regex(after, /^nodepool_request_wait_seconds_bucket\{le="2",state="fulfilled"\} 0$/m);
  t.regex(after, /^nodepool_request_wait_seconds_bucket\{le="5",state="fulfilled"\} 1$/m);
  t.regex(after, /^nodepool_request_wait_seconds_bucket\{le="30",state="fulfilled"\} 1$/m);
  t.regex(after, /^nodepool_request_wait_seconds_bucket\{le="60",state="fulfilled"\} 2$/m);
  t.regex(after, /^nodepool_request_wait_seconds_bucket\{le="\+Inf",state="fulfilled"\} 2$/m);
  t.regex(after, /^nodepool_request_wait_seconds_sum\{state="fulfilled"\} 48$/m);
  t.regex(after, /^nodepool_request_wait_seconds_count\{state="fulfilled"\} 2$/m);
});

test('the dashboard stream sends the history after the snapshot, then each sample as it is taken', async (t) => {
  const clock = new FakeClock(STARTED_AT);
  const f = await webFixture(t, zk().connectString, { seed: false, history: { clock } });
  const stream = await EventStreamReader.open(t, `${f.url}/dashboard/events`);
  await stream.next('snapshot');
  const { data: history } = await stream.next('history');
  t.like(history, { interval: 10, capacity: 360 });
  t.deepEqual((history.samples as HistorySample[]).map((sample) => sample.time), [T0]);
  await launch(f, 'cloud-b', 'ready');
  clock.advance(10_000);
  const { data: sample } = await stream.next('sample');
  t.like(sample, { time: T0 + 10, interval: 10, launches: { 'cloud-b': { launched: 1, failed: 0 } } });
});

test('without a history there is no /history, and /metrics has no wait histogram', async (t) => {
  const f = await webFixture(t, zk().connectString, { seed: false });
  t.is((await fetch(`${f.url}/history.json`)).status, 404);
  t.is((await fetch(`${f.url}/history`)).status, 404);
  t.notRegex(await (await fetch(`${f.url}/metrics`)).text(), /nodepool_request_wait_seconds/);
  t.is(f.app.history, undefined);
});
