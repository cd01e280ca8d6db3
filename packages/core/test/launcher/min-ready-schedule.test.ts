import test, { type ExecutionContext } from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import {
  getLogger,
  MIN_READY_REQUESTOR,
  Node,
  type LauncherContext,
  type NodepoolConfig,
  type NodepoolZooKeeper,
  type NodeRequest,
  type ProviderRuntime,
} from '@nodepool/core';
import { createFakeDriver, launcherCluster, validateConfigText } from '@nodepool/core/testing';
import { MinReadyWorker } from '../../src/launcher/min-ready-worker.js';
import { testDriver } from '../helpers/test-driver.js';

const zk = useZooKeeper(test);

/** Five ready nodes from 08:00 to 18:00 UTC on weekdays, one otherwise. */
const config = `
labels:
  - name: ubuntu
    min-ready: 1
    min-ready-schedule:
      - cron: "0 8 * * 1-5"
        duration: 10h
        min-ready: 5
        timezone: UTC
providers:
  - name: cloud
    driver: test
    pools:
      - name: main
        labels:
          - name: ubuntu
`;

/** A fake clock the test moves by hand. */
class FakeClock {
  constructor(private ms: number) {}
  now = (): number => this.ms;
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
}

/** The min-ready worker alone, on a real ZooKeeper, with the parts of a launcher it reads. */
async function minReadyWorker(t: ExecutionContext, clock: FakeClock): Promise<{ worker: MinReadyWorker; store: NodepoolZooKeeper; client: ZooKeeperClient }> {
  const cluster = await launcherCluster(t, zk(), []);
  const store = await cluster.store();
  const client = await cluster.client();
  const loaded = await validateConfigText(config, [testDriver('test')]);
  const nodepoolConfig = loaded.config as NodepoolConfig;
  const provider = nodepoolConfig.providers.get('cloud')!;
  const runtime = { config: provider, driver: testDriver('test'), provider: { name: 'cloud', start: async () => {}, stop: async () => {} }, activeRequests: 0 } as unknown as ProviderRuntime;
  const context = {
    zk: store,
    nodes: await store.nodeCache(),
    requests: await store.requestCache(),
    images: await store.imageCache(),
    timings: { mainLoopMs: 60_000 },
    log: getLogger('test.min-ready'),
    config: () => nodepoolConfig,
    provider: (name: string) => (name === 'cloud' ? runtime : undefined),
  } as unknown as LauncherContext;
  return { worker: new MinReadyWorker(context, clock.now), store, client };
}

/** Our outstanding min-ready requests, read from ZooKeeper (not a cache that may lag). */
async function minReadyRequests(store: NodepoolZooKeeper, client: ZooKeeperClient): Promise<NodeRequest[]> {
  const exists = await client.exists('/nodepool/requests');
  const { children } = exists ? await client.getChildren('/nodepool/requests') : { children: [] };
  const requests = await Promise.all(children.map((id) => store.getNodeRequest(id)));
  return requests.filter((request): request is NodeRequest => request?.requestor === MIN_READY_REQUESTOR && request.state === 'requested');
}

/** Serves every min-ready request with a new ready node, as a pool worker would. */
async function fulfil(store: NodepoolZooKeeper, client: ZooKeeperClient): Promise<string[]> {
  const ids: string[] = [];
  for (const request of await minReadyRequests(store, client)) {
    const node = new Node();
    node.setState('ready');
    node.type = ['ubuntu'];
    node.provider = 'cloud';
    node.pool = 'main';
    node.allocatedTo = request.id;
    await store.storeNode(node);
    request.nodes = [node.id];
    request.setState('fulfilled');
    await store.storeNodeRequest(request);
    ids.push(node.id);
  }
  const nodes = await store.nodeCache();
  const requests = await store.requestCache();
  await waitFor(() => ids.every((id) => nodes.get(id)) && [...requests.values()].every((request) => request.state === 'fulfilled'), { timeoutMs: 10_000 });
  return ids;
}

