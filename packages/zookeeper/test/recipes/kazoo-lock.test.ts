import test from 'ava';
import { TcpProxy, useZooKeeper, waitFor } from '@nodepool/testkit';
import { KazooLock, LockTimeoutError, sortContenders } from '@nodepool/zookeeper';
import { connectClient as connect, connectPeer } from '../helpers/clients.js';

const zk = useZooKeeper(test);

const CONTENDER_NAME = /^[0-9a-f]{32}__lock__\d{10}$/;

test('contenders are named <uuid hex>__lock__<seq10> and the first holds the lock', async (t) => {
  const client = await connect(t, zk().connectString);
  const lock = new KazooLock(client, '/locks/a');
  t.true(await lock.acquire());
  const { children } = await client.getChildren('/locks/a');
  t.is(children.length, 1);
  t.regex(children[0]!, CONTENDER_NAME);
  t.true(children[0]!.startsWith(lock.prefix));
  t.is((await client.getData(`/locks/a/${children[0]}`)).data.length, 0, 'no identifier: empty data, like Nodepool');
  await lock.release();
  t.deepEqual((await client.getChildren('/locks/a')).children, []);
  t.truthy(await client.exists('/locks/a'), 'releasing never deletes the lock directory');
});

test('ordering uses only the sequence suffix, never the whole name', (t) => {
  const names = [
    'ffffffffffffffffffffffffffffffff__lock__0000000001',
    '00000000000000000000000000000000__lock__0000000003',
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa__lock__0000000002',
    'not-a-contender',
    'x__rlock__0000000000',
  ];
  t.deepEqual(sortContenders(names), [names[0], names[2], names[1]]);
});

test('a non-blocking attempt on a held lock fails and leaves no trace', async (t) => {
  const owner = await connect(t, zk().connectString);
  const other = await connectPeer(t, zk().connectString, owner);
  const held = new KazooLock(owner, '/locks/b');
  await held.acquire();
  const attempt = new KazooLock(other, '/locks/b');
  t.false(await attempt.acquire({ blocking: false }));
  t.is((await owner.getChildren('/locks/b')).children.length, 1);
});

test('a blocking attempt waits for the release, and times out if it never comes', async (t) => {
  const owner = await connect(t, zk().connectString);
  const other = await connectPeer(t, zk().connectString, owner);
  const held = new KazooLock(owner, '/locks/c');
  await held.acquire();
  await t.throwsAsync(new KazooLock(other, '/locks/c').acquire({ timeoutMs: 300 }), { instanceOf: LockTimeoutError });
  t.is((await owner.getChildren('/locks/c')).children.length, 1, 'the timed-out contender was removed');
  const waiting = new KazooLock(other, '/locks/c').acquire({ timeoutMs: 5_000 });
  await held.release();
  t.true(await waiting);
});

test('the holder is the lowest sequence even when its uuid sorts last', async (t) => {
  const client = await connect(t, zk().connectString);
  const peer = await connectPeer(t, zk().connectString, client);
  await client.mkdirp('/locks/d');
  // A foreign contender whose name sorts after ours alphabetically but was created first.
  await peer.create('/locks/d/ffffffffffffffffffffffffffffffff__lock__', { mode: 'ephemeral-sequential' });
  const lock = new KazooLock(client, '/locks/d');
  t.false(await lock.acquire({ blocking: false }));
});

test('one process never holds one lock path twice, through any number of lock objects', async (t) => {
  const client = await connect(t, zk().connectString);
  const first = new KazooLock(client, '/locks/e');
  const second = new KazooLock(client, '/locks/e');
  t.true(await first.acquire());
  t.false(await second.acquire({ blocking: false }));
  const waiting = second.acquire({ timeoutMs: 5_000 });
  await first.release();
  t.true(await waiting);
  t.is((await client.getChildren('/locks/e')).children.length, 1);
});

test('after a lost create reply the lock re-uses its own contender instead of blocking itself', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const client = await connect(t, proxy.address, { sessionTimeoutMs: 10_000 });
  await client.mkdirp('/locks/f');
  const lock = new KazooLock(client, '/locks/f');
  // Let the create reach the server, swallow its reply and cut the connection.
  proxy.dropReplyTo((chunk) => chunk.includes(Buffer.from(lock.prefix)));
  t.true(await lock.acquire({ blocking: false }));
  const { children } = await client.getChildren('/locks/f');
  t.is(children.length, 1, 'exactly one contender: the one the lost reply created');
  t.true(children[0]!.startsWith(lock.prefix));
  t.is(lock.contenderName, children[0]);
});

