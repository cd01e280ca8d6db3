import test from 'ava';
import { TcpProxy, useZooKeeper, waitFor } from '@nodepool/testkit';
import {
  ImageBuild,
  ImageUpload,
  KazooLock,
  Node,
  NodeCache,
  NodeRequest,
  NodepoolZooKeeper,
  RequestCache,
  stringifyRecordJson,
} from '@nodepool/core';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { connect, connectPeer } from './helpers.js';

// Short ticks: sessions can expire within seconds for the expiry test.
const zk = useZooKeeper(test, { tickTimeMs: 200 });

/** What the tree really holds: node id → state, and id → contender count. */
async function readTruth(client: ZooKeeperClient): Promise<{ states: Map<string, string>; locks: Map<string, number> }> {
  const states = new Map<string, string>();
  const locks = new Map<string, number>();
  const { children } = await client.getChildren('/nodepool/nodes');
  await Promise.all(
    children.map(async (id) => {
      const { data } = await client.getData(`/nodepool/nodes/${id}`);
      if (data.length > 0) states.set(id, (JSON.parse(data.toString()) as { state: string }).state);
      const lock = await client.exists(`/nodepool/nodes/${id}/lock`);
      if (lock) {
        const count = (await client.getChildren(`/nodepool/nodes/${id}/lock`)).children.length;
        if (count > 0) locks.set(id, count);
      }
    }),
  );
  return { states, locks };
}

function cacheView(cache: NodeCache): { states: Map<string, string>; locks: Map<string, number> } {
  const states = new Map([...cache.entries()].map(([id, node]) => [id, node.state]));
  const locks = new Map<string, number>();
  for (const id of states.keys()) if (cache.lockContenders(id).size > 0) locks.set(id, cache.lockContenders(id).size);
  return { states, locks };
}

async function converged(t: import('ava').ExecutionContext, cache: NodeCache, truthClient: ZooKeeperClient): Promise<void> {
  const sorted = (view: { states: Map<string, string>; locks: Map<string, number> }) => ({
    states: [...view.states].sort(),
    locks: [...view.locks].sort(),
  });
  let truth = sorted(await readTruth(truthClient));
  await waitFor(
    async () => {
      truth = sorted(await readTruth(truthClient));
      return JSON.stringify(sorted(cacheView(cache))) === JSON.stringify(truth);
    },
    { timeoutMs: 20_000, message: 'the cache did not converge' },
  );
  t.deepEqual(sorted(cacheView(cache)), truth);
}

const STATES = ['building', 'ready', 'in-use', 'used', 'hold'] as const;

