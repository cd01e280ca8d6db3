import test from 'ava';
import { startZooKeeper, TcpProxy, useZooKeeper, waitFor } from '@nodepool/testkit';
import {
  ClientClosedError,
  ConnectionLossError,
  ZooKeeperClient,
  ZooKeeperConnectError,
  type ConnectionState,
  type WatchEvent,
} from '@nodepool/zookeeper';
import { connectClient, connectPeer } from './helpers/clients.js';


// A short tick lets sessions be as short as 400 ms, so expiry tests take seconds, not minutes.
const zk = useZooKeeper(test, { tickTimeMs: 200 });

async function proxied(t: import('ava').ExecutionContext): Promise<TcpProxy> {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  return proxy;
}

function stateLog(client: ZooKeeperClient): string[] {
  const log: string[] = [];
  for (const name of ['suspended', 'reconnected', 'expired', 'connected', 'closed'] as const) {
    client.on(name, () => log.push(name));
  }
  return log;
}

test('negotiates the session timeout within the server bounds', async (t) => {
  const client = await connectClient(t, zk().connectString, { sessionTimeoutMs: 60_000 });
  // tickTime 200 ms: the server allows 400 ms to 4 s.
  t.is(client.session?.timeoutMs, 4_000);
  t.regex(client.session!.sessionId, /^[0-9a-f]{16}$/);
});

test('pings keep an idle session alive', async (t) => {
  // The longest session this server allows (4 s): a short one would also be lost to a busy
  // machine's stalls of a few hundred ms, which is not what this test is about.
  const client = await connectClient(t, zk().connectString, { sessionTimeoutMs: 4_000 });
  const observer = await connectPeer(t, zk().connectString, client);
  const log = stateLog(client);
  const path = await client.create('/idle', { mode: 'ephemeral' });
  const sessionId = client.session?.sessionId;
  // Idle for well over the session timeout: only the pings can have kept it.
  await new Promise((resolve) => setTimeout(resolve, 2.5 * client.session!.timeoutMs));
  t.deepEqual(log, []);
  t.is(client.session?.sessionId, sessionId);
  t.truthy(await observer.exists(path));
});

test('a dropped connection fails in-flight requests with ConnectionLossError and the session resumes', async (t) => {
  const proxy = await proxied(t);
  const client = await connectClient(t, proxy.address, { sessionTimeoutMs: 4_000 });
  const log = stateLog(client);
  const sessionId = client.session?.sessionId;
  const inFlight = client.getData('/');
  proxy.resetConnections();
  await t.throwsAsync(inFlight, { instanceOf: ConnectionLossError });
  await waitFor(() => log.includes('reconnected'), { timeoutMs: 20_000 });
  t.deepEqual(log, ['suspended', 'reconnected']);
  t.is(client.session?.sessionId, sessionId);
  t.truthy(await client.exists('/'));
});

test('the session id stays known while the connection is lost, and whenConnected waits for its return', async (t) => {
  const proxy = await proxied(t);
  const client = await connectClient(t, proxy.address, { sessionTimeoutMs: 4_000 });
  const sessionId = client.sessionId!;
  t.regex(sessionId, /^[0-9a-f]{16}$/);
  t.is((await client.whenConnected()).sessionId, sessionId, 'connected: at once');
  proxy.block();
  await waitFor(() => client.state === 'suspended', { timeoutMs: 20_000 });
  t.is(client.session, undefined);
  t.is(client.sessionId, sessionId, 'the session may live on: its id is still ours');
  const back = client.whenConnected();
  proxy.unblock();
  t.is((await back).sessionId, sessionId);
});

