import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import { UUID_BUILD } from '../../../core/test/helpers/original-records.js';
import { cliFixture } from './fixture.js';

const zk = useZooKeeper(test);

test('list prints the nine columns of the original, with a node Zuul holds locked as locked', async (t) => {
  const f = await cliFixture(t, zk());
  await f.peer.acquire(`/nodepool/nodes/${f.seeded.zuulNode}/lock`);
  const { readyNode, zuulNode, podNode, emptyNode } = f.seeded;
  const result = await f.run('list');
  t.is(result.code, 0, result.err.join('\n'));
  t.deepEqual(result.out, [
    '+------------+----------+--------------+-----------+--------------+-------------+--------+-------------+----------+',
    '| ID         | Provider | Label        | Server ID | Public IPv4  | IPv6        | State  | Age         | Locked   |',
    '+------------+----------+--------------+-----------+--------------+-------------+--------+-------------+----------+',
    `| ${readyNode} | cloud-a  | debian       | i-0a1b    | 203.0.113.10 | None        | ready  | 01:02:03:04 | unlocked |`,
    `| ${zuulNode} | cloud-a  | debian,arm64 | i-0c2d    | None         | 2001:db8::2 | in-use | 01:02:03:04 | locked   |`,
    `| ${podNode} | k8s      | pod-label    | ns/pod-1  | None         | None        | hold   | 01:02:03:04 | unlocked |`,
    '+------------+----------+--------------+-----------+--------------+-------------+--------+-------------+----------+',
  ]);
  // Listing locks does not leave lock directories behind (kazoo's listing would).
  t.is(await f.client.exists(`/nodepool/nodes/${readyNode}/lock`), null);
  t.is(await f.client.exists(`/nodepool/nodes/${emptyNode}/lock`), null);
});

test('list --detail has all 21 columns; --json has every key whatever the columns', async (t) => {
  const f = await cliFixture(t, zk());
  const detail = await f.run('list', '--detail');
  t.is(
    detail.out[1],
    '| ID         | Provider | Label        | Server ID | Public IPv4  | IPv6        | State  | Age         | Locked   | Pool | Hostname | Private IPv4 | AZ     | Username | Port                                                  | Launcher                                      | Allocated To   | Hold Job                           | Comment   | User Data                                                       | Driver Data           |',
  );
  t.is(
    detail.out[5],
    `| ${f.seeded.podNode} | k8s      | pod-label    | ns/pod-1  | None         | None        | hold   | 01:02:03:04 | unlocked | pods | None     | None         | None   | None     | {'name': 'pod-1', 'namespace': 'ns', 'skiptls': True} | nl01.example.org-PoolWorker.cloud-a-main-6f1c | None           | acme example.org/acme/app build .* | it's held | None                                                            | {'nested': [1, None]} |`,
  );
  const json = await f.run('list', '--json');
  t.is(json.out.length, 1);
  const rows = JSON.parse(json.out[0]!) as Record<string, unknown>[];
  t.is(rows.length, 3);
  t.deepEqual(rows[1], {
    id: f.seeded.zuulNode,
    provider: 'cloud-a',
    label: ['debian', 'arm64'],
    server_id: 'i-0c2d',
    public_ipv4: null,
    ipv6: '2001:db8::2',
    state: 'in-use',
    age: '01:02:03:04',
    locked: 'unlocked',
    pool: 'main',
    hostname: null,
    private_ipv4: null,
    AZ: null,
    username: 'zuul',
    connection_port: 22,
    launcher: 'nl01.example.org-PoolWorker.cloud-a-main-6f1c',
    allocated_to: '200-0000000000',
    hold_job: null,
    comment: null,
    user_data: { zuul_system: '9c1d', project_name: 'example.org/acme/app' },
    driver_data: null,
  });
});

