import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import {
  BadVersionError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  NoChildrenForEphemeralsError,
  TransactionError,
  ZooKeeperClient,
} from '@nodepool/zookeeper';
import { connectClient, connectPeer } from './helpers/clients.js';

const zk = useZooKeeper(test);

test('creates a persistent znode with data and reads it back', async (t) => {
  const client = await connectClient(t, zk().connectString);
  t.is(await client.create('/a', { data: 'hello' }), '/a');
  const { data, stat } = await client.getData('/a');
  t.is(data.toString(), 'hello');
  t.is(stat.version, 0);
  t.is(stat.dataLength, 5);
  t.is(stat.ephemeralOwner, 0n);
});

test('creates an empty znode when no data is given', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/empty');
  const { data, stat } = await client.getData('/empty');
  t.is(data.length, 0);
  t.is(stat.dataLength, 0);
});

test('numbers sequential znodes from the parent counter, also with a trailing slash', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/seq');
  const first = await client.create('/seq/item-', { mode: 'persistent-sequential' });
  const second = await client.create('/seq/', { mode: 'persistent-sequential' });
  t.is(first, '/seq/item-0000000000');
  t.is(second, '/seq/0000000001');
});

test('ephemeral znodes belong to the session and vanish when it closes', async (t) => {
  const owner = await connectClient(t, zk().connectString);
  const observer = await connectPeer(t, zk().connectString, owner);
  const path = await owner.create('/lock-', { mode: 'ephemeral-sequential' });
  const stat = await observer.exists(path);
  t.truthy(stat);
  t.not(stat!.ephemeralOwner, 0n);
  await t.throwsAsync(owner.create(`${path}/child`), { instanceOf: NoChildrenForEphemeralsError });
  await owner.close();
  t.is(await observer.exists(path), null);
});

test('lists the ephemeral znodes of its own session under a prefix, and none of another session', async (t) => {
  const owner = await connectClient(t, zk().connectString);
  const other = await connectPeer(t, zk().connectString, owner);
  await owner.mkdirp('/eph/a');
  await owner.mkdirp('/ephemera');
  const mine = [await owner.create('/eph/a/x-', { mode: 'ephemeral-sequential' }), await owner.create('/eph/b', { mode: 'ephemeral' })];
  const similar = await owner.create('/ephemera/y', { mode: 'ephemeral' });
  await owner.create('/eph/persistent');
  const theirs = await other.create('/eph/theirs', { mode: 'ephemeral' });
  t.deepEqual((await owner.getEphemerals('/eph/')).sort(), [...mine].sort(), 'a plain string prefix, only our own ephemerals');
  t.deepEqual((await owner.getEphemerals()).sort(), [...mine, similar].sort(), 'the whole chroot, and nothing outside it');
  t.deepEqual(await other.getEphemerals('/eph'), [theirs]);
  await owner.delete(mine[0]!);
  t.deepEqual(await owner.getEphemerals('/eph/a'), []);
});

test('creates a container znode', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/container', { mode: 'container' });
  await client.create('/container/child');
  t.deepEqual((await client.getChildren('/container')).children, ['child']);
});

test('refuses a TTL without a TTL mode and a TTL mode without a TTL', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await t.throwsAsync(client.create('/x', { ttlMs: 1000 }), { instanceOf: TypeError });
  await t.throwsAsync(client.create('/x', { mode: 'persistent-with-ttl' }), { instanceOf: TypeError });
});

test('reports NodeExists, NoNode and NotEmpty as typed errors naming the path', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/dup');
  const exists = await t.throwsAsync(client.create('/dup'), { instanceOf: NodeExistsError });
  t.is(exists.path, '/dup');
  t.is(exists.code, -110);
  const missing = await t.throwsAsync(client.getData('/missing'), { instanceOf: NoNodeError });
  t.regex(missing.message, /no node: \/missing/);
  await client.create('/dup/child');
  await t.throwsAsync(client.delete('/dup'), { instanceOf: NotEmptyError });
  await t.throwsAsync(client.create('/no/parent'), { instanceOf: NoNodeError });
});