test('after expiry the session id is gone until a new session, which whenConnected reports', async (t) => {
  const proxy = await proxied(t);
  // 4 s: a shorter session could be lost to a busy machine's stall before the test cuts it.
  const client = await connectClient(t, proxy.address, { sessionTimeoutMs: 4_000 });
  const observer = await connectPeer(t, zk().connectString, client);
  const old = client.sessionId;
  const marker = await client.create('/expiring', { mode: 'ephemeral' });
  proxy.block();
  await waitFor(async () => (await observer.exists(marker)) === null, { timeoutMs: 10_000, message: 'the server did not expire the session' });
  const sessionIds: (string | undefined)[] = [];
  client.once('expired', () => sessionIds.push(client.sessionId));
  const back = client.whenConnected();
  proxy.unblock();
  const info = await back;
  t.deepEqual(sessionIds, [undefined], 'no session between expiry and the next one');
  t.not(info.sessionId, old);
  t.is(client.sessionId, info.sessionId);
});

test('whenConnected rejects when the client is closed first, or its signal aborts', async (t) => {
  const proxy = await proxied(t);
  const client = await connectClient(t, proxy.address, { sessionTimeoutMs: 4_000 });
  proxy.block();
  await waitFor(() => client.state === 'suspended', { timeoutMs: 20_000 });
  const controller = new AbortController();
  const aborted = client.whenConnected({ signal: controller.signal });
  controller.abort(new Error('stop waiting'));
  await t.throwsAsync(aborted, { message: 'stop waiting' });
  const closing = client.whenConnected();
  await client.close();
  await t.throwsAsync(closing, { instanceOf: ClientClosedError });
});

test('requests made while disconnected are sent once the connection is back', async (t) => {
  const proxy = await proxied(t);
  const client = await connectClient(t, proxy.address, { sessionTimeoutMs: 4_000 });
  proxy.block();
  await waitFor(() => client.state === 'suspended', { timeoutMs: 20_000 });
  const pending = client.create('/queued', { data: 'q' });
  setTimeout(() => proxy.unblock(), 300);
  t.is(await pending, '/queued');
  t.is((await client.getData('/queued')).data.toString(), 'q');
});

test('a silent connection is detected by the read timeout and replaced', async (t) => {
  // A server of its own, allowing a 10 s session: the read timeout fires at two thirds of it,
  // and the reconnection must beat the expiry in the last third, which a busy machine can miss
  // when that is a fraction of a second.
  const server = await startZooKeeper({ tickTimeMs: 500 });
  t.teardown(() => server.destroy());
  const proxy = await TcpProxy.start({ host: server.host, port: server.port });
  t.teardown(() => proxy.close());
  const client = await connectClient(t, proxy.address, { sessionTimeoutMs: 10_000 });
  const log = stateLog(client);
  proxy.freeze();
  await waitFor(() => log.includes('suspended'), { timeoutMs: 15_000 });
  proxy.thaw();
  await waitFor(() => log.includes('reconnected'), { timeoutMs: 15_000 });
  t.deepEqual(log, ['suspended', 'reconnected']);
});

test('a server restart within the session timeout keeps the session, its ephemerals and its watches', async (t) => {
  // A server of its own, allowing a 20 s session: a JVM restarting on a loaded machine can take
  // longer than the 4 s the shared server's short tick allows, and the session would expire.
  const server = await startZooKeeper({ tickTimeMs: 1_000 });
  t.teardown(() => server.destroy());
  const zk = () => server;
  const client = await connectClient(t, zk().connectString, { sessionTimeoutMs: 20_000 });
  const log = stateLog(client);
  const sessionId = client.session?.sessionId;
  await client.create('/watched', { data: '0' });
  await client.create('/tree');
  const ephemeral = await client.create('/eph', { mode: 'ephemeral' });
  const oneShot: WatchEvent[] = [];
  const recursive: WatchEvent[] = [];
  await client.getData('/watched', { watch: (event) => oneShot.push(event) });
  await client.addWatch('/tree', (event) => recursive.push(event), { recursive: true });

  await zk().stop();
  await waitFor(() => client.state === 'suspended', { timeoutMs: 20_000 });
  await zk().start();
  // The log says how it ended if it did not end well.
  await waitFor(() => log.length > 1, { timeoutMs: 30_000 }).catch(() => undefined);
  t.deepEqual(log, ['suspended', 'reconnected']);

  t.is(client.session?.sessionId, sessionId);
  const peer = await connectPeer(t, zk().connectString, client);
  t.truthy(await peer.exists(ephemeral));
  await peer.setData('/watched', '1');
  await peer.create('/tree/after-restart');
  await waitFor(() => oneShot.length === 1 && recursive.length === 1, { timeoutMs: 20_000 });
  t.deepEqual(oneShot, [{ type: 'changed', path: '/watched' }]);
  t.deepEqual(recursive, [{ type: 'created', path: '/tree/after-restart' }]);
});

