import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { Node, NodeCache, stringifyRecordJson } from '@nodepool/core';
import { connect, connectPeer, nodepoolZk } from './helpers.js';

const zk = useZooKeeper(test);

test('a record read after a change is told as read: listeners waiting for that read see it done', async (t) => {
  const client = await connect(t, zk().connectString);
  const peer = await connectPeer(t, zk().connectString, client);
  const cache = new NodeCache(client);
  t.teardown(() => cache.stop());
  await cache.start();

  const told: { state: string | undefined; reading: boolean }[] = [];
  cache.on('change', (change) => {
    if (change.kind === 'record') told.push({ state: change.value?.state, reading: cache.isReading(change.key) });
  });
  const node = new Node();
  node.setState('ready');
  const path = await peer.create('/nodepool/nodes/', { data: stringifyRecordJson(node.toJson()), mode: 'persistent-sequential' });
  await waitFor(() => told.length === 1, { timeoutMs: 10_000 });
  node.setState('used');
  await peer.setData(path, stringifyRecordJson(node.toJson()));
  await waitFor(() => told.some((each) => each.state === 'used'), { timeoutMs: 10_000 });
  t.deepEqual(told, [
    { state: 'ready', reading: false },
    { state: 'used', reading: false },
  ]);
});

test('nodes this client creates are in its cache once each create returns, not a read later', async (t) => {
  const store = await nodepoolZk(t, await connect(t, zk().connectString));
  const cache = await store.nodeCache();
  const seen: (string | undefined)[] = [];
  for (let i = 0; i < 20; i++) {
    const node = new Node();
    node.setState('ready');
    node.provider = 'rack';
    await store.storeNode(node);
    const cached = cache.get(node.id);
    seen.push(cached && `${cached.state} ${cached.provider} v${cached.version}`);
  }
  t.deepEqual(seen, Array<string>(20).fill('ready rack v0'));
});
