import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import { DriverRegistry } from '../discovery/driver-registry.js';
import type { Driver } from '../driver/driver.js';
import { Launcher } from '../launcher/launcher.js';
import type { LauncherTimings } from '../launcher/timings.js';
import type { Stats } from '../stats/stats.js';
import { NodeRequest } from '../zk/node-request.js';
import { NodepoolZooKeeper } from '../zk/nodepool-zookeeper.js';

/** The part of a test framework's context this helper needs (ava's `t` fits). */
export interface TeardownContext {
  teardown(fn: () => unknown): void;
}

/** A ZooKeeper server to run against (testkit's `LocalZooKeeper` fits). */
export interface ZooKeeperEndpoint {
  host: string;
  port: number;
  connectString: string;
  tls?: { ca: string; cert: string; key: string; caFile: string; certFile: string; keyFile: string } | undefined;
}

/** Fast housekeeping for tests: the request path itself is event driven anyway. */
export const fastTimings: Partial<LauncherTimings> = {
  mainLoopMs: 100,
  deletedNodeIntervalMs: 200,
  cleanupIntervalMs: 500,
  poolWorkerFallbackMs: 1_000,
  statsIntervalMs: 50,
};

export interface Cluster {
  chroot: string;
  dir: string;
  /** A configuration's text with this cluster's ZooKeeper settings prepended. */
  configText(body: string): string;
  /** Starts a launcher on `body`; stopped when the test ends (unless stopped before). */
  launcher(body: string, options?: { drivers?: Driver[]; hostname?: string; timings?: Partial<LauncherTimings>; stats?: Stats; file?: string }): Promise<Launcher>;
  /** A plain client on the cluster's chroot, as a peer (Zuul, an operator). */
  client(): Promise<ZooKeeperClient>;
  store(): Promise<NodepoolZooKeeper>;
}

/**
 * A sandbox for end-to-end tests on a real ZooKeeper: its own chroot, a directory for
 * configuration files, launchers started on demand (stopped when the test ends), and clients
 * acting as Zuul or an operator.
 */
export async function launcherCluster(t: TeardownContext, zk: ZooKeeperEndpoint, drivers: Driver[]): Promise<Cluster> {
  const chroot = `/t-${randomUUID()}`;
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-launcher-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const tls = zk.tls ? `zookeeper-tls:\n  ca: ${zk.tls.caFile}\n  cert: ${zk.tls.certFile}\n  key: ${zk.tls.keyFile}\n` : '';
  const header = `zookeeper-servers:\n  - host: ${zk.host}\n    port: ${zk.port}\n    chroot: ${chroot}\nzookeeper-timeout: 10\n${tls}`;
  const configText = (body: string): string => `${header}${body}`;
  const clients: ZooKeeperClient[] = [];
  t.teardown(async () => {
    for (const client of clients) await client.close();
  });
  const client = async (): Promise<ZooKeeperClient> => {
    const created = new ZooKeeperClient({
      servers: zk.connectString,
      chroot,
      // A test's own clients (Zuul, observers) never need to expire; a long session rides out
      // a machine so busy that pings go unanswered for seconds. Launchers keep 10 s, so a
      // killed one is seen gone soon.
      sessionTimeoutMs: 30_000,
      tls: zk.tls ? { ca: zk.tls.ca, cert: zk.tls.cert, key: zk.tls.key } : undefined,
    });
    clients.push(created);
    await created.connect();
    await created.mkdirp('/');
    return created;
  };
  return {
    chroot,
    dir,
    configText,
    client,
    async store() {
      const store = new NodepoolZooKeeper(await client());
      t.teardown(() => store.stop());
      return store;
    },
    async launcher(body, options = {}) {
      const file = options.file ?? join(dir, `nodepool-${randomUUID()}.yaml`);
      await writeFile(file, configText(body));
      const launcher = new Launcher({
        configFile: file,
        drivers: DriverRegistry.of(...(options.drivers ?? drivers)),
        hostname: options.hostname ?? 'nl-test',
        timings: { ...fastTimings, ...options.timings },
        stats: options.stats,
        env: {},
      });
      let stopped = false;
      const stop = launcher.stop.bind(launcher);
      launcher.stop = async () => {
        if (stopped) return;
        stopped = true;
        await stop();
      };
      t.teardown(() => launcher.stop());
      await launcher.start();
      return launcher;
    },
  };
}

/** Submits a request the way Zuul does (creation document only); returns its ID. */
export async function submitRequest(store: NodepoolZooKeeper, labels: string[], options: { priority?: string; tenant?: string; requestor?: string } = {}): Promise<string> {
  const request = new NodeRequest();
  request.nodeTypes = labels;
  request.requestor = options.requestor ?? 'zuul-system-id';
  request.tenantName = options.tenant ?? null;
  request.setState('requested');
  await store.storeNodeRequest(request, { priority: options.priority ?? '200' });
  return request.id;
}

/** Whether the cluster's launcher says its pool is paused (waiting for quota), as its pool component records. */
export async function poolPaused(cluster: Pick<Cluster, 'client'>): Promise<boolean> {
  const client = await cluster.client();
  const [component] = (await client.getChildren('/nodepool/components/pool')).children;
  return component !== undefined && (JSON.parse((await client.getData(`/nodepool/components/pool/${component}`)).data.toString()) as { paused: boolean }).paused;
}
