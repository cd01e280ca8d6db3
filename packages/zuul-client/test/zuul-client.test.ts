import test from 'ava';
import { ZooKeeperClient, type WatchEvent } from '@nodepool/zookeeper';
import { KazooPeer, ScriptedLauncher, TcpProxy, useZooKeeper, waitFor, type ScriptedLauncherOptions } from '@nodepool/testkit';
import {
  AcceptNodesError,
  NodeRequestGoneError,
  NodeRequestTimeoutError,
  ZuulClient,
  nodeLockPath,
  nodePath,
  requestLockPath,
  requestPath,
} from '../src/index.js';
import { connectParties, readJson } from '../../testkit/test/helpers/zookeeper-clients.js';

const zk = useZooKeeper(test);

/** Zuul, a scripted launcher and an observer, each with its own session on one fresh chroot. */
async function setUp(t: import('ava').ExecutionContext, options: ScriptedLauncherOptions = {}) {
  const parties = await connectParties(t, zk().connectString, ['zuul', 'launcher', 'observer'] as const);
  const launcher = await ScriptedLauncher.start(parties.launcher, options);
  t.teardown(() => launcher.stop());
  const zuul = new ZuulClient(parties.zuul, { tenant: 'acme' });
  return { ...parties, launcher, zuul };
}

const SECONDS = (value: unknown): boolean => typeof value === 'number' && value > 1e9 && value < 1e11;

test('a request is created persistent and sequential with exactly the ten keys of Zuul’s creation document', async (t) => {
  const parties = await connectParties(t, zk().connectString, ['zuul'] as const);
  const zuul = new ZuulClient(parties.zuul, { tenant: 'acme' });
  const request = await zuul.requestNodes(['debian-bookworm', 'ubuntu-noble'], { jobName: 'integration', eventId: 'e5a' });

  t.regex(request.id, /^200-\d{10}$/);
  const { data, stat } = await parties.zuul.getData(requestPath(request.id));
  t.is(stat.ephemeralOwner, 0n, 'Zuul’s requests survive its restarts');
  const document = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
  t.deepEqual(Object.keys(document), [
    'requestor_data', 'node_types', 'requestor', 'created_time', 'provider',
    'state', 'state_time', 'relative_priority', 'event_id', 'tenant_name',
  ]);
  const requestorData = document.requestor_data as Record<string, unknown>;
  t.deepEqual(Object.keys(requestorData), ['build_set_uuid', 'tenant_name', 'pipeline_name', 'job_uuid', 'job_name', 'span_info']);
  t.regex(requestorData.build_set_uuid as string, /^[0-9a-f]{32}$/);
  t.regex(requestorData.job_uuid as string, /^[0-9a-f]{32}$/);
  t.like(requestorData, { tenant_name: 'acme', pipeline_name: 'check', job_name: 'integration', span_info: null });
  t.like(document, {
    node_types: ['debian-bookworm', 'ubuntu-noble'],
    requestor: zuul.systemId,
    provider: null,
    state: 'requested',
    relative_priority: 0,
    event_id: 'e5a',
    tenant_name: 'acme',
  });
  t.regex(zuul.systemId, /^[0-9a-f]{32}$/);
  t.true(SECONDS(document.created_time) && SECONDS(document.state_time), 'timestamps are float seconds, not milliseconds');
  t.false(Number.isInteger(document.created_time));
  t.deepEqual(document, request.document as unknown as Record<string, unknown>);
});

test('priorities are zero-padded to three digits as Zuul formats them, and anything longer is refused', async (t) => {
  const parties = await connectParties(t, zk().connectString, ['zuul'] as const);
  const zuul = new ZuulClient(parties.zuul);
  t.regex((await zuul.requestNodes(['small'], { priority: 99 })).id, /^099-\d{10}$/);
  t.regex((await zuul.requestNodes(['small'], { priority: '300', relativePriority: 4, provider: 'cloud-a' })).id, /^300-\d{10}$/);
  await t.throwsAsync(zuul.requestNodes(['small'], { priority: 1000 }), { instanceOf: RangeError });
  await t.throwsAsync(zuul.requestNodes([]), { instanceOf: RangeError });
});