test('creates missing parents on request and mkdirp is idempotent', async (t) => {
  const client = await connectClient(t, zk().connectString);
  t.is(await client.create('/p/q/r', { data: 'leaf', makeParents: true }), '/p/q/r');
  t.is((await client.getData('/p/q')).data.length, 0);
  await client.mkdirp('/p/q/r/s');
  await client.mkdirp('/p/q/r/s');
  t.truthy(await client.exists('/p/q/r/s'));
  t.is((await client.getData('/p/q/r')).data.toString(), 'leaf');
});

test('setData and delete honour versions', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/v', { data: '1' });
  const stat = await client.setData('/v', '2', 0);
  t.is(stat.version, 1);
  await t.throwsAsync(client.setData('/v', '3', 0), { instanceOf: BadVersionError });
  await t.throwsAsync(client.delete('/v', 0), { instanceOf: BadVersionError });
  await client.setData('/v', 'any version');
  await client.delete('/v', 2);
  t.is(await client.exists('/v'), null);
});

test('setData on a deleted znode fails instead of resurrecting it', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/gone');
  await client.delete('/gone');
  await t.throwsAsync(client.setData('/gone', 'x'), { instanceOf: NoNodeError });
  t.is(await client.exists('/gone'), null);
});

test('exists returns the Stat or null', async (t) => {
  const client = await connectClient(t, zk().connectString);
  t.is(await client.exists('/e'), null);
  await client.create('/e', { data: 'abc' });
  const stat = await client.exists('/e');
  t.is(stat?.dataLength, 3);
});

test('getChildren lists names with the parent Stat', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/kids');
  for (const name of ['a', 'b', 'c']) await client.create(`/kids/${name}`);
  const { children, stat } = await client.getChildren('/kids');
  t.deepEqual([...children].sort(), ['a', 'b', 'c']);
  t.is(stat.numChildren, 3);
  t.is(stat.cversion, 3);
});

test('deleteRecursive removes a whole subtree and tolerates a missing one', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/tree/a/b', { makeParents: true });
  await client.create('/tree/c');
  await client.deleteRecursive('/tree');
  t.is(await client.exists('/tree'), null);
  await t.notThrowsAsync(client.deleteRecursive('/tree'));
});

test('a transaction applies every operation', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/tx', { data: 'old' });
  await client.create('/tx/doomed');
  const results = await client
    .transaction()
    .check('/tx', 0)
    .create('/tx/new-', { data: 'n', mode: 'persistent-sequential' })
    .setData('/tx', 'new', 0)
    .delete('/tx/doomed')
    .commit();
  t.deepEqual(results.map((result) => result.type), ['check', 'create', 'set', 'delete']);
  t.deepEqual(results[1], { type: 'create', path: '/tx/new-0000000001' });
  t.is((await client.getData('/tx')).data.toString(), 'new');
  t.is(await client.exists('/tx/doomed'), null);
});

test('a failing transaction applies nothing and names the failing operation', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/tx2', { data: 'old' });
  const error = await t.throwsAsync(
    client.multi([
      { type: 'create', path: '/tx2/a' },
      { type: 'set', path: '/tx2', data: 'new', version: 7 },
      { type: 'delete', path: '/tx2' },
    ]),
    { instanceOf: TransactionError },
  );
  t.is(error.failedIndex, 1);
  t.true(error.cause instanceof BadVersionError);
  t.is(error.cause.path, '/tx2');
  t.deepEqual(error.codes, [0, -103, -2]);
  t.is(await client.exists('/tx2/a'), null);
  t.is((await client.getData('/tx2')).data.toString(), 'old');
});

