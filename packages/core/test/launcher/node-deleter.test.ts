import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { getLogger, Node, NodeDeleter, type NodepoolZooKeeper, type Provider, type ProviderRuntime } from '@nodepool/core';
import { connect, nodepoolZk } from '../zk/helpers.js';

const zk = useZooKeeper(test);

/** A deleter whose one provider, `cloud`, records the nodes it was asked to clean up. */
function deleterFor(store: NodepoolZooKeeper): { deleter: NodeDeleter; cleaned: string[] } {
  const cleaned: string[] = [];
  const provider = {
    name: 'cloud',
    cleanupNode: async (node: Node) => void cleaned.push(node.id),
  } as unknown as Provider;
  const runtime = { provider } as unknown as ProviderRuntime;
  const deleter = new NodeDeleter(store, (name) => (name === 'cloud' ? runtime : undefined), getLogger('test'), 60_000);
  return { deleter, cleaned };
}

async function usedNode(store: NodepoolZooKeeper): Promise<Node> {
  const node = new Node();
  node.setState('used');
  node.provider = 'cloud';
  node.type = ['small'];
  await store.storeNode(node);
  return node;
}

test('a node is deleted from its cached copy when that copy is current', async (t) => {
  const store = await nodepoolZk(t, await connect(t, zk().connectString));
  const cache = await store.nodeCache();
  const { deleter, cleaned } = deleterFor(store);
  const node = await usedNode(store);
  await waitFor(() => cache.get(node.id)?.state === 'used', { timeoutMs: 10_000 });
  await deleter.reap(cache.get(node.id)!, (fresh) => fresh.state === 'used');
  t.deepEqual(cleaned, [node.id]);
  t.deepEqual(await store.getNodeIds(), []);
});

test('a cached copy that is out of date is not acted on: the fresh record decides', async (t) => {
  const store = await nodepoolZk(t, await connect(t, zk().connectString));
  const { deleter, cleaned } = deleterFor(store);
  const node = await usedNode(store);
  const stale = node.clone();
  // Someone held it meanwhile: no longer a node to reap.
  node.setState('hold');
  await store.storeNode(node);
  await deleter.reap(stale, (fresh) => fresh.state === 'used');
  t.deepEqual(cleaned, []);
  t.is((await store.getNode(node.id))?.state, 'hold');
  t.deepEqual(await store.nodeLockContenders(node.id), [], 'the lock was given back');
});