test('the executor locks every node before it deletes the fulfilled request', async (t) => {
  const { zuul, launcher, observer } = await setUp(t);
  const events: WatchEvent[] = [];
  await observer.mkdirp('/nodepool');
  await observer.addWatch('/nodepool', (event) => events.push(event), { recursive: true });

  const request = await zuul.requestNodes(['debian-bookworm', 'ubuntu-noble']);
  const record = await zuul.waitForRequest(request, { timeoutMs: 10_000 });
  t.is(record.state, 'fulfilled');
  const nodeSet = await zuul.acceptNodes(request);

  t.deepEqual(nodeSet.nodeIds, record.nodes);
  t.deepEqual(nodeSet.nodes.map((node) => node.label), ['debian-bookworm', 'ubuntu-noble']);
  t.true(nodeSet.locked);
  t.is(await observer.exists(requestPath(request.id)), null, 'the request is deleted');
  await observer.sync();
  const deletedAt = events.findIndex((event) => event.type === 'deleted' && event.path === requestPath(request.id));
  t.not(deletedAt, -1);
  for (const node of nodeSet.nodes) {
    const contender = `${nodeLockPath(node.id)}/${node.lock.contenderName}`;
    t.regex(node.lock.contenderName!, /^[0-9a-f]{32}__lock__\d{10}$/);
    const lockedAt = events.findIndex((event) => event.type === 'created' && event.path === contender);
    t.true(lockedAt !== -1 && lockedAt < deletedAt, `node ${node.id} is locked before the request goes`);
    t.is((await observer.getData(contender)).data.length, 0, 'no identifier, as Zuul');
  }
  await zuul.returnNodes(nodeSet);
  t.deepEqual(launcher.errors, []);
});

test('in-use writes keep every key read, unknown ones too, and add id and user_data', async (t) => {
  const { zuul, launcher, observer } = await setUp(t, {
    nodeFields: () => ({ future_key: { nested: [1, 2] }, node_properties: { spot: false } }),
  });
  const request = await zuul.requestNodes(['small']);
  await zuul.waitForRequest(request, { timeoutMs: 10_000 });
  const nodeSet = await zuul.acceptNodes(request);
  const node = nodeSet.nodes[0]!;
  const before = await readJson(observer, nodePath(node.id));

  await zuul.useNodes(nodeSet, { projectName: 'example.org/acme/app' });
  const inUse = await readJson(observer, nodePath(node.id));
  t.deepEqual(Object.keys(inUse).slice(0, 7), ['id', 'state', 'hold_job', 'comment', 'user_data', 'tenant_name', 'requestor']);
  t.deepEqual(Object.keys(inUse).sort(), [...Object.keys(before), 'id'].sort());
  t.is(inUse.id, node.id);
  t.is(inUse.state, 'in-use');
  t.deepEqual(inUse.user_data, { zuul_system: zuul.systemId, project_name: 'example.org/acme/app' });
  t.deepEqual(inUse.future_key, { nested: [1, 2] });
  t.true((inUse.state_time as number) > (before.state_time as number));
  for (const key of Object.keys(before)) {
    if (!['state', 'state_time', 'user_data'].includes(key)) t.deepEqual(inUse[key], before[key], key);
  }

  const returned = await zuul.returnNodes(nodeSet);
  t.deepEqual(returned, { used: [node.id], errors: [] });
  const used = await readJson(observer, nodePath(node.id));
  t.is(used.state, 'used');
  t.deepEqual(used.user_data, inUse.user_data);
  t.deepEqual(used.future_key, { nested: [1, 2] });
  t.deepEqual((await observer.getChildren(nodeLockPath(node.id))).children, [], 'the locks are released');
  t.false(nodeSet.locked);
  t.deepEqual(launcher.errors, []);
});