test('a held lock survives a connection blip within the session', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const client = await connect(t, proxy.address, { sessionTimeoutMs: 10_000 });
  const observer = await connectPeer(t, zk().connectString, client);
  const lock = new KazooLock(client, '/locks/g');
  await lock.acquire();
  const reconnected = new Promise<void>((resolve) => client.once('reconnected', () => resolve()));
  proxy.resetConnections();
  await reconnected;
  t.true(lock.isAcquired);
  t.false(await new KazooLock(observer, '/locks/g').acquire({ blocking: false }));
});

/** The first request of a client chunk: `len xid type …`. */
const opCodeOf = (chunk: Buffer): number => (chunk.length >= 12 ? chunk.readInt32BE(8) : -1);
const DELETE = 2;
const MULTI = 14;

test('a held lock stays held while the connection is down; a release made then deletes the contender once it is back', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const client = await connect(t, proxy.address, { sessionTimeoutMs: 10_000 });
  const observer = await connectPeer(t, zk().connectString, client);
  const lock = new KazooLock(client, '/locks/h');
  await lock.acquire();
  const contender = `/locks/h/${lock.contenderName}`;
  proxy.block();
  await waitFor(() => client.state === 'suspended', { timeoutMs: 10_000 });
  t.true(lock.isAcquired, 'the session may live on, and the contender with it');
  const released = lock.release();
  t.true(KazooLock.isLiveContender(client, contender), 'being released: still known');
  proxy.unblock();
  t.true(await released);
  t.false(lock.isAcquired);
  t.deepEqual((await observer.getChildren('/locks/h')).children, []);
  t.false(KazooLock.isLiveContender(client, contender));
});

test('a release after the session expired finds nothing left to delete', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const client = await connect(t, proxy.address, { sessionTimeoutMs: 4_000 });
  const observer = await connectPeer(t, zk().connectString, client);
  const lock = new KazooLock(client, '/locks/i');
  await lock.acquire();
  const old = client.sessionId;
  proxy.block();
  await waitFor(async () => (await observer.getChildren('/locks/i')).children.length === 0, { timeoutMs: 20_000, message: 'the session did not expire' });
  proxy.unblock();
  await waitFor(() => client.state === 'connected' && client.sessionId !== old, { timeoutMs: 20_000 });
  t.false(lock.isAcquired, 'its session is gone');
  await lock.release();
  t.true(await new KazooLock(client, '/locks/i').acquire({ blocking: false }), 'the lock is free, here too');
});

test('a failed non-blocking attempt removes its contender even when the delete is lost on its way', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const owner = await connect(t, zk().connectString);
  const client = await connectPeer(t, proxy.address, owner, { sessionTimeoutMs: 10_000 });
  await new KazooLock(owner, '/locks/j').acquire();
  const attempt = new KazooLock(client, '/locks/j');
  // The delete of our contender never reaches the server; our session outlives the cut.
  proxy.cutBefore((chunk) => opCodeOf(chunk) === DELETE && chunk.includes(Buffer.from(attempt.prefix)));
  t.false(await attempt.acquire({ blocking: false }));
  await waitFor(async () => (await owner.getChildren('/locks/j')).children.length === 1, {
    timeoutMs: 20_000,
    message: 'the failed attempt left its contender behind',
  });
  const [holder] = (await owner.getChildren('/locks/j')).children;
  t.false(holder!.startsWith(attempt.prefix));
});

test('a fresh lock whose transaction reply was lost is found held, not taken twice', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const client = await connect(t, proxy.address, { sessionTimeoutMs: 10_000 });
  await client.mkdirp('/locks/k');
  const lock = new KazooLock(client, '/locks/k/lock');
  proxy.dropReplyTo((chunk) => opCodeOf(chunk) === MULTI && chunk.includes(Buffer.from(lock.prefix)));
  t.is(await lock.acquireFresh([{ type: 'create', path: '/locks/k/record', data: 'x' }]), 'acquired');
  t.true(lock.isAcquired);
  const { children } = await client.getChildren('/locks/k/lock');
  t.deepEqual(children, [lock.contenderName]);
  t.is((await client.getData('/locks/k/record')).data.toString(), 'x');
});

test('isLiveContender knows live lock objects\' contenders; markLost frees the lock within the process', async (t) => {
  const client = await connect(t, zk().connectString);
  const other = await connectPeer(t, zk().connectString, client);
  const lock = new KazooLock(client, '/locks/l');
  await lock.acquire();
  const contender = `/locks/l/${lock.contenderName}`;
  t.true(KazooLock.isLiveContender(client, contender));
  t.false(KazooLock.isLiveContender(other, contender), 'another client has no such lock');
  t.false(KazooLock.isLiveContender(client, `/locks/l/${'0'.repeat(32)}__lock__0000000099`));
  await client.delete(contender); // someone removes it behind the lock's back
  lock.markLost();
  t.false(lock.isAcquired);
  t.false(KazooLock.isLiveContender(client, contender));
  t.true(await new KazooLock(client, '/locks/l').acquire({ blocking: false }));
});
