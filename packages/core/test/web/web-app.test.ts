import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { HealthBoard, type NodepoolConfig } from '@nodepool/core';
import { kazooCreate } from '../helpers/kazoo-writer.js';
import { UUID_BUILD } from '../helpers/original-records.js';
import { webFixture } from './helpers.js';

const zk = useZooKeeper(test);

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

test('/node-list shows the records Zuul and the original wrote, locked by a kazoo client', async (t) => {
  const f = await webFixture(t, zk().connectString);
  await f.peer.acquire(`/nodepool/nodes/${f.seeded.zuulNode}/lock`);
  await waitFor(async () => (await (await f.zk.nodeCache()).isProbablyLocked(f.seeded.zuulNode)), { timeoutMs: 5_000 });
  const { readyNode, zuulNode, podNode } = f.seeded;
  const response = await get(`${f.url}/node-list?fields=id,provider,label,server_id,public_ipv4,ipv6,state,age,locked`);
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'text/plain; charset=UTF-8');
  t.is(
    await response.text(),
    [
      '+------------+----------+--------------+-----------+--------------+-------------+--------+-------------+----------+',
      '| ID         | Provider | Label        | Server ID | Public IPv4  | IPv6        | State  | Age         | Locked   |',
      '+------------+----------+--------------+-----------+--------------+-------------+--------+-------------+----------+',
      `| ${readyNode} | cloud-a  | debian       | i-0a1b    | 203.0.113.10 | None        | ready  | 01:02:03:04 | unlocked |`,
      `| ${zuulNode} | cloud-a  | debian,arm64 | i-0c2d    | None         | 2001:db8::2 | in-use | 01:02:03:04 | locked   |`,
      `| ${podNode} | k8s      | pod-label    | ns/pod-1  | None         | None        | hold   | 01:02:03:04 | unlocked |`,
      '+------------+----------+--------------+-----------+--------------+-------------+--------+-------------+----------+',
    ].join('\n'),
  );
});

test('/node-list as JSON has every key in order, the age formatted, objects kept as objects', async (t) => {
  const f = await webFixture(t, zk().connectString);
  const response = await get(`${f.url}/node-list?node_id=${f.seeded.podNode}`, { accept: 'application/json' });
  t.is(response.headers.get('content-type'), 'application/json');
  const body = await response.text();
  t.true(body.startsWith(`[{"id": "${f.seeded.podNode}", "provider": "k8s", "label": ["pod-label"], `), body);
  t.deepEqual(JSON.parse(body), [
    {
      id: f.seeded.podNode,
      provider: 'k8s',
      label: ['pod-label'],
      server_id: 'ns/pod-1',
      public_ipv4: null,
      ipv6: null,
      state: 'hold',
      age: '01:02:03:04',
      locked: 'unlocked',
      pool: 'pods',
      hostname: null,
      private_ipv4: null,
      AZ: null,
      username: null,
      connection_port: { name: 'pod-1', namespace: 'ns', skiptls: true },
      launcher: 'nl01.example.org-PoolWorker.cloud-a-main-6f1c',
      allocated_to: null,
      hold_job: 'acme example.org/acme/app build .*',
      comment: "it's held",
      user_data: null,
      driver_data: { nested: [1, null] },
    },
  ]);
  // fields= narrows the text table only, as in the original.
  const keys = Object.keys(((await (await get(`${f.url}/node-list.json?fields=id`)).json()) as object[])[0]!);
  t.is(keys.length, 21);
});

test('/node-list?node_id= of a missing node is empty; a value that is no node ID is a 400', async (t) => {
  const f = await webFixture(t, zk().connectString);
  t.is(await (await get(`${f.url}/node-list.json?node_id=0000009999`)).text(), '[]');
  const bad = await get(`${f.url}/node-list?node_id=../requests`);
  t.is(bad.status, 400);
  t.is(await bad.text(), '400 Bad Request\n\nThe server could not comply with the request since it is either malformed or otherwise incorrect.\n\nnode_id "../requests" is not a node ID (a sequence number such as 0000000042)');
});

