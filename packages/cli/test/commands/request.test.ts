import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { findFreePort, ScriptedLauncher, useZooKeeper, waitFor, type ScriptedLauncherOptions } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import { files, nodepool } from '../helpers.js';

const zk = useZooKeeper(test);

/** A chroot of its own, a nodepool.yaml pointing at it, and a client looking at it. */
async function setUp(t: ExecutionContext, launcherOptions?: ScriptedLauncherOptions) {
  const chroot = `/test-${randomUUID()}`;
  const { 'nodepool.yaml': config } = await files(t, {
    'nodepool.yaml': `
zookeeper-servers:
  - host: 127.0.0.1
    port: ${zk().port}
    chroot: ${chroot}
zookeeper-timeout: 5
labels:
  - name: small
  - name: large
`,
  });
  const observer = await connect(t, chroot);
  let launcher: ScriptedLauncher | undefined;
  if (launcherOptions) {
    launcher = await ScriptedLauncher.start(await connect(t, chroot), launcherOptions);
    t.teardown(() => launcher!.stop());
  }
  return { config: config!, observer, launcher };
}

async function connect(t: ExecutionContext, chroot: string): Promise<ZooKeeperClient> {
  const client = new ZooKeeperClient({ servers: zk().connectString, chroot, sessionTimeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.connect();
  await client.mkdirp('/');
  return client;
}

async function json(client: ZooKeeperClient, path: string): Promise<Record<string, unknown>> {
  return JSON.parse((await client.getData(path)).data.toString('utf8')) as Record<string, unknown>;
}

async function nodeIds(client: ZooKeeperClient): Promise<string[]> {
  return (await client.getChildren('/nodepool/nodes')).children.sort();
}

/** The ID of the only node, once it is in use. */
async function theNodeInUse(client: ZooKeeperClient): Promise<string | undefined> {
  const ids = await nodeIds(client).catch(() => []);
  if (ids.length !== 1) return undefined;
  return (await json(client, `/nodepool/nodes/${ids[0]}`)).state === 'in-use' ? ids[0] : undefined;
}

test('without --wait it submits the request as Zuul would, prints its ID and leaves it there', async (t) => {
  const { config, observer } = await setUp(t);
  const result = await nodepool('request', 'small', 'large', '--priority', '100', '--tenant', 'acme', '-c', config);
  t.is(result.code, 0);
  t.is(result.out.length, 1);
  t.regex(result.out[0]!, /^100-\d{10}$/);
  const request = await json(observer, `/nodepool/requests/${result.out[0]}`);
  t.like(request, { state: 'requested', node_types: ['small', 'large'], tenant_name: 'acme', provider: null });
  t.like(request.requestor_data as object, { job_name: 'nodepool request', tenant_name: 'acme' });
  t.regex(request.requestor as string, /^[0-9a-f]{32}$/);
});

test('with --wait it takes the nodes, lists them and returns them as used', async (t) => {
  const { config, observer, launcher } = await setUp(t, {});
  const result = await nodepool('-c', config, 'request', '--wait', 'small', 'large', '--project', 'example.org/acme/app');
  t.is(result.code, 0, result.err.join('\n'));
  const [small, large] = await nodeIds(observer);
  t.deepEqual(result.out, [
    'NODE        LABEL  INTERFACE IP  PORT  USERNAME  CONNECTION',
    `${small}  small  192.0.2.1     22    zuul      ssh`,
    `${large}  large  192.0.2.2     22    zuul      ssh`,
  ]);
  for (const id of [small!, large!]) {
    const node = await json(observer, `/nodepool/nodes/${id}`);
    t.like(node, { state: 'used', id });
    t.like(node.user_data as object, { project_name: 'example.org/acme/app' });
    t.deepEqual((await observer.getChildren(`/nodepool/nodes/${id}/lock`)).children, []);
  }
  t.deepEqual((await observer.getChildren('/nodepool/requests')).children, [], 'the request is deleted');
  t.regex(result.err.at(-1)!, /^Returned \d{10}, \d{10} as used$/);
  t.deepEqual(launcher!.errors, []);
});

test('a failed request is reported with who declined it, deleted, and exits 1', async (t) => {
  const { config, observer, launcher } = await setUp(t, { decide: () => 'decline' });
  const result = await nodepool('request', '--wait', 'small', '-c', config);
  t.is(result.code, 1);
  t.deepEqual(result.out, []);
  t.regex(result.err.at(-1)!, new RegExp(`^Request 200-\\d{10} failed \\(declined by ${launcher!.poolId}\\)$`));
  t.deepEqual((await observer.getChildren('/nodepool/requests')).children, []);
});

test('--hold keeps the nodes in use and locked until the time is up, then returns them', async (t) => {
  const { config, observer } = await setUp(t, {});
  const running = nodepool('request', 'small', '--hold', '1', '-c', config);
  const id = await waitFor(() => theNodeInUse(observer), { message: 'the node was never in use' });
  t.is((await observer.getChildren(`/nodepool/nodes/${id}/lock`)).children.length, 1, 'locked while held');
  const result = await running;
  t.is(result.code, 0, result.err.join('\n'));
  t.true(result.err.some((line) => /^Holding the nodes in use until \d{4}-\d\d-\d\dT[\d:.]+Z \(Ctrl-C releases them early\)$/.test(line)));
  t.is((await json(observer, `/nodepool/nodes/${id}`)).state, 'used');
  t.deepEqual((await observer.getChildren(`/nodepool/nodes/${id}/lock`)).children, []);
});

// Serial: the signal reaches every command running in this process.
test.serial('Ctrl-C during --hold releases the nodes early', async (t) => {
  const { config, observer } = await setUp(t, {});
  const running = nodepool('request', 'small', '--hold', '600', '-c', config);
  const id = await waitFor(() => theNodeInUse(observer), { message: 'the node was never in use' });
  process.emit('SIGINT', 'SIGINT');
  const result = await running;
  t.is(result.code, 0);
  t.true(result.err.includes('Interrupted; releasing the nodes early'));
  t.is((await json(observer, `/nodepool/nodes/${id}`)).state, 'used');
});

test('--timeout gives up on a request nobody answers and deletes it', async (t) => {
  const { config, observer, launcher } = await setUp(t, { decide: () => 'ignore' });
  const result = await nodepool('request', 'small', '--wait', '--timeout', '0.5', '-c', config);
  t.is(result.code, 1);
  t.regex(result.err.at(-1)!, /^nodepool: Request 200-\d{10} was neither fulfilled nor failed within 0\.5 s; deleted it$/);
  t.is(launcher!.outcomes.length, 1);
  t.deepEqual((await observer.getChildren('/nodepool/requests')).children, []);
});

test('an unreachable ZooKeeper is one line naming the servers tried', async (t) => {
  const port = await findFreePort();
  const { 'nodepool.yaml': config } = await files(t, { 'nodepool.yaml': `zookeeper-servers:\n  - host: 127.0.0.1\n    port: ${port}\nzookeeper-timeout: 1\n` });
  const result = await nodepool('request', 'small', '--timeout', '1', '-c', config!);
  t.is(result.code, 1);
  t.is(result.err.length, 1);
  t.regex(result.err[0]!, new RegExp(`^nodepool: could not connect to ZooKeeper within \\d+ ms \\(tried 127\\.0\\.0\\.1:${port}\\)`));
});

test('a configuration problem is one line', async (t) => {
  const { 'nodepool.yaml': config } = await files(t, { 'nodepool.yaml': 'zookeeper-servers:\n  - port: 2181\n' });
  const result = await nodepool('request', 'small', '-c', config!);
  t.is(result.code, 1);
  t.is(result.err.length, 1);
  t.regex(result.err[0]!, /^nodepool: .*nodepool\.yaml:2 zookeeper-servers\[0\]/);
});

test('bad option values are refused before anything is requested', async (t) => {
  t.is((await nodepool('request', 'small', '--hold', 'soon')).code, 1);
  t.is((await nodepool('request', 'small', '--priority', '1000')).code, 1);
  t.is((await nodepool('request')).code, 1, 'at least one label');
});