/** Ready nodes no request holds, as the worker's node cache shows them. */
async function readyFreeInCache(store: NodepoolZooKeeper): Promise<number> {
  const nodes = await store.nodeCache();
  return [...nodes.values()].filter(isReadyFree).length;
}

/** Ready nodes no request holds, read from ZooKeeper. */
async function readyFree(store: NodepoolZooKeeper): Promise<number> {
  const nodes = await Promise.all((await store.getNodeIds()).map((id) => store.getNode(id)));
  return nodes.filter((node): node is Node => node !== undefined && isReadyFree(node)).length;
}

function isReadyFree(node: Node): boolean {
  return node.state === 'ready' && node.allocatedTo === null;
}

test('inside a window the window’s min-ready is kept; outside it, the plain one', async (t) => {
  const clock = new FakeClock(Date.parse('2025-01-06T09:00:00Z')); // a Monday, the window open
  const { worker, store, client } = await minReadyWorker(t, clock);

  await worker.pass();
  t.is((await minReadyRequests(store, client)).length, 5, 'one request per missing node in working hours');
  const launched = await fulfil(store, client);
  await worker.pass();
  await waitFor(async () => (await readyFreeInCache(store)) === 5, { timeoutMs: 10_000, message: 'the nodes were released' });
  await worker.pass();
  t.is((await minReadyRequests(store, client)).length, 0, 'five ready nodes: nothing more to request');

  // The evening: the window has closed, min-ready is 1 again. Jobs take four nodes.
  clock.set('2025-01-06T19:00:00Z');
  const nodes = await store.nodeCache();
  for (const id of launched.slice(0, 4)) {
    const node = (await store.getNode(id))!;
    node.setState('in-use');
    await store.storeNode(node);
  }
  await waitFor(() => launched.slice(0, 4).every((id) => nodes.get(id)?.state === 'in-use'), { timeoutMs: 10_000 });
  await worker.pass();
  t.is((await minReadyRequests(store, client)).length, 0, 'one ready node is enough in the evening: the taken ones are not replaced');

  // The next morning the window opens again and four nodes are missing.
  clock.set('2025-01-07T08:00:00Z');
  await worker.pass();
  t.is((await minReadyRequests(store, client)).length, 4);
});

test('when the window closes, ready nodes beyond the plain min-ready stay ready (as 9.0.0 on a lowered min-ready)', async (t) => {
  const clock = new FakeClock(Date.parse('2025-01-06T17:00:00Z'));
  const { worker, store, client } = await minReadyWorker(t, clock);
  await worker.pass();
  await fulfil(store, client);
  await worker.pass();
  await waitFor(async () => (await readyFreeInCache(store)) === 5, { timeoutMs: 10_000 });

  clock.set('2025-01-06T18:00:00Z');
  await worker.pass();
  await worker.pass();
  t.is(await readyFree(store), 5, 'nothing deleted');
  t.is((await minReadyRequests(store, client)).length, 0, 'nothing requested');
});

test('on a weekend only the plain min-ready is requested', async (t) => {
  const clock = new FakeClock(Date.parse('2025-01-04T10:00:00Z')); // a Saturday
  const { worker, store, client } = await minReadyWorker(t, clock);
  await worker.pass();
  t.is((await minReadyRequests(store, client)).length, 1);
});

test('a launcher keeps the min-ready of an open window with real launches', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const cluster = await launcherCluster(t, zk(), [driver]);
  // A window opening every minute for an hour is always open.
  await cluster.launcher(`
labels:
  - name: small
    min-ready-schedule:
      - cron: "* * * * *"
        duration: 1h
        min-ready: 2
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 4
        labels:
          - name: small
`);
  const store = await cluster.store();
  await waitFor(async () => (await readyFree(store)) === 2 && (await store.requestCache()).size === 0, {
    timeoutMs: 20_000,
    message: 'two free ready nodes and no leftover requests',
  });
  t.is(cloud.launched.length, 2);
});
