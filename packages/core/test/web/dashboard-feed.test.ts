import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { EventStreamReader, type ReceivedEvent } from './event-stream.js';
import { webFixture } from './helpers.js';

const zk = useZooKeeper(test);

/** Rewrites a JSON record with `changes` applied, as a peer (Zuul, another launcher) would. */
async function rewrite(client: ZooKeeperClient, path: string, changes: Record<string, unknown>): Promise<void> {
  const { data } = await client.getData(path);
  await client.setData(path, JSON.stringify({ ...(JSON.parse(data.toString()) as object), ...changes }));
}

type Rows = Record<string, Record<string, unknown> | null>;

test('the page is served at /, its inline script and style allowed by hash; the listings are unchanged', async (t) => {
  const f = await webFixture(t, zk().connectString, { seed: false });
  const page = await fetch(`${f.url}/`, { headers: { accept: 'application/json' } });
  t.is(page.status, 200);
  t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
  const csp = page.headers.get('content-security-policy') ?? '';
  t.regex(csp, /default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+=*'; style-src 'sha256-[A-Za-z0-9+/]+=*'; connect-src 'self'/);
  const html = await page.text();
  t.regex(html, /<title>Nodepool<\/title>/);
  t.true(html.includes("new EventSource('dashboard/events')"));
  const again = await fetch(`${f.url}/`, { headers: { 'if-none-match': page.headers.get('etag')! } });
  t.is(again.status, 304);
  t.is(await (await fetch(`${f.url}/label-list.json`)).text(), '[]');
  t.is((await fetch(`${f.url}/node-list`)).headers.get('content-type'), 'text/plain; charset=UTF-8');
});

test('the stream opens with a snapshot: nodes, requests and who declined them, launchers, pools with paused flags, images', async (t) => {
  const f = await webFixture(t, zk().connectString);
  const stream = await EventStreamReader.open(t, `${f.url}/dashboard/events`);
  t.is(stream.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  t.is(stream.response.headers.get('cache-control'), 'no-store');
  const { data } = await stream.next('snapshot');
  const { readyNode, zuulNode, podNode, emptyNode, launcherRequest, zuulRequest } = f.seeded;
  const nodes = data.nodes as Rows;
  t.deepEqual(Object.keys(nodes).sort(), [readyNode, zuulNode, podNode].sort());
  t.false(emptyNode in nodes);
  t.like(nodes[readyNode], { state: 'ready', provider: 'cloud-a', pool: 'main', label: ['debian'], ip: '203.0.113.10', server_id: 'i-0a1b', locked: false });
  t.is(typeof nodes[readyNode]!.state_time, 'number');
  t.like((data.requests as Rows)[launcherRequest], { state: 'pending', declined_by: ['nl02.example.org-PoolWorker.k8s-pods-1234'], node_types: ['debian'] });
  t.like((data.requests as Rows)[zuulRequest], { state: 'requested', requestor: '9c1d' });
  t.like((data.pools as Rows)['nl02.example.org-PoolWorker.k8s-pods-1234'], { provider: 'k8s', pool: 'pods', paused: false, hostname: 'nl02.example.org' });
  t.like((data.images as Rows).ubuntu, { paused: true, build_request: 'pending' });
  t.is(Object.keys(data.uploads as Rows).length, 3);
  t.like(data.summary, { total: { ready: 1, 'in-use': 1, hold: 1 } });
  t.like((data.summary as { providers: Rows }).providers, { 'cloud-a': { ready: 1, 'in-use': 1 }, k8s: { hold: 1 } });
  t.is(f.app.dashboardClients, 1);
});

test('changes arrive as patches: a changed row whole, a deleted one as null, the summary when counts move', async (t) => {
  const f = await webFixture(t, zk().connectString, { dashboard: { minIntervalMs: 50 } });
  const stream = await EventStreamReader.open(t, `${f.url}/dashboard/events`);
  await stream.next('snapshot');
  const { readyNode, podNode } = f.seeded;
  await rewrite(f.client, `/nodepool/nodes/${readyNode}`, { state: 'in-use' });
  let patch = (await stream.next('patch')).data;
  t.like((patch.nodes as Rows)[readyNode], { state: 'in-use', provider: 'cloud-a', ip: '203.0.113.10' });
  t.false(podNode in (patch.nodes as Rows), 'unchanged rows are not sent');
  t.like(patch.summary, { total: { ready: 0, 'in-use': 2 } });
  t.is(patch.requests, undefined);

  await f.client.delete(`/nodepool/nodes/${podNode}`);
  patch = (await stream.next('patch')).data;
  t.deepEqual(patch.nodes, { [podNode]: null });

  const pool = (await f.client.getChildren('/nodepool/components/pool')).children.find((name) => name.startsWith('nl01'))!;
  await rewrite(f.client, `/nodepool/components/pool/${pool}`, { paused: true });
  patch = (await stream.next('patch')).data;
  t.like((patch.pools as Rows)['nl01.example.org-PoolWorker.cloud-a-main-6f1c'], { paused: true, pool: 'main' });

  // A lock taken by Zuul shows as soon as the cache sees the contender.
  await f.peer.acquire(`/nodepool/nodes/${readyNode}/lock`);
  patch = (await stream.next('patch')).data;
  t.like((patch.nodes as Rows)[readyNode], { locked: true });
});

test('changes are coalesced: at most one patch per interval, however many writes, ending with the last state', async (t) => {
  const minIntervalMs = 300;
  // The real clock: each patch carries the time the server read the status (`now`), so the pace
  // is measured where it is kept, not where delivery may lag on a busy machine.
  const f = await webFixture(t, zk().connectString, { dashboard: { minIntervalMs }, now: () => Date.now() / 1000 });
  const stream = await EventStreamReader.open(t, `${f.url}/dashboard/events`);
  await stream.next('snapshot');
  const path = `/nodepool/nodes/${f.seeded.readyNode}`;
  const record = JSON.parse((await f.client.getData(path)).data.toString()) as Record<string, unknown>;
  const write = (index: number) => f.client.setData(path, JSON.stringify({ ...record, external_id: `i-${index}` }));
  const patches = () => stream.received.filter((event) => event.event === 'patch');
  // 100 writes in one pipeline: 100 change notifications within a few milliseconds.
  await Promise.all(Array.from({ length: 100 }, (_, index) => write(index)));
  // Then one write after another, each waiting for ZooKeeper, until three patches came.
  let writes = 100;
  while (patches().length < 3) await write(writes++);
  await write(writes);
  const serverId = (patch: ReceivedEvent): unknown => (patch.data.nodes as Rows | undefined)?.[f.seeded.readyNode]?.server_id;
  while (serverId(await stream.next('patch')) !== `i-${writes}`);
  const sent = patches();
  t.log(`${sent.length} patches for ${writes + 1} writes`);
  // However many writes there were (however fast the machine made them), a patch per interval at most.
  t.true(sent.length < writes + 1, `${sent.length} patches for ${writes + 1} writes`);
  const readAt = stream.received.filter((event) => event.event === 'snapshot' || event.event === 'patch').map((event) => Math.round((event.data.now as number) * 1000));
  // Less 2 ms for the timer's and the clock's rounding.
  for (let i = 1; i < readAt.length; i++) t.true(readAt[i]! - readAt[i - 1]! >= minIntervalMs - 2, `updates ${i - 1} and ${i} are ${readAt[i]! - readAt[i - 1]!} ms apart`);
});

test('nothing is followed while no page is open; heartbeats keep an idle stream alive; stopping ends the streams', async (t) => {
  const f = await webFixture(t, zk().connectString, { dashboard: { heartbeatMs: 100 } });
  const nodes = await f.zk.nodeCache();
  const idle = nodes.listenerCount('change');
  const first = await EventStreamReader.open(t, `${f.url}/dashboard/events`);
  await first.next('snapshot');
  t.is(nodes.listenerCount('change'), idle + 1);
  const heartbeat = await first.next('heartbeat');
  t.is(typeof heartbeat.data.now, 'number');
  await first.next('heartbeat');
  first.close();
  await waitFor(() => f.app.dashboardClients === 0, { timeoutMs: 5_000 });
  t.is(nodes.listenerCount('change'), idle, 'the watch is dropped with the last page');

  const second = await EventStreamReader.open(t, `${f.url}/dashboard/events`);
  await second.next('snapshot');
  await f.app.stop();
  await second.whenEnded();
  t.is(nodes.listenerCount('change'), idle);
});