test('/request-list and /label-list, sorted', async (t) => {
  const f = await webFixture(t, zk().connectString);
  const { zuulRequest, launcherRequest } = f.seeded;
  t.is(
    await (await get(`${f.url}/request-list`)).text(),
    [
      '+----------------+----------+-----------+--------------------+--------------+-------+-------------------------------------------+----------+',
      '| Request ID     | Priority | State     | Requestor          | Node Types   | Nodes | Declined By                               | Event ID |',
      '+----------------+----------+-----------+--------------------+--------------+-------+-------------------------------------------+----------+',
      `| ${launcherRequest} | 2        | pending   | NodePool:min-ready | debian       |       | nl02.example.org-PoolWorker.k8s-pods-1234 | None     |`,
      `| ${zuulRequest} | 0        | requested | 9c1d               | debian,arm64 |       |                                           | e5a      |`,
      '+----------------+----------+-----------+--------------------+--------------+-------+-------------------------------------------+----------+',
    ].join('\n'),
  );
  t.deepEqual(await (await get(`${f.url}/request-list.json`)).json(), [
    { id: launcherRequest, relative_priority: 2, state: 'pending', requestor: 'NodePool:min-ready', node_types: ['debian'], nodes: [], declined_by: ['nl02.example.org-PoolWorker.k8s-pods-1234'], event_id: null },
    { id: zuulRequest, relative_priority: 0, state: 'requested', requestor: '9c1d', node_types: ['debian', 'arm64'], nodes: [], declined_by: [], event_id: 'e5a' },
  ]);
  t.is(await (await get(`${f.url}/label-list`)).text(), ['+-----------+', '| Label     |', '+-----------+', '| arm64     |', '| debian    |', '| pod-label |', '+-----------+'].join('\n'));
  t.is(await (await get(`${f.url}/label-list.json`)).text(), '[{"label": "arm64"}, {"label": "debian"}, {"label": "pod-label"}]');
});

test('/image-list and /dib-image-list: ages as Unix times in JSON, as ages in text; paused builds read paused', async (t) => {
  const f = await webFixture(t, zk().connectString);
  t.is(
    await (await get(`${f.url}/image-list`)).text(),
    [
      '+----------------------------------+------------+----------+--------+---------------------+-------------------+-----------+-------------+',
      '| Build ID                         | Upload ID  | Provider | Image  | Provider Image Name | Provider Image ID | State     | Age         |',
      '+----------------------------------+------------+----------+--------+---------------------+-------------------+-----------+-------------+',
      '| 0000000001                       | 0000000000 | k8s      | debian | None                | None              | failed    | 01:02:03:04 |',
      `| ${UUID_BUILD} | 0000000001 | cloud-a  | debian | debian-1700000000   | img-1             | ready     | 01:02:03:04 |`,
      `| ${UUID_BUILD} | 0000000002 | cloud-a  | debian | None                | None              | uploading | 01:02:03:04 |`,
      '+----------------------------------+------------+----------+--------+---------------------+-------------------+-----------+-------------+',
    ].join('\n'),
  );
  t.deepEqual(((await (await get(`${f.url}/image-list.json`)).json()) as object[])[1], {
    id: UUID_BUILD,
    upload_id: '0000000001',
    provider: 'cloud-a',
    image: 'debian',
    external_name: 'debian-1700000000',
    external_id: 'img-1',
    state: 'ready',
    age: 1700000000,
  });
  t.is(
    await (await get(`${f.url}/dib-image-list`)).text(),
    [
      '+-----------------------------------------+--------+------------------+-----------+--------+-------------+',
      '| ID                                      | Image  | Builder          | Formats   | State  | Age         |',
      '+-----------------------------------------+--------+------------------+-----------+--------+-------------+',
      '| debian-0000000001                       | debian | None             | qcow2     | ready  | 01:02:03:04 |',
      `| debian-${UUID_BUILD} | debian | nb01.example.org | qcow2,raw | ready  | 01:02:03:04 |`,
      '| ubuntu-5e0f                             | ubuntu | nb02.example.org |           | paused | 01:02:03:04 |',
      '+-----------------------------------------+--------+------------------+-----------+--------+-------------+',
    ].join('\n'),
  );
  t.deepEqual(((await (await get(`${f.url}/dib-image-list.json`)).json()) as object[])[1], {
    id: `debian-${UUID_BUILD}`,
    image: 'debian',
    builder: 'nb01.example.org',
    formats: ['qcow2', 'raw'],
    state: 'ready',
    age: 1700000000,
  });
});

test('/image-status: paused flags and manual build requests, pending until a builder takes the lock and builds', async (t) => {
  const f = await webFixture(t, zk().connectString);
  const before = Math.trunc(Date.now() / 1000);
  const rows = (await (await get(`${f.url}/image-status.json`)).json()) as Record<string, unknown>[];
  t.deepEqual(rows[0], { image: 'debian', paused: false, build_request: null, build_request_age: null });
  t.like(rows[1], { image: 'ubuntu', paused: true, build_request: 'pending' });
  t.true(Math.abs((rows[1]!.build_request_age as number) - before) < 60, 'the Unix time the request flag was made');
  t.is(
    await (await get(`${f.url}/image-status?fields=image,paused,build_request`)).text(),
    ['+--------+--------+---------------+', '| Image  | Paused | Build Request |', '+--------+--------+---------------+', '| debian | False  | None          |', '| ubuntu | True   | pending       |', '+--------+--------+---------------+'].join('\n'),
  );
  // A builder (kazoo) takes the image build lock, then creates its build record.
  await f.peer.acquire('/nodepool/images/ubuntu/builds/lock');
  await kazooCreate(`${zk().connectString}${f.client.chroot}`, [{ path: '/nodepool/images/ubuntu/builds/7a1c', data: { state: 'building', state_time: 1 } }]);
  const after = (await (await get(`${f.url}/image-status.json?again=1`)).json()) as Record<string, unknown>[];
  t.is(after[1]!.build_request, 'building');
});

