import test from 'ava';
import { KazooPeer, useZooKeeper } from '@nodepool/testkit';
import { KazooLock, Node, NodepoolZooKeeper } from '@nodepool/core';
import { NodeExistsError } from '@nodepool/zookeeper';
import { connect } from './helpers.js';

const zk = useZooKeeper(test);

/** A node record and a kazoo peer on the same chroot. */
async function setup(t: import('ava').ExecutionContext) {
  const client = await connect(t, zk().connectString);
  const store = new NodepoolZooKeeper(client);
  const node = new Node();
  node.setState('ready');
  await store.storeNode(node);
  const peer = await KazooPeer.start(`${zk().connectString}${client.chroot}`);
  t.teardown(() => peer.stop());
  return { client, store, peer, lockPath: `/nodepool/nodes/${node.id}/lock`, node };
}

test('a kazoo lock keeps ours out, blocking and non-blocking', async (t) => {
  const { client, store, peer, lockPath, node } = await setup(t);
  t.true((await peer.acquire(lockPath)).acquired);
  t.false(await new KazooLock(client, lockPath).acquire({ blocking: false }));
  await t.throwsAsync(store.lockNode(node, { blocking: true, timeoutMs: 300 }), { message: /timed out/ });
  const waiting = new KazooLock(client, lockPath).acquire({ timeoutMs: 10_000 });
  await peer.release(lockPath);
  t.true(await waiting);
});

test('our lock keeps kazoo out, blocking and non-blocking', async (t) => {
  const { client, peer, lockPath } = await setup(t);
  const ours = new KazooLock(client, lockPath);
  t.true(await ours.acquire());
  t.false((await peer.acquire(lockPath, { blocking: false })).acquired);
  t.deepEqual(await peer.acquire(lockPath, { timeoutMs: 300 }), { acquired: false, timeout: true });
  const waiting = peer.acquire(lockPath, { timeoutMs: 10_000 });
  await ours.release();
  t.true((await waiting).acquired);
});

test('kazoo sees our contender names and identifiers in its own order', async (t) => {
  const { client, peer, lockPath } = await setup(t);
  const ours = new KazooLock(client, lockPath, { identifier: 'nodepool-ts' });
  await ours.acquire();
  const children = await peer.children(lockPath);
  t.deepEqual(children, [ours.contenderName]);
  t.deepEqual(await peer.contenders(lockPath), ['nodepool-ts']);
});

test('we see kazoo contenders as holders, queued behind in sequence order', async (t) => {
  const { client, peer, lockPath } = await setup(t);
  const reply = await peer.acquire(lockPath, { identifier: 'zuul-executor' });
  const probe = new KazooLock(client, lockPath);
  t.deepEqual(await probe.contenders(), ['zuul-executor']);
  t.is((await client.getChildren(lockPath)).children[0], reply.node ?? undefined);
});

test('1000 rounds of contention between kazoo and us never let both hold the lock', async (t) => {
  const { client, peer, lockPath } = await setup(t);
  const marker = '/nodepool/exclusive-marker';
  const rounds = 1000;
  let ourViolations = 0;
  const ourSide = (async () => {
    for (let i = 0; i < rounds; i++) {
      const lock = new KazooLock(client, lockPath);
      await lock.acquire();
      try {
        await client.create(marker, { mode: 'ephemeral' });
        await client.delete(marker);
      } catch (error) {
        if (error instanceof NodeExistsError) ourViolations++;
        else throw error;
      } finally {
        await lock.release();
      }
    }
  })();
  const kazooViolations = await peer.contend(lockPath, marker, rounds);
  await ourSide;
  t.is(ourViolations, 0);
  t.is(kazooViolations, 0);
  t.deepEqual(await peer.children(lockPath), [], 'every contender was cleaned up');
});
