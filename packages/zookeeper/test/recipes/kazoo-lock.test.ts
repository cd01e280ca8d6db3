import test from 'ava';
import { TcpProxy, useZooKeeper } from '@nodepool/testkit';
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