test('sync lets a second client read a write made through the first', async (t) => {
  const writer = await connectClient(t, zk().connectString);
  const reader = await connectPeer(t, zk().connectString, writer);
  await writer.create('/synced', { data: 'v' });
  await reader.sync('/synced');
  t.is((await reader.getData('/synced')).data.toString(), 'v');
});

test('reads the default open ACL', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/acl');
  const { acl } = await client.getAcl('/acl');
  t.deepEqual(acl, [{ perms: 31, scheme: 'world', id: 'anyone' }]);
});

test('a chroot is invisible: paths, sequential names and the chroot itself', async (t) => {
  const client = await connectClient(t, zk().connectString);
  const root = new ZooKeeperClient({ servers: zk().connectString });
  t.teardown(() => root.close());
  await root.connect();
  const created = await client.create('/in-chroot-', { mode: 'persistent-sequential' });
  t.regex(created, /^\/in-chroot-\d{10}$/);
  t.truthy(await root.exists(`${client.chroot}${created}`));
  t.deepEqual((await client.getChildren('/')).children, [created.slice(1)]);
});

test('a chroot in the connect string is honoured', async (t) => {
  const root = new ZooKeeperClient({ servers: zk().connectString });
  t.teardown(() => root.close());
  await root.connect();
  await root.create('/cs-chroot/inside', { data: 'x', makeParents: true });
  const client = new ZooKeeperClient({ servers: `${zk().connectString}/cs-chroot` });
  t.teardown(() => client.close());
  await client.connect();
  t.is(client.chroot, '/cs-chroot');
  t.is((await client.getData('/inside')).data.toString(), 'x');
});

test('thousands of pipelined requests are answered in order on one connection', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/many');
  const count = 3000;
  const paths = await Promise.all(
    Array.from({ length: count }, (_, i) => client.create(`/many/n${i}`, { data: String(i) })),
  );
  t.deepEqual(paths, Array.from({ length: count }, (_, i) => `/many/n${i}`));
  const reads = await Promise.all(paths.map((path) => client.getData(path)));
  t.deepEqual(
    reads.map((read) => read.data.toString()),
    Array.from({ length: count }, (_, i) => String(i)),
  );
});

test('large data (near 1 MiB) round-trips', async (t) => {
  const client = await connectClient(t, zk().connectString);
  const data = Buffer.alloc(1_000_000, 7);
  await client.create('/big', { data });
  t.true((await client.getData('/big')).data.equals(data));
});

test('rejects invalid paths before sending anything', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await t.throwsAsync(client.create('relative'), { instanceOf: TypeError });
  await t.throwsAsync(client.getData('/trailing/'), { instanceOf: TypeError });
  await t.throwsAsync(client.exists('/a//b'), { instanceOf: TypeError });
  await t.throwsAsync(client.delete('/a/../b'), { instanceOf: TypeError });
});

test("own data writes are reported as their replies arrive, after the write's own notification", async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/w', { data: 'a' });
  await client.create('/v', { data: 'b' });
  const seen: string[] = [];
  await client.addWatch('/', (event) => seen.push(`${event.type} ${event.path} writing=${client.isWritingData(event.path)}`), { recursive: true });
  client.on('dataWritten', ({ path, data, stat }) => seen.push(`written ${path} ${data.toString()} ${stat?.version ?? 'failed'}`));

  const set = client.setData('/w', 'x');
  t.true(client.isWritingData('/w'));
  await set.then(() => seen.push('settled'));
  t.false(client.isWritingData('/w'));
  await client.multi([{ type: 'set', path: '/w', data: 'y' }, { type: 'set', path: '/v', data: 'z', version: 0 }]);
  await client.setData('/w', 'stale', 0).catch(() => seen.push('rejected'));
  t.deepEqual(seen, [
    'changed /w writing=true',
    'written /w x 1',
    'settled',
    'changed /w writing=true',
    'changed /v writing=true',
    'written /w y 2',
    'written /v z 1',
    'written /w stale failed',
    'rejected',
  ]);
});
