import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { NoWatcherError, type WatchEvent } from '@nodepool/zookeeper';
import { connectClient, connectPeer } from './helpers/clients.js';

const zk = useZooKeeper(test);

/** Records events and lets a test wait for a number of them. */
function recorder() {
  const events: WatchEvent[] = [];
  return {
    events,
    listener: (event: WatchEvent) => void events.push(event),
    until: (count: number) => waitFor(() => events.length >= count, { timeoutMs: 20_000, message: `expected ${count} events, got ${JSON.stringify(events)}` }),
  };
}

/** A write by another session, then a sync, so any notification it causes has been sent. */
async function settle(client: { sync(path?: string): Promise<void> }): Promise<void> {
  await client.sync('/');
  await client.sync('/');
}

test('a data watch fires once, on the next change only', async (t) => {
  const client = await connectClient(t, zk().connectString);
  const writer = await connectPeer(t, zk().connectString, client);
  await client.create('/w', { data: '0' });
  const seen = recorder();
  await client.getData('/w', { watch: seen.listener });
  await writer.setData('/w', '1');
  await seen.until(1);
  await writer.setData('/w', '2');
  await writer.delete('/w');
  await settle(client);
  t.deepEqual(seen.events, [{ type: 'changed', path: '/w' }]);
});

test('an exists watch on a missing znode fires on creation', async (t) => {
  const client = await connectClient(t, zk().connectString);
  const writer = await connectPeer(t, zk().connectString, client);
  const seen = recorder();
  t.is(await client.exists('/later', { watch: seen.listener }), null);
  await writer.create('/later');
  await seen.until(1);
  t.deepEqual(seen.events, [{ type: 'created', path: '/later' }]);
});

test('an exists watch on an existing znode fires on deletion', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/soon-gone');
  const seen = recorder();
  t.truthy(await client.exists('/soon-gone', { watch: seen.listener }));
  await client.delete('/soon-gone');
  await seen.until(1);
  t.deepEqual(seen.events, [{ type: 'deleted', path: '/soon-gone' }]);
});

test('a child watch fires once when a child appears, and on deletion of the parent', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/parent');
  const seen = recorder();
  await client.getChildren('/parent', { watch: seen.listener });
  await client.create('/parent/a');
  await client.create('/parent/b');
  await seen.until(1);
  await client.delete('/parent/a');
  await client.delete('/parent/b');
  await client.getChildren('/parent', { watch: seen.listener });
  await client.delete('/parent');
  await seen.until(2);
  await settle(client);
  t.deepEqual(seen.events, [
    { type: 'children', path: '/parent' },
    { type: 'deleted', path: '/parent' },
  ]);
});

test('a data change does not fire a child watch and vice versa', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/mixed');
  const children = recorder();
  const data = recorder();
  await client.getChildren('/mixed', { watch: children.listener });
  await client.getData('/mixed', { watch: data.listener });
  await client.setData('/mixed', 'x');
  await data.until(1);
  await settle(client);
  t.deepEqual(children.events, []);
  await client.create('/mixed/kid');
  await children.until(1);
  t.deepEqual(data.events, [{ type: 'changed', path: '/mixed' }]);
});

test('every listener on a path is called although the server sends one notification', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/shared');
  const first = recorder();
  const second = recorder();
  await client.getData('/shared', { watch: first.listener });
  await client.exists('/shared', { watch: second.listener });
  await client.setData('/shared', 'x');
  await first.until(1);
  await second.until(1);
  t.is(first.events.length + second.events.length, 2);
});

test('a persistent watch keeps firing for its own znode only', async (t) => {
  const client = await connectClient(t, zk().connectString);
  const writer = await connectPeer(t, zk().connectString, client);
  const seen = recorder();
  await client.addWatch('/p', seen.listener);
  await writer.create('/p');
  await writer.setData('/p', '1');
  await writer.setData('/p', '2');
  await writer.create('/p/child');
  await writer.setData('/p/child', 'not seen');
  await writer.delete('/p/child');
  await writer.delete('/p');
  await seen.until(6);
  await settle(client);
  t.deepEqual(seen.events.map((event) => `${event.type} ${event.path}`), [
    'created /p',
    'changed /p',
    'changed /p',
    'children /p',
    'children /p',
    'deleted /p',
  ]);
});

test('a recursive persistent watch sees every descendant, without child-list events', async (t) => {
  const client = await connectClient(t, zk().connectString);
  const writer = await connectPeer(t, zk().connectString, client);
  await client.create('/r');
  const seen = recorder();
  await client.addWatch('/r', seen.listener, { recursive: true });
  await writer.create('/r/a');
  await writer.create('/r/a/b');
  await writer.setData('/r/a/b', 'x');
  await writer.deleteRecursive('/r/a');
  await seen.until(5);
  await settle(client);
  t.deepEqual(seen.events.map((event) => `${event.type} ${event.path}`), [
    'created /r/a',
    'created /r/a/b',
    'changed /r/a/b',
    'deleted /r/a/b',
    'deleted /r/a',
  ]);
});

test('removing a persistent watch stops its events', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/rm');
  const seen = recorder();
  await client.addWatch('/rm', seen.listener, { recursive: true });
  await client.create('/rm/one');
  await seen.until(1);
  await client.removeWatches('/rm', 'persistent-recursive');
  await client.create('/rm/two');
  await settle(client);
  t.deepEqual(seen.events, [{ type: 'created', path: '/rm/one' }]);
  await t.throwsAsync(client.removeWatches('/rm', 'persistent-recursive'), { instanceOf: NoWatcherError });
});

test('removing one of two listeners keeps the other', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/two');
  const kept = recorder();
  const removed = recorder();
  await client.addWatch('/two', kept.listener);
  await client.addWatch('/two', removed.listener);
  await client.removeWatches('/two', 'persistent', removed.listener);
  await client.setData('/two', 'x');
  await kept.until(1);
  await settle(client);
  t.is(removed.events.length, 0);
});

test('removing a one-shot data watch means it never fires', async (t) => {
  const client = await connectClient(t, zk().connectString);
  await client.create('/oneshot');
  const seen = recorder();
  await client.getData('/oneshot', { watch: seen.listener });
  await client.removeWatches('/oneshot', 'data');
  await client.setData('/oneshot', 'x');
  await settle(client);
  t.deepEqual(seen.events, []);
});

test('a listener that throws is reported and does not stop other listeners', async (t) => {
  const client = await connectClient(t, zk().connectString);
  const errors: Error[] = [];
  client.on('error', (error) => errors.push(error));
  await client.create('/throws');
  const seen = recorder();
  await client.getData('/throws', {
    watch: () => {
      throw new Error('listener bug');
    },
  });
  await client.getData('/throws', { watch: seen.listener });
  await client.setData('/throws', 'x');
  await seen.until(1);
  t.is(errors[0]?.message, 'listener bug');
});
