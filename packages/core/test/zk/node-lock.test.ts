import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import { KazooLock, LockTargetGoneError, LockUnavailableError, Node } from '@nodepool/core';
import { connect, nodepoolZk } from './helpers.js';

const zk = useZooKeeper(test);

test('locking a deleted node does not re-create it', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = await nodepoolZk(t, client);
  const node = new Node();
  await store.storeNode(node);
  await store.deleteNode(node);
  const lock = new KazooLock(client, `/nodepool/nodes/${node.id}/lock`, { ensurePath: 'directory' });
  await t.throwsAsync(lock.acquire({ blocking: false }), { instanceOf: LockTargetGoneError });
  t.is(await client.exists(`/nodepool/nodes/${node.id}`), null);
});

test('lockNode reports a vanished node as unavailable, not as a crash', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = await nodepoolZk(t, client);
  const node = new Node();
  await store.storeNode(node);
  await store.deleteNode(node);
  await t.throwsAsync(store.lockNode(node), { instanceOf: LockUnavailableError, message: /no longer exists/ });
});