test('a node allocated to another request makes acceptNodes fail, release what it locked and still delete the request', async (t) => {
  const { zuul, observer } = await setUp(t);
  const request = await zuul.requestNodes(['small', 'large']);
  const record = await zuul.waitForRequest(request, { timeoutMs: 10_000 });
  const [first, second] = record.nodes!;
  const stolen = await readJson(observer, nodePath(second!));
  await observer.setData(nodePath(second!), JSON.stringify({ ...stolen, allocated_to: '200-0000009999' }));
  const secondLocks = (await observer.getChildren(nodeLockPath(second!))).stat.cversion;

  const error = await t.throwsAsync(zuul.acceptNodes(request), { instanceOf: AcceptNodesError });
  t.regex(error.message, new RegExp(`node ${second} is allocated to 200-0000009999, not ${request.id}`));
  t.is(await observer.exists(requestPath(request.id)), null);
  t.deepEqual((await observer.getChildren(nodeLockPath(first!))).children, [], `node ${first} was locked, then released`);
  t.is((await observer.getChildren(nodeLockPath(second!))).stat.cversion, secondLocks, 'the stolen node was never locked');
});

test('a failed request reports who declined it, and waitForRequest plus cancel delete it as Zuul does', async (t) => {
  const { zuul, launcher, observer } = await setUp(t, { decide: () => 'decline' });
  const request = await zuul.requestNodes(['gpu']);
  const record = await zuul.waitForRequest(request, { timeoutMs: 10_000 });
  t.is(record.state, 'failed');
  t.deepEqual(record.declined_by, [launcher.poolId]);
  t.true(await zuul.cancel(request));
  t.is(await observer.exists(requestPath(request.id)), null);
  t.false(await zuul.cancel(request), 'a second cancel finds nothing');
  await t.throwsAsync(zuul.acceptNodes(request), { instanceOf: AcceptNodesError, message: /does not exist/ });
});

test('cancel deletes a waiting request without taking its lock', async (t) => {
  const { zuul, launcher, observer } = await setUp(t, { decide: () => 'ignore' });
  const request = await zuul.requestNodes(['small']);
  await launcher.outcome(request.id);
  t.true(await zuul.cancel(request.id));
  t.is(await observer.exists(requestPath(request.id)), null);
  t.is(await observer.exists(requestLockPath(request.id)), null, 'no lock directory: Zuul cancels without locking');
});

test('waitForRequest gives up after its timeout, and when the request is deleted under it', async (t) => {
  const { zuul, launcher } = await setUp(t, { decide: () => 'ignore' });
  const request = await zuul.requestNodes(['small']);
  await launcher.outcome(request.id);
  const timeout = await t.throwsAsync(zuul.waitForRequest(request, { timeoutMs: 200 }), { instanceOf: NodeRequestTimeoutError });
  t.is(timeout.lastState, 'requested');

  const waiting = zuul.waitForRequest(request, { timeoutMs: 10_000 });
  await zuul.cancel(request);
  await t.throwsAsync(waiting, { instanceOf: NodeRequestGoneError });

  const controller = new AbortController();
  const other = await zuul.requestNodes(['small']);
  const aborted = zuul.waitForRequest(other, { signal: controller.signal });
  controller.abort(new Error('enough'));
  await t.throwsAsync(aborted, { message: 'enough' });
});

test('waitForRequest rides out a lost connection: a read that failed is made again once connected', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const parties = await connectParties(t, zk().connectString, ['launcher'] as const);
  let fulfil!: () => void;
  const fulfilled = new Promise<'fulfill'>((resolve) => (fulfil = () => resolve('fulfill')));
  const launcher = await ScriptedLauncher.start(parties.launcher, { decide: () => fulfilled });
  t.teardown(async () => {
    fulfil();
    await launcher.stop();
  });
  // Zuul's connection goes through the proxy; its reads give up quickly while it is cut.
  const client = new ZooKeeperClient({ servers: proxy.address, chroot: parties.chroot, sessionTimeoutMs: 30_000, operationTimeoutMs: 100 });
  t.teardown(() => client.close());
  await client.connect();
  const zuul = new ZuulClient(client);
  const request = await zuul.requestNodes(['small']);
  let failedReads = 0;
  const getData = client.getData.bind(client);
  client.getData = (async (...args: Parameters<typeof getData>) => {
    try {
      return await getData(...args);
    } catch (error) {
      failedReads++;
      throw error;
    }
  }) as typeof client.getData;

  proxy.block();
  const waiting = zuul.waitForRequest(request, { timeoutMs: 60_000 });
  await waitFor(() => failedReads > 0, { message: 'the read never failed while cut off' });
  fulfil();
  t.is((await launcher.outcome(request.id)).result, 'fulfilled');
  proxy.unblock();
  t.is((await waiting).state, 'fulfilled');
});