/** `count` random writes through `store`: state changes, deletions, re-creations, lock churn. */
async function churn(client: ZooKeeperClient, count: number, seed = 1): Promise<void> {
  let random = seed;
  const next = (n: number): number => {
    random = (random * 1103515245 + 12345) % 2147483648;
    return random % n;
  };
  const store = new NodepoolZooKeeper(client);
  const nodes: Node[] = [];
  for (let i = 0; i < 200; i++) {
    const node = new Node();
    node.setState('ready');
    await store.storeNode(node);
    nodes.push(node);
  }
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const node = nodes[next(nodes.length)]!;
    const action = next(10);
    const path = `/nodepool/nodes/${node.id}`;
    if (action < 7) {
      node.setState(STATES[next(STATES.length)]!);
      batch.push(client.setData(path, stringifyRecordJson(node.toJson())).catch(() => undefined));
    } else if (action === 7) {
      batch.push(client.deleteRecursive(path).then(() => client.create(path, { data: stringifyRecordJson(node.toJson()) })).catch(() => undefined));
    } else if (action === 8) {
      batch.push(client.create(`${path}/lock/${'a'.repeat(32)}__lock__`, { mode: 'ephemeral-sequential', makeParents: true }).catch(() => undefined));
    } else {
      batch.push(
        client.getChildren(`${path}/lock`).then(
          ({ children }) => (children[0] ? client.delete(`${path}/lock/${children[0]}`) : undefined),
          () => undefined,
        ).catch(() => undefined),
      );
    }
    if (batch.length >= 200) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

test('the node cache converges with no missed update under 10,000 writes from another client', async (t) => {
  const client = await connect(t, zk().connectString);
  const writer = await connectPeer(t, zk().connectString, client);
  const cache = new NodeCache(client);
  t.teardown(() => cache.stop());
  await cache.start();
  await churn(writer, 10_000);
  await converged(t, cache, writer);
  t.true(cache.size >= 150);
});

test("the cache shows its own client's writes from their replies, without reading them back", async (t) => {
  const client = await connect(t, zk().connectString);
  const store = new NodepoolZooKeeper(client);
  const cache = new NodeCache(client);
  t.teardown(() => cache.stop());
  await cache.start();
  const nodes: Node[] = [];
  for (let i = 0; i < 20; i++) {
    const node = new Node();
    node.setState('building');
    await store.storeNode(node);
    nodes.push(node);
  }
  await waitFor(() => cache.size === 20);
  let reads = 0;
  const getData = client.getData.bind(client);
  client.getData = (...args) => {
    reads++;
    return getData(...args);
  };
  for (const node of nodes) {
    node.setState('ready');
    await store.storeNode(node);
    // Shown by the time the write's promise settles, with the version the server gave it.
    t.is(cache.get(node.id)?.state, 'ready');
    t.is(cache.get(node.id)?.version, node.version);
  }
  await Promise.all(nodes.map(async (node) => {
    node.setState('in-use');
    await store.storeNode(node);
  }));
  await client.sync('/');
  t.deepEqual([...cache.values()].map((node) => node.state), nodes.map(() => 'in-use'));
  t.is(reads, 0);
});

test("the cache converges when its own client's versioned writes race another client's", async (t) => {
  const client = await connect(t, zk().connectString);
  const other = await connectPeer(t, zk().connectString, client);
  const mine = new NodepoolZooKeeper(client);
  const theirs = new NodepoolZooKeeper(other);
  const cache = new NodeCache(client);
  t.teardown(() => cache.stop());
  await cache.start();
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const node = new Node();
    node.setState('building');
    await mine.storeNode(node);
    ids.push(node.id);
  }
  let failed = 0;
  // One race per node for certain, whatever the interleaving below: our write of a version the
  // other client has moved past.
  for (const id of ids) {
    const stale = (await mine.getNode(id))!;
    const fresh = (await theirs.getNode(id))!;
    fresh.setState('hold');
    await theirs.storeNode(fresh);
    stale.setState('ready');
    await mine.storeNode(stale).catch(() => failed++);
  }
  t.is(failed, ids.length, 'a write of a stale version fails');
  // Each writer reads, then writes with the version it read: many of ours fail with BadVersion.
  const writeLoop = async (store: NodepoolZooKeeper, states: readonly string[]): Promise<void> => {
    for (let round = 0; round < 40; round++) {
      await Promise.all(ids.map(async (id) => {
        const node = await store.getNode(id);
        if (!node) return;
        node.setState(states[round % states.length] as Node['state']);
        await store.storeNode(node).catch(() => failed++);
      }));
    }
  };
  await Promise.all([writeLoop(mine, ['ready', 'in-use']), writeLoop(theirs, ['used', 'hold'])]);
  await converged(t, cache, other);
  for (const id of ids) t.is(cache.get(id)?.version, (await other.exists(`/nodepool/nodes/${id}`))?.version);
});

test('a node shows in the cache no later than any node created after it, even when changed at once', async (t) => {
  // The launchers' quota race is settled by creation order: seeing node N means seeing every
  // earlier node. A record changed while its first read was in flight must not lag behind.
  const client = await connect(t, zk().connectString);
  const writer = await connectPeer(t, zk().connectString, client);
  const cache = new NodeCache(client);
  t.teardown(() => cache.stop());
  await cache.start();
  const violations: string[] = [];
  cache.on('change', () => {
    const ids = [...cache.keys()].sort();
    const newest = ids.at(-1);
    if (!newest) return;
    for (let n = 0; n < Number(newest); n++) {
      const id = String(n).padStart(10, '0');
      if (!cache.get(id)) violations.push(`${newest} before ${id}`);
    }
  });
  const data = (state: string): Buffer => stringifyRecordJson({ state, type: ['small'] });
  const writes: Promise<unknown>[] = [];
  for (let n = 0; n < 200; n++) {
    const id = String(n).padStart(10, '0');
    // Pipelined: the change follows the create before the cache's first read returns, and
    // the next node, created but not changed, needs only one read.
    writes.push(writer.create(`/nodepool/nodes/${id}`, { data: data('init'), makeParents: true }));
    if (n % 2 === 0) writes.push(writer.setData(`/nodepool/nodes/${id}`, data('building')));
  }
  await Promise.all(writes);
  await waitFor(() => cache.size === 200, { timeoutMs: 10_000 });
  t.deepEqual(violations.slice(0, 5), []);
});

test('the cache catches up with changes made while it was disconnected', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  const client = await connect(t, proxy.address, { sessionTimeoutMs: 4_000 });
  const writer = await connectPeer(t, zk().connectString, client);
  const cache = new NodeCache(client);
  t.teardown(() => cache.stop());
  await cache.start();
  await churn(writer, 500, 7);
  await converged(t, cache, writer);

  proxy.block();
  await waitFor(() => client.state === 'suspended', { timeoutMs: 5_000 });
  await churn(writer, 2_000, 11);
  proxy.unblock();
  await waitFor(() => client.state === 'connected', { timeoutMs: 10_000 });
  await converged(t, cache, writer);
});