test('the Accept header chooses JSON only when JSON ranks strictly best; a .json path always gets JSON', async (t) => {
  const f = await webFixture(t, zk().connectString);
  const kind = async (path: string, accept?: string) => (await get(`${f.url}${path}`, accept === undefined ? {} : { accept })).headers.get('content-type');
  const json = 'application/json';
  const text = 'text/plain; charset=UTF-8';
  t.is(await kind('/label-list'), text);
  t.is(await kind('/label-list', 'application/json'), json);
  t.is(await kind('/label-list', 'application/json, text/plain, */*'), text, 'ties go to the earlier offer');
  t.is(await kind('/label-list', 'application/json, text/*;q=0.5'), json);
  t.is(await kind('/label-list', 'text/html,application/xhtml+xml,*/*;q=0.8'), text);
  t.is(await kind('/label-list', 'image/png'), text, 'nothing acceptable: text, where the original fails');
  t.is(await kind('/label-list.json', 'text/plain'), json);
});

test('listings carry the original caching headers (a second), honour If-Modified-Since, and show changes once expired', async (t) => {
  const f = await webFixture(t, zk().connectString);
  const first = await get(`${f.url}/request-list.json`);
  t.is(first.headers.get('access-control-allow-origin'), '*');
  t.is(first.headers.get('cache-control'), 'public, max-age=1');
  const lastModified = Date.parse(first.headers.get('last-modified')!);
  const expires = Date.parse(first.headers.get('expires')!);
  t.true(expires - lastModified >= 1000 && expires - lastModified < 2000);
  const notModified = await get(`${f.url}/request-list.json`, { 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() });
  t.is(notModified.status, 304);
  // Once the second is over, a change shows.
  await f.zk.deleteNodeRequest(f.seeded.zuulRequest);
  await waitFor(async () => !(await (await get(`${f.url}/request-list.json`)).text()).includes(f.seeded.zuulRequest), { timeoutMs: 10_000 });
});

test('within its expiry a listing is answered from the cache, changes or not', async (t) => {
  // A minute rather than the default second, so the reuse is seen however slow the machine.
  const f = await webFixture(t, zk().connectString, { cacheExpirySeconds: 60 });
  const first = await get(`${f.url}/request-list.json`);
  t.is(first.headers.get('cache-control'), 'public, max-age=60');
  const body = await first.text();
  t.true(body.includes(f.seeded.zuulRequest));
  await f.zk.deleteNodeRequest(f.seeded.zuulRequest);
  const requests = await f.zk.requestCache();
  await waitFor(() => requests.get(f.seeded.zuulRequest) === undefined, { timeoutMs: 10_000 });
  t.is(await (await get(`${f.url}/request-list.json`)).text(), body, 'the same answer within the expiry');
  t.false((await (await get(`${f.url}/request-list`)).text()).includes(f.seeded.zuulRequest), 'another format is another entry');
});

test('/ready is 503 until the launcher is ready, then 200 OK even when JSON is asked for', async (t) => {
  const f = await webFixture(t, zk().connectString, { seed: false });
  f.ready.value = false;
  const waiting = await get(`${f.url}/ready`);
  t.is(waiting.status, 503);
  t.is(await waiting.text(), '503 Service Unavailable\n\nThe server is currently unavailable. Please try again at a later time.');
  f.ready.value = true;
  const ready = await get(`${f.url}/ready`, { accept: 'application/json' });
  t.is(ready.status, 200);
  t.is(await ready.text(), 'OK');
});

test('unknown paths are 404, trailing slashes included; a ZooKeeper failure is a 503 without a trace', async (t) => {
  const f = await webFixture(t, zk().connectString, { seed: false });
  // `/` is the dashboard (test/web/dashboard-feed.test.ts); nothing else is added around it.
  for (const path of ['/node-list/', '/nodes', '/node-list.jsonx', '/index.html', '/dashboard', '/dashboard/events/', '//']) {
    const response = await get(`${f.url}${path}`);
    t.is(response.status, 404, path);
    t.is(await response.text(), '404 Not Found\n\nThe resource could not be found.');
  }
  const json = await get(`${f.url}/nope`, { accept: 'application/json' });
  t.deepEqual(await json.json(), { message: 'The resource could not be found.', code: '404 Not Found', title: 'Not Found' });
  await f.client.close();
  const failed = await get(`${f.url}/image-list`);
  t.is(failed.status, 503);
  t.is(await failed.text(), '503 Service Unavailable\n\nThe server is currently unavailable. Please try again at a later time.');
});

