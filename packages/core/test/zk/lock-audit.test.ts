/**
 * The lock audit (issue 13, part 1's safety net): contenders of our own session that no lock
 * object knows are released on their second sighting; locks whose contender is gone are dropped.
 */
import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import { Node, NodeRequest, rootLogger, sortContenders } from '@nodepool/core';
import { connect, connectPeer, nodepoolZk } from './helpers.js';

const zk = useZooKeeper(test);

// Warnings are captured here; the console keeps printing at its own level.
const lines: string[] = [];
const root = rootLogger();
for (const transport of root.transports) transport.level ??= root.level;
root.level = 'info';
root.on('data', (info: { level: string; message: unknown }) => lines.push(`${info.level.toUpperCase()} ${String(info.message)}`));

const STRAY_NAME = `${'a'.repeat(32)}__lock__`;

test('a contender of our session that no lock object knows is released on the second audit, and logged', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = await nodepoolZk(t, client);
  const stray = new Node();
  await store.storeNode(stray);
  const held = new Node();
  await store.storeNode(held);
  await store.lockNode(held);
  const request = new NodeRequest();
  request.nodeTypes = ['small'];
  await store.storeNodeRequest(request);
  // What a lock object that forgot its contender leaves behind (a lost reply, say).
  const nodeStray = await client.create(`/nodepool/nodes/${stray.id}/lock/${STRAY_NAME}`, { mode: 'ephemeral-sequential', makeParents: true });
  const requestStray = await client.create(`/nodepool/requests-lock/${request.id}/${STRAY_NAME}`, { mode: 'ephemeral-sequential', makeParents: true });

  const first = await store.auditLocks();
  t.true(first.ran);
  t.deepEqual([...first.suspects].sort(), [nodeStray, requestStray].sort());
  t.deepEqual(first.released, [], 'never on a first sighting: it may be an acquisition in progress');
  const second = await store.auditLocks();
  t.deepEqual([...second.released].sort(), [nodeStray, requestStray].sort());
  t.is(await client.exists(nodeStray), null);
  t.is(await client.exists(requestStray), null);
  t.true(store.holdsNodeLock(held.id), 'a lock of ours is left alone');
  t.is((await client.getChildren(`/nodepool/nodes/${held.id}/lock`)).children.length, 1);
  t.true(lines.includes(`WARN released lock of node ${stray.id} held by this launcher but no longer worked on`));
  t.true(lines.includes(`WARN released lock of request ${request.id} held by this launcher but no longer worked on`));
});

test('a contender seen once and then claimed or gone is not released', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = await nodepoolZk(t, client);
  const node = new Node();
  await store.storeNode(node);
  const path = await client.create(`/nodepool/nodes/${node.id}/lock/${STRAY_NAME}`, { mode: 'ephemeral-sequential', makeParents: true });
  t.deepEqual((await store.auditLocks()).suspects, [path]);
  await client.delete(path);
  const second = await store.auditLocks();
  t.deepEqual(second.released, []);
  t.deepEqual(second.suspects, []);
});

test('a lock we believe held whose contender someone removed is dropped, and logged', async (t) => {
  const client = await connect(t, zk().connectString);
  const other = await connectPeer(t, zk().connectString, client);
  const store = await nodepoolZk(t, client);
  const node = new Node();
  await store.storeNode(node);
  const lock = await store.lockNode(node);
  await other.delete(`${lock.path}/${lock.contenderName}`);
  const report = await store.auditLocks();
  t.deepEqual(report.dropped, [`node ${node.id}`]);
  t.false(store.holdsNodeLock(node.id));
  t.true(lines.includes(`WARN lock of node ${node.id} was lost: its contender is gone`));
  await store.lockNode(node);
  t.deepEqual(sortContenders((await client.getChildren(lock.path)).children).length, 1, 'it can be locked again');
});