test('a submission whose reply is lost is found again once connected, not made twice', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const parties = await connectParties(t, zk().connectString, ['observer'] as const);
  const client = new ZooKeeperClient({ servers: proxy.address, chroot: parties.chroot, sessionTimeoutMs: 30_000 });
  t.teardown(() => client.close());
  await client.connect();
  const zuul = new ZuulClient(client);
  // The creation reaches ZooKeeper; its reply does not, and the connection is cut.
  proxy.dropReplyTo((chunk) => chunk.includes(Buffer.from('/nodepool/requests/200-')) && chunk.includes(Buffer.from('"node_types":["small"]')));

  const request = await zuul.requestNodes(['small']);
  const created = (await parties.observer.getChildren('/nodepool/requests')).children;
  t.deepEqual(created, [request.id]);
  t.is(JSON.parse((await parties.observer.getData(requestPath(request.id))).data.toString('utf8')).state, 'requested');
});

test('held nodes get hold_job, comment and hold_expiration, are unlocked and do not become used', async (t) => {
  const { zuul, observer } = await setUp(t);
  const held = await zuul.runJob(['small'], {
    projectName: 'example.org/acme/app',
    hold: { holdJob: 'acme example.org/acme/app integration .*', comment: 'debugging a flaky test', expirationSeconds: 3600 },
  });
  t.is(held.result, 'SUCCESS');
  const node = await readJson(observer, nodePath(held.nodeIds[0]!));
  t.like(node, { state: 'hold', hold_job: 'acme example.org/acme/app integration .*', comment: 'debugging a flaky test', hold_expiration: 3600 });
  t.deepEqual(node.user_data, { zuul_system: zuul.systemId, project_name: 'example.org/acme/app' });
  t.deepEqual((await observer.getChildren(nodeLockPath(held.nodeIds[0]!))).children, []);

  const noExpiry = await zuul.runJob(['small'], { hold: { holdJob: 'acme p j .*', comment: 'no expiry', expirationSeconds: 0 } });
  t.like(await readJson(observer, nodePath(noExpiry.nodeIds[0]!)), { state: 'hold', hold_expiration: null });
});

test('a kazoo process cannot lock a node while the ZuulClient holds it', async (t) => {
  const { zuul, chroot } = await setUp(t);
  const peer = await KazooPeer.start(`${zk().connectString}${chroot}`);
  t.teardown(() => peer.stop());
  const request = await zuul.requestNodes(['small']);
  await zuul.waitForRequest(request, { timeoutMs: 10_000 });
  const nodeSet = await zuul.acceptNodes(request);
  const lockPath = nodeLockPath(nodeSet.nodeIds[0]!);

  t.false((await peer.acquire(lockPath, { blocking: false })).acquired);
  await zuul.returnNodes(nodeSet);
  t.true((await peer.acquire(lockPath, { blocking: false })).acquired, 'free once returned');
  await peer.release(lockPath);
});

test('runJob goes from request to used nodes and reports the request latency', async (t) => {
  const { zuul, observer } = await setUp(t);
  const result = await zuul.runJob(['small', 'small'], { durationMs: 20, projectName: 'example.org/acme/app' });
  t.is(result.result, 'SUCCESS');
  t.is(result.nodeIds.length, 2);
  t.is(await observer.exists(requestPath(result.requestId)), null);
  for (const id of result.nodeIds) t.is((await readJson(observer, nodePath(id))).state, 'used');
  const { submittedAt, completedAt, latencyMs, startedAt, finishedAt } = result.timings;
  t.is(latencyMs, completedAt - submittedAt);
  t.true(latencyMs >= 0 && startedAt! >= completedAt && finishedAt! - startedAt! >= 20);
});

test('runJob reports NODE_FAILURE for a declined request and deletes it', async (t) => {
  const { zuul, launcher, observer } = await setUp(t, { decide: () => 'decline' });
  const result = await zuul.runJob(['gpu']);
  t.is(result.result, 'NODE_FAILURE');
  t.deepEqual(result.declinedBy, [launcher.poolId]);
  t.regex(result.error!.message, /failed \(declined by scripted-launcher-PoolWorker/);
  t.is(await observer.exists(requestPath(result.requestId)), null);
});