test('the cache is rebuilt after its session expires', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  // The longest session this server allows: a shorter one is lost to a busy machine's stalls
  // before the test means it to be.
  const client = await connect(t, proxy.address, { sessionTimeoutMs: 4_000 });
  const writer = await connectPeer(t, zk().connectString, client);
  const cache = new NodeCache(client);
  t.teardown(() => cache.stop());
  await cache.start();
  await churn(writer, 300, 3);
  // A lock of the cache's own session: it must disappear with the session.
  const someId = [...cache.entries()][0]![0];
  const ownLock = new KazooLock(client, `/nodepool/nodes/${someId}/lock`);
  await ownLock.acquire();
  const ownContender = `/nodepool/nodes/${someId}/lock/${ownLock.contenderName}`;
  await converged(t, cache, writer);

  const expired = new Promise<void>((resolve) => client.once('expired', () => resolve()));
  proxy.block();
  await churn(writer, 1_000, 5);
  await waitFor(async () => (await writer.exists(ownContender)) === null, { timeoutMs: 30_000, message: 'the session never expired' });
  proxy.unblock();
  await expired;
  await converged(t, cache, writer);
});

test('corrupt and empty node znodes are skipped, not fatal', async (t) => {
  const client = await connect(t, zk().connectString);
  const cache = new NodeCache(client);
  t.teardown(() => cache.stop());
  await client.create('/nodepool/nodes/0000000001', { data: '{"state": "ready"', makeParents: true });
  await client.create('/nodepool/nodes/0000000002');
  await client.create('/nodepool/nodes/0000000003', { data: '{"state": "ready", "type": ["x"]}' });
  await cache.start();
  t.deepEqual([...cache.entries()].map(([id]) => id), ['0000000003']);
  // A record that turns corrupt disappears from the cache; fixing it brings it back.
  await client.setData('/nodepool/nodes/0000000003', 'garbage');
  await waitFor(() => cache.size === 0, { timeoutMs: 5_000 });
  await client.setData('/nodepool/nodes/0000000001', '{"state": "hold"}');
  await waitFor(() => cache.get('0000000001')?.state === 'hold', { timeoutMs: 5_000 });
  t.pass();
});

test('lock contenders make a node "probably locked", and changedSince wakes on them', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = new NodepoolZooKeeper(client);
  t.teardown(() => store.stop());
  const node = new Node();
  node.setState('ready');
  await store.storeNode(node);
  const cache = await store.nodeCache();
  await waitFor(() => cache.get(node.id) !== undefined, { timeoutMs: 5_000 });
  t.false(cache.isProbablyLocked(node.id));
  const revision = cache.revision;
  const woke = cache.changedSince(revision, 5_000);
  const lock = await store.lockNode(node);
  t.true(await woke);
  await waitFor(() => cache.isProbablyLocked(node.id), { timeoutMs: 5_000 });
  await lock.release();
  await waitFor(() => !cache.isProbablyLocked(node.id), { timeoutMs: 5_000 });
  t.false(await cache.changedSince(cache.revision, 50), 'nothing changed: times out false');
});

test('the request cache follows requests of both kinds', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = new NodepoolZooKeeper(client);
  t.teardown(() => store.stop());
  const cache = new RequestCache(client);
  t.teardown(() => cache.stop());
  await cache.start();
  const zuul = new NodeRequest();
  zuul.nodeTypes = ['label'];
  await store.storeNodeRequest(zuul, { priority: '200' });
  const minReady = new NodeRequest();
  await store.storeNodeRequest(minReady, { priority: '900', ephemeral: true });
  await waitFor(() => cache.size === 2, { timeoutMs: 5_000 });
  t.regex(zuul.id, /^200-\d{10}$/);
  t.regex(minReady.id, /^900-\d{10}$/);
  zuul.setState('pending');
  await store.storeNodeRequest(zuul);
  await waitFor(() => cache.get(zuul.id)?.state === 'pending', { timeoutMs: 5_000 });
  await store.deleteNodeRequest(zuul);
  await waitFor(() => cache.size === 1, { timeoutMs: 5_000 });
  t.pass();
});

test('the image cache holds builds, uploads and image flags', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = new NodepoolZooKeeper(client);
  t.teardown(() => store.stop());
  const cache = await store.imageCache();
  const build = new ImageBuild();
  build.image = 'debian';
  build.setState('ready');
  build.formats = ['qcow2'];
  await store.storeBuild(build);
  const upload = new ImageUpload();
  Object.assign(upload, { image: 'debian', buildId: build.id, provider: 'cloud-a' });
  upload.setState('ready');
  await store.storeUpload(upload);
  await store.setImagePaused('debian', true);
  await waitFor(() => cache.uploads({ image: 'debian' }).length === 1 && cache.hasFlag('debian', 'pause'), { timeoutMs: 5_000 });
  t.deepEqual(cache.builds('debian').map((b) => b.id), [build.id]);
  t.is(cache.uploads({ provider: 'cloud-a' })[0]!.path, upload.path);
  await store.setImagePaused('debian', false);
  await waitFor(() => !cache.hasFlag('debian', 'pause'), { timeoutMs: 5_000 });
  t.pass();
});
