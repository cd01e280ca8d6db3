import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { KazooPeer } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import { CachedStatusSource, NodepoolZooKeeper, WebApp, createMetricsRegistry, type HealthSource, type HistoryClock, type MetricsInputs, type NodepoolConfig, type WebAppOptions } from '@nodepool/core';
import { RENDERED_AT, seedOriginalRecords, type SeededRecords } from '../helpers/original-records.js';

export interface WebFixture {
  url: string;
  app: WebApp;
  client: ZooKeeperClient;
  zk: NodepoolZooKeeper;
  seeded: SeededRecords;
  /** A kazoo client on the same chroot (Zuul, say): its locks are real kazoo locks. */
  peer: KazooPeer;
  ready: { value: boolean };
  /** Another client's view of the same chroot (Zuul, another launcher): what it writes, the app's caches read back. */
  writer(): Promise<NodepoolZooKeeper>;
}

/**
 * A chroot seeded with the original's records (written by kazoo), a web app over caches of it,
 * rendering ages at `RENDERED_AT` (or by the `now` given); all torn down when the test ends.
 */
export async function webFixture(
  t: ExecutionContext,
  connectString: string,
  options: {
    config?: NodepoolConfig;
    seed?: boolean;
    dashboard?: WebAppOptions['dashboard'];
    now?: () => number;
    cacheExpirySeconds?: number;
    /** Keep a history over the caches, on this clock. */
    history?: { clock: HistoryClock };
    /** This launcher's breakers, for `/metrics`. */
    breakers?: MetricsInputs['health'];
    /** Every launcher's breakers, for `/provider-health` and the dashboard, read with the app's client. */
    health?: (client: ZooKeeperClient) => HealthSource;
  } = {},
): Promise<WebFixture> {
  const chroot = `/web-${randomUUID()}`;
  const client = new ZooKeeperClient({ servers: connectString, chroot, sessionTimeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.connect();
  await client.mkdirp('/');
  const seeded = options.seed === false ? ({} as SeededRecords) : await seedOriginalRecords(`${connectString}${chroot}`);
  const zk = new NodepoolZooKeeper(client);
  t.teardown(() => zk.stop());
  const peer = await KazooPeer.start(`${connectString}${chroot}`);
  t.teardown(() => peer.stop());
  const ready = { value: true };
  const config = options.config ?? ({ providers: new Map() } as unknown as NodepoolConfig);
  const app = new WebApp({
    port: 0,
    listenAddress: '127.0.0.1',
    source: await CachedStatusSource.of(zk),
    ready: () => ready.value,
    metrics: createMetricsRegistry({ nodes: await zk.nodeCache(), components: await zk.componentRegistry(), config: () => config, health: options.breakers }),
    now: options.now ?? (() => RENDERED_AT),
    dashboard: options.dashboard,
    cacheExpirySeconds: options.cacheExpirySeconds,
    health: options.health?.(client),
    history: options.history && { nodes: await zk.nodeCache(), requests: await zk.requestCache(), clock: options.history.clock },
  });
  await app.start();
  t.teardown(() => app.stop());
  const writer = async (): Promise<NodepoolZooKeeper> => {
    const other = new ZooKeeperClient({ servers: connectString, chroot, sessionTimeoutMs: 10_000 });
    t.teardown(() => other.close());
    await other.connect();
    const view = new NodepoolZooKeeper(other);
    t.teardown(() => view.stop());
    return view;
  };
  return { url: `http://127.0.0.1:${app.port}`, app, client, zk, seeded, peer, ready, writer };
}