test('request-list, image-list and dib-image-list print the original tables', async (t) => {
  const f = await cliFixture(t, zk());
  t.deepEqual((await f.run('request-list')).out, [
    '+----------------+----------+-----------+--------------------+--------------+-------+-------------------------------------------+----------+',
    '| Request ID     | Priority | State     | Requestor          | Node Types   | Nodes | Declined By                               | Event ID |',
    '+----------------+----------+-----------+--------------------+--------------+-------+-------------------------------------------+----------+',
    `| ${f.seeded.launcherRequest} | 2        | pending   | NodePool:min-ready | debian       |       | nl02.example.org-PoolWorker.k8s-pods-1234 | None     |`,
    `| ${f.seeded.zuulRequest} | 0        | requested | 9c1d               | debian,arm64 |       |                                           | e5a      |`,
    '+----------------+----------+-----------+--------------------+--------------+-------+-------------------------------------------+----------+',
  ]);
  t.deepEqual((await f.run('image-list')).out, [
    '+----------------------------------+------------+----------+--------+---------------------+-------------------+-----------+-------------+',
    '| Build ID                         | Upload ID  | Provider | Image  | Provider Image Name | Provider Image ID | State     | Age         |',
    '+----------------------------------+------------+----------+--------+---------------------+-------------------+-----------+-------------+',
    '| 0000000001                       | 0000000000 | k8s      | debian | None                | None              | failed    | 01:02:03:04 |',
    `| ${UUID_BUILD} | 0000000001 | cloud-a  | debian | debian-1700000000   | img-1             | ready     | 01:02:03:04 |`,
    `| ${UUID_BUILD} | 0000000002 | cloud-a  | debian | None                | None              | uploading | 01:02:03:04 |`,
    '+----------------------------------+------------+----------+--------+---------------------+-------------------+-----------+-------------+',
  ]);
  t.deepEqual((await f.run('dib-image-list')).out, [
    '+-----------------------------------------+--------+------------------+-----------+--------+-------------+',
    '| ID                                      | Image  | Builder          | Formats   | State  | Age         |',
    '+-----------------------------------------+--------+------------------+-----------+--------+-------------+',
    '| debian-0000000001                       | debian | None             | qcow2     | ready  | 01:02:03:04 |',
    `| debian-${UUID_BUILD} | debian | nb01.example.org | qcow2,raw | ready  | 01:02:03:04 |`,
    '| ubuntu-5e0f                             | ubuntu | nb02.example.org |           | paused | 01:02:03:04 |',
    '+-----------------------------------------+--------+------------------+-----------+--------+-------------+',
  ]);
  t.deepEqual(JSON.parse((await f.run('dib-image-list', '--json')).out[0]!)[2], { id: 'ubuntu-5e0f', image: 'ubuntu', builder: 'nb02.example.org', formats: [], state: 'paused', age: 1700000000 });
});

test('image-status shows pause flags and a pending manual build request with its age', async (t) => {
  const f = await cliFixture(t, zk());
  const { code, out } = await f.run('image-status');
  t.is(code, 0);
  t.is(out[1], '| Image  | Paused | Build Request | Build Request Age |');
  t.is(out[3], '| debian | False  | None          | None              |');
  // The request flag was made just now, by the clock of ZooKeeper; the CLI renders at RENDERED_AT.
  t.regex(out[4]!, /^\| ubuntu \| True {3}\| pending {7}\| -?\d+:\d\d:\d\d:\d\d +\|$/);
  const rows = JSON.parse((await f.run('image-status', '--json')).out[0]!) as Record<string, unknown>[];
  t.like(rows[1], { image: 'ubuntu', paused: true, build_request: 'pending' });
  t.is(typeof rows[1]!.build_request_age, 'number');
});

test('an empty installation lists empty frames', async (t) => {
  const f = await cliFixture(t, zk(), { seed: false });
  t.deepEqual((await f.run('request-list')).out, [
    '+------------+----------+-------+-----------+------------+-------+-------------+----------+',
    '| Request ID | Priority | State | Requestor | Node Types | Nodes | Declined By | Event ID |',
    '+------------+----------+-------+-----------+------------+-------+-------------+----------+',
    '+------------+----------+-------+-----------+------------+-------+-------------+----------+',
  ]);
  t.deepEqual((await f.run('image-list', '--json')).out, ['[]']);
});
