import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import { KazooLock, LockTargetGoneError, LockUnavailableError, Node, NodeRequest } from '@nodepool/core';
import { connect, connectPeer, nodepoolZk } from './helpers.js';

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

/** A request as Zuul creates it. */
async function submitted(store: Awaited<ReturnType<typeof nodepoolZk>>): Promise<NodeRequest> {
  const request = new NodeRequest();
  request.nodeTypes = ['small'];
  await store.storeNodeRequest(request);
  return request;
}

test('a fresh request is locked and marked pending in one transaction', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = await nodepoolZk(t, client);
  const request = await submitted(store);
  const before = (await client.exists(`/nodepool/requests/${request.id}`))!.mzxid;
  request.setState('pending');
  t.is(await store.lockAndStoreFreshRequest(request), 'stored');
  const stat = (await client.exists(`/nodepool/requests/${request.id}`))!;
  const lockDir = (await client.exists(`/nodepool/requests-lock/${request.id}`))!;
  t.is(stat.mzxid, lockDir.czxid, 'the write and the lock are one transaction');
  t.true(stat.mzxid > before);
  t.is((await store.getNodeRequest(request.id))!.state, 'pending');
  t.true((await client.getChildren(`/nodepool/requests-lock/${request.id}`)).children.length === 1);
  // Held: another lock attempt fails, and releasing works as usual.
  const other = await nodepoolZk(t, await connectPeer(t, zk().connectString, client));
  await t.throwsAsync(other.lockNodeRequest(request.id), { instanceOf: LockUnavailableError });
  await store.unlockNodeRequest(request);
  await t.notThrowsAsync(other.lockNodeRequest(request.id));
});

test('a request changed since it was read is neither locked nor written', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = await nodepoolZk(t, client);
  const request = await submitted(store);
  const stale = request.clone();
  request.declinedBy = ['someone'];
  await store.storeNodeRequest(request);
  stale.setState('pending');
  t.is(await store.lockAndStoreFreshRequest(stale), 'changed');
  t.is(await client.exists(`/nodepool/requests-lock/${request.id}`), null, 'no lock directory left');
  t.is((await store.getNodeRequest(request.id))!.state, 'requested');
});

test('a request locked before is left to the usual lock', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = await nodepoolZk(t, client);
  const request = await submitted(store);
  await store.lockNodeRequest(request);
  await store.unlockNodeRequest(request);
  const version = request.version;
  request.setState('pending');
  t.is(await store.lockAndStoreFreshRequest(request), 'exists');
  t.is(request.version, version);
  t.is((await store.getNodeRequest(request.id))!.state, 'requested');
});