test('/metrics has the statsd node and provider gauge figures in the Prometheus text format', async (t) => {
  const config = { providers: new Map([['cloud-a', { name: 'cloud-a', pools: new Map([['main', { maxServers: 4 }], ['off', { maxServers: 0 }], ['more', { maxServers: 6 }]]) }], ['k8s', { name: 'k8s', pools: new Map([['pods', { maxServers: Infinity }]]) }]]) } as unknown as NodepoolConfig;
  const f = await webFixture(t, zk().connectString, { config });
  const response = await get(`${f.url}/metrics`);
  t.is(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const lines = (await response.text()).split('\n');
  for (const line of [
    '# TYPE nodepool_nodes gauge',
    'nodepool_nodes{state="ready"} 1',
    'nodepool_nodes{state="in-use"} 1',
    'nodepool_nodes{state="hold"} 1',
    'nodepool_nodes{state="deleted"} 0',
    'nodepool_provider_nodes{provider="cloud-a",state="in-use"} 1',
    'nodepool_provider_nodes{provider="k8s",state="hold"} 1',
    'nodepool_provider_nodes{provider="k8s",state="ready"} 0',
    'nodepool_label_nodes{label="arm64",state="in-use"} 1',
    'nodepool_label_nodes{label="debian",state="in-use"} 1',
    'nodepool_label_nodes{label="pod-label",state="hold"} 1',
    'nodepool_provider_max_servers{provider="cloud-a"} 10',
    'nodepool_provider_max_servers{provider="k8s"} +Inf',
  ]) {
    t.true(lines.includes(line), line);
  }
});

test('/metrics has each provider circuit breaker of this launcher: its state (0 closed, 1 open, 2 probing) and the times it opened; none for a provider without one', async (t) => {
  let now = 1_800_000_000_000;
  const breakers = new HealthBoard({ clock: () => now });
  breakers.configure('cloud-a', { name: 'cloud-a', 'circuit-breaker': { failures: 2n, 'probe-interval': 60 } });
  breakers.configure('cloud-b', { name: 'cloud-b', 'circuit-breaker': { failures: 1n } });
  breakers.configure('k8s', { name: 'k8s' });
  const f = await webFixture(t, zk().connectString, { breakers });
  const scrape = async (): Promise<string[]> => (await (await get(`${f.url}/metrics`)).text()).split('\n');

  let lines = await scrape();
  t.true(lines.includes('# TYPE nodepool_provider_circuit_breaker gauge'));
  t.true(lines.includes('nodepool_provider_circuit_breaker{provider="cloud-a"} 0'));
  t.true(lines.includes('nodepool_provider_circuit_breaker{provider="cloud-b"} 0'));
  t.true(lines.includes('nodepool_provider_circuit_breaker_opened{provider="cloud-a"} 0'));
  t.false(lines.some((line) => line.includes('provider="k8s"') && line.includes('circuit_breaker')), 'no series without a breaker');

  // cloud-a fails twice in a row: open. Its probe is let through once due: probing.
  breakers.recordLaunch('cloud-a', { ok: false, error: 'quota exceeded' });
  breakers.recordLaunch('cloud-a', { ok: false, error: 'quota exceeded' });
  breakers.recordApiError('cloud-b', 'HTTP 500 listing servers');
  lines = await scrape();
  t.true(lines.includes('nodepool_provider_circuit_breaker{provider="cloud-a"} 1'));
  t.true(lines.includes('nodepool_provider_circuit_breaker_opened{provider="cloud-a"} 1'));
  t.true(lines.includes('nodepool_provider_circuit_breaker{provider="cloud-b"} 1'));
  now += 60_000;
  t.true(breakers.breaker('cloud-a')!.takeProbe());
  lines = await scrape();
  t.true(lines.includes('nodepool_provider_circuit_breaker{provider="cloud-a"} 2'));

  // The probe succeeds: closed, and the count of openings stays.
  breakers.recordLaunch('cloud-a', { ok: true });
  breakers.remove('cloud-b');
  lines = await scrape();
  t.true(lines.includes('nodepool_provider_circuit_breaker{provider="cloud-a"} 0'));
  t.true(lines.includes('nodepool_provider_circuit_breaker_opened{provider="cloud-a"} 1'));
  t.false(lines.some((line) => line.includes('provider="cloud-b"')), 'a provider that lost its breaker has no series');
});