test('a one-shot watch learns of a change made while it was disconnected', async (t) => {
  const proxy = await proxied(t);
  const client = await connectClient(t, proxy.address, { sessionTimeoutMs: 4_000 });
  const peer = await connectPeer(t, zk().connectString, client);
  await client.create('/missed', { data: '0' });
  const events: WatchEvent[] = [];
  await client.getData('/missed', { watch: (event) => events.push(event) });
  proxy.block();
  await waitFor(() => client.state === 'suspended', { timeoutMs: 20_000 });
  await peer.setData('/missed', 'changed while away');
  proxy.unblock();
  await waitFor(() => events.length === 1, { timeoutMs: 20_000 });
  t.deepEqual(events, [{ type: 'changed', path: '/missed' }]);
});

test('session expiry removes ephemerals, is reported, and a new session takes over with persistent watches', async (t) => {
  const proxy = await proxied(t);
  // The longest session this server allows: a shorter one is lost to a busy machine's stalls
  // before the test means it to be.
  const client = await connectClient(t, proxy.address, { sessionTimeoutMs: 4_000 });
  const peer = await connectPeer(t, zk().connectString, client);
  const log = stateLog(client);
  const states: ConnectionState[] = [];
  client.on('state', (state) => states.push(state));
  const firstSession = client.session?.sessionId;
  const ephemeral = await client.create('/eph', { mode: 'ephemeral' });
  await client.create('/tree');
  const recursive: WatchEvent[] = [];
  await client.addWatch('/tree', (event) => recursive.push(event), { recursive: true });
  const oneShot: WatchEvent[] = [];
  await client.getData('/tree', { watch: (event) => oneShot.push(event) });

  proxy.block();
  await waitFor(async () => (await peer.exists(ephemeral)) === null, { timeoutMs: 30_000, message: 'the session never expired' });
  proxy.unblock();
  await waitFor(() => log.includes('connected'), { timeoutMs: 20_000 });

  t.deepEqual(log, ['suspended', 'expired', 'connected']);
  t.deepEqual(states, ['suspended', 'connecting', 'connected']);
  t.not(client.session?.sessionId, firstSession);
  t.deepEqual(oneShot, [{ type: 'session-lost', path: '/tree' }]);
  await peer.create('/tree/new-session');
  await waitFor(() => recursive.length === 1, { timeoutMs: 20_000 });
  t.deepEqual(recursive, [{ type: 'created', path: '/tree/new-session' }]);
  t.is(await client.create('/eph2', { mode: 'ephemeral' }), '/eph2');
});

test('close ends the session and later calls fail with ClientClosedError', async (t) => {
  const client = await connectClient(t, zk().connectString);
  const log = stateLog(client);
  await client.close();
  await client.close();
  t.is(client.state, 'closed');
  t.deepEqual(log, ['closed']);
  await t.throwsAsync(client.getData('/'), { instanceOf: ClientClosedError });
});

test('connect names every server it tried when none answers', async (t) => {
  const client = new ZooKeeperClient({ servers: '127.0.0.1:1,127.0.0.1:2', sessionTimeoutMs: 1_000 });
  const error = await t.throwsAsync(client.connect(1_500), { instanceOf: ZooKeeperConnectError });
  t.regex(error.message, /127\.0\.0\.1:1/);
  t.regex(error.message, /127\.0\.0\.1:2/);
  t.regex(error.message, /ECONNREFUSED/);
  t.is(client.state, 'closed');
});
