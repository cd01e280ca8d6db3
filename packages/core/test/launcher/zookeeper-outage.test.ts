/**
 * A running launcher through ZooKeeper outages (issue 13, part 1): a restart whose writes outlast
 * the client's operation timeout, replies lost at exact points, and a session that expires. Every
 * request ends fulfilled with its nodes free for Zuul's lock, and no lock is left behind.
 */
import test from 'ava';
import { KazooPeer, startZooKeeper, TcpProxy, useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { launcherCluster, type ZooKeeperEndpoint } from '@nodepool/core/testing';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import { captureLogEntries, captureLogLines, gatedDriver } from './helpers/gated-driver.js';
import { leftoverLocks } from './helpers/leftover-locks.js';

const zk = useZooKeeper(test);
const lines = captureLogLines();
const entries = captureLogEntries();

const config = `
labels:
  - name: small
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 20
        labels:
          - name: small
`;

const DELETE = 2;
const SET_DATA = 5;
const MULTI = 14;
const opCodeOf = (chunk: Buffer): number => (chunk.length >= 12 ? chunk.readInt32BE(8) : -1);

/** Whether one of the requests in a chunk (several may travel together) is `opCode` and holds `text`. */
function carries(chunk: Buffer, opCode: number, text: string): boolean {
  for (let offset = 0; offset + 12 <= chunk.length; ) {
    const length = chunk.readInt32BE(offset);
    const packet = chunk.subarray(offset, offset + 4 + length);
    if (packet.readInt32BE(8) === opCode && packet.includes(Buffer.from(text))) return true;
    offset += 4 + length;
  }
  return false;
}

/** The same server, reached through a proxy the test can cut. */
function through(proxy: TcpProxy): ZooKeeperEndpoint {
  return { host: '127.0.0.1', port: proxy.port, connectString: proxy.address };
}

/** A client of the server itself (not through the test's proxy) on the cluster's chroot. */
async function direct(t: import('ava').ExecutionContext, chroot: string): Promise<ZooKeeperClient> {
  const client = new ZooKeeperClient({ servers: zk().connectString, chroot, sessionTimeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.connect();
  return client;
}

test('nodes that become ready while ZooKeeper is down are handed over unlocked once it is back, however long the writes waited', async (t) => {
  // A server of its own to stop and start; sessions survive its restart. The launcher's 10 s
  // session (the cluster's zookeeper-timeout) is also its client's operation timeout, which the
  // outage outlasts; it leaves a starved machine's slow server restart time to spare.
  const server = await startZooKeeper();
  t.teardown(() => server.destroy());
  const gate = gatedDriver();
  const c = await launcherCluster(t, server, [gate.driver]);
  const launcher = await c.launcher(config);
  const client = launcher.zooKeeper.client;
  const zuul = new ZuulClient(await c.client());
  const requests = await Promise.all([['small'], ['small'], ['small'], ['small', 'small']].map((labels) => zuul.requestNodes(labels)));
  await waitFor(() => gate.launches.length === 5, { timeoutMs: 30_000 });
  const session = client.sessionId;

  // The fulfilments of the one-node requests are queued, then given up by the client once its
  // operation timeout passes; the launcher must wait the outage out, not drop them.
  const singles = requests.slice(0, 3).map((request) => `/nodepool/requests/${request.id}`);
  const givenUp = new Set<string>();
  client.on('dataWritten', ({ path, stat }) => {
    if (stat === undefined) givenUp.add(path);
  });
  await server.stop();
  // Later launches too: should the session expire after all, the requests are launched again.
  gate.open();
  await waitFor(() => singles.every((path) => givenUp.has(path)), { timeoutMs: 90_000, message: 'the queued fulfilments never timed out' });
  await server.start();

  try {
    for (const request of requests) t.is((await zuul.waitForRequest(request, { timeoutMs: 60_000 })).state, 'fulfilled');
  } catch (error) {
    // What the launcher did is what tells why: shown with the failure.
    t.log(entries.map((entry) => JSON.stringify(entry)).join('\n'));
    throw error;
  }
  const survived = client.sessionId === session;
  const observer = await c.client();
  t.deepEqual(await leftoverLocks(observer), []);
  // Zuul's own lock recipe (kazoo) takes every node at once.
  const kazoo = await KazooPeer.start(`${server.connectString}${c.chroot}`);
  t.teardown(() => kazoo.stop());
  for (const request of requests) {
    for (const nodeId of (await zuul.readRequest(request))!.nodes!) {
      t.true((await kazoo.acquire(`/nodepool/nodes/${nodeId}/lock`, { blocking: false })).acquired, `node ${nodeId} is locked by someone`);
    }
  }
  if (survived) t.true(lines.some((line) => line.startsWith('INFO recovered from a connection loss')), 'the launcher says what it recovered');
  // The server's restart outlasted the session (a starved machine): the launcher started over
  // with its requests, which the checks above cover all the same.
  else t.log('the launcher session expired during the restart; its requests were taken over afresh');
  t.false(lines.some((line) => line.includes('pool worker task failed')));
});

test('replies lost at a launch write and at the fulfilment neither fail the request nor leave locks held', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const gate = gatedDriver();
  const c = await launcherCluster(t, through(proxy), [gate.driver]);
  const launcher = await c.launcher(config);
  const zuul = new ZuulClient(await direct(t, c.chroot));
  // The launch's first write (the cloud ID) reaches ZooKeeper; its reply does not.
  proxy.dropReplyTo((chunk) => opCodeOf(chunk) === SET_DATA && chunk.includes(Buffer.from('"external_id":"gate-')));
  const request = await zuul.requestNodes(['small']);
  await waitFor(() => gate.launches.length === 1, { timeoutMs: 30_000 });
  proxy.dropReplyTo((chunk) => opCodeOf(chunk) === MULTI && chunk.includes(Buffer.from(`/nodepool/requests/${request.id}`)));
  gate.releaseAll();
  const record = await zuul.waitForRequest(request, { timeoutMs: 30_000 });
  t.is(record.state, 'fulfilled');
  const [nodeId] = record.nodes!;
  await waitFor(() => !launcher.zooKeeper.holdsRequestLock(request.id) && !launcher.zooKeeper.holdsNodeLock(nodeId!), {
    timeoutMs: 30_000,
    message: 'the launcher still believes it holds the locks of a fulfilled request',
  });
  const observer = await direct(t, c.chroot);
  // Someone's non-blocking attempt may come and go; what stays is a leak.
  await waitFor(async () => (await leftoverLocks(observer)).length === 0, { timeoutMs: 30_000, message: 'a lock was left behind' });
  const nodeset = await zuul.acceptNodes(request, { lockTimeoutMs: 5_000 });
  t.deepEqual(nodeset.nodeIds, [nodeId]);
  await zuul.returnNodes(nodeset);
});

test('after its session expires a launcher aborts the work of that session, writes nothing for it, and serves the request afresh', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const gate = gatedDriver();
  const c = await launcherCluster(t, through(proxy), [gate.driver]);
  const launcher = await c.launcher(config);
  const client = launcher.zooKeeper.client;
  const observer = await direct(t, c.chroot);
  const zuul = new ZuulClient(observer);
  const request = await zuul.requestNodes(['small']);
  await waitFor(() => gate.launches.length === 1, { timeoutMs: 30_000 });
  const [first] = gate.launches;
  const oldSession = client.sessionId;

  // Cut off until ZooKeeper ends the session (the launcher's request lock goes with it).
  proxy.block();
  await waitFor(async () => (await observer.getChildren(`/nodepool/requests-lock/${request.id}`)).children.length === 0, {
    timeoutMs: 60_000,
    message: 'the session did not expire',
  });
  const nodeBefore = await observer.getData(`/nodepool/nodes/${first!.node.id}`);
  proxy.unblock();
  await waitFor(() => first!.outcome === 'aborted', { timeoutMs: 30_000, message: 'the launch of the lost session went on' });
  t.not(client.sessionId, oldSession);

  // The new session finds the request pending and unlocked: reset, taken, launched anew.
  await waitFor(() => gate.launches.length === 2, { timeoutMs: 30_000 });
  gate.releaseAll();
  const record = await zuul.waitForRequest(request, { timeoutMs: 30_000 });
  t.is(record.state, 'fulfilled');
  t.notDeepEqual(record.nodes, [first!.node.id]);
  // The abandoned node was never written by the old session's work (no `failed`, no `ready`):
  // it is released by the reset and reaped.
  await waitFor(async () => (await observer.exists(`/nodepool/nodes/${first!.node.id}`)) === null, { timeoutMs: 30_000, message: 'the abandoned node was not reaped' });
  t.true(gate.deleted.includes(first!.node.id));
  t.is(JSON.parse(nodeBefore.data.toString()).state, 'building');
  t.false(lines.some((line) => line.includes('could not store node') && line.includes(first!.node.id)));
  t.true(lines.includes('WARN abandoning node request'));
});

test('a node unlock lost on its way to ZooKeeper is made again once connected: the node is free for the next request', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const gate = gatedDriver();
  const c = await launcherCluster(t, through(proxy), [gate.driver]);
  const launcher = await c.launcher(config);
  const observer = await direct(t, c.chroot);
  const zuul = new ZuulClient(observer);
  const cancelled = await zuul.requestNodes(['small']);
  await waitFor(() => gate.launches.length === 1, { timeoutMs: 30_000 });
  const nodeId = gate.launches[0]!.node.id;
  // Zuul gives up on the request; the launcher hands the node back, and its unlock never
  // reaches ZooKeeper (the connection drops just before).
  t.true(await zuul.cancel(cancelled));
  let reconnections = 0;
  launcher.zooKeeper.client.on('reconnected', () => reconnections++);
  proxy.cutBefore((chunk) => carries(chunk, DELETE, `/nodepool/nodes/${nodeId}/lock/`));
  gate.releaseAll();
  await waitFor(() => !launcher.zooKeeper.holdsNodeLock(nodeId), { timeoutMs: 30_000, message: 'the node was never unlocked' });
  t.is(reconnections, 1, 'the unlock was not cut off');
  t.deepEqual(await leftoverLocks(observer), []);
  // The freed node serves the next request (a new launch would be held by the gate forever).
  const next = await zuul.requestNodes(['small']);
  const record = await zuul.waitForRequest(next, { timeoutMs: 30_000 });
  t.is(record.state, 'fulfilled');
  t.deepEqual(record.nodes, [nodeId]);
  t.false(lines.some((line) => line.includes('could not unlock')));
});
