import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { LocalZooKeeper } from '@nodepool/testkit';
import { DriverRegistry, Launcher, NodeRequest, NodepoolZooKeeper, type Driver, type LauncherTimings, type Stats } from '@nodepool/core';
import { ZooKeeperClient } from '@nodepool/zookeeper';

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

export async function cluster(t: ExecutionContext, zk: LocalZooKeeper, drivers: Driver[]): Promise<Cluster> {
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
      sessionTimeoutMs: 10_000,
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
