import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { getLogger, NodepoolZooKeeper, type Node } from '@nodepool/core';
import { validateConfigText } from '@nodepool/core/testing';
import staticDriver, { StaticProvider, type StaticProviderConfig } from '@nodepool/driver-static';
import { ZooKeeperClient } from '@nodepool/zookeeper';

export const PROVIDER = 'static-rack';

/** A NodepoolZooKeeper in a fresh chroot of its own, stopped and closed when the test ends. */
export async function freshZk(t: ExecutionContext, servers: string, chroot = `/t-${randomUUID()}`): Promise<NodepoolZooKeeper> {
  const client = new ZooKeeperClient({ servers, chroot, sessionTimeoutMs: 10_000 });
  await client.connect();
  await client.mkdirp('/');
  const zk = new NodepoolZooKeeper(client);
  t.teardown(async () => {
    await zk.stop();
    await client.close();
  });
  return zk;
}

/** Another session on the same chroot (Zuul, say). */
export function peerZk(t: ExecutionContext, servers: string, zk: NodepoolZooKeeper): Promise<NodepoolZooKeeper> {
  return freshZk(t, servers, zk.client.chroot);
}

/** A pool entry of the static provider, as written in nodepool.yaml. */
export interface PoolEntry {
  name?: string;
  'node-attributes'?: Record<string, unknown>;
  nodes: Record<string, unknown>[];
}

/** The `static-rack` provider of a nodepool.yaml holding these pools (JSON is YAML). */
export async function staticConfig(pools: PoolEntry[]): Promise<StaticProviderConfig> {
  const labels = new Set<string>();
  for (const pool of pools) {
    for (const node of pool.nodes) {
      const value = node.labels as string | string[];
      for (const label of typeof value === 'string' ? value.split(/\s+/) : value) labels.add(label);
    }
  }
  const text = JSON.stringify({
    'zookeeper-servers': [{ host: 'zk.example.com' }],
    labels: [...labels].map((name) => ({ name })),
    providers: [{ name: PROVIDER, driver: 'static', pools: pools.map((pool) => ({ name: 'main', ...pool })) }],
  });
  const result = await validateConfigText(text, [staticDriver]);
  if (result.messages.length > 0) throw new Error(`bad test config:\n${result.messages.join('\n')}`);
  return result.config!.providers.get(PROVIDER) as StaticProviderConfig;
}

/** A provider as the launcher creates it (node cache started first); stopped when the test ends. */
export async function createProvider(t: ExecutionContext, config: StaticProviderConfig, zk: NodepoolZooKeeper): Promise<StaticProvider> {
  await zk.nodeCache();
  const provider = staticDriver.createProvider(config, { zk, hostname: 'launcher.test', log: getLogger('test') }) as StaticProvider;
  t.teardown(() => provider.stop());
  return provider;
}

/** Every node record, read afresh, by slot then id. */
export async function readNodes(zk: NodepoolZooKeeper): Promise<Node[]> {
  const nodes = await Promise.all((await zk.getNodeIds()).map((id) => zk.getNode(id)));
  return nodes
    .filter((node): node is Node => node !== undefined)
    .sort((a, b) => (a.slot ?? -1) - (b.slot ?? -1) || a.id.localeCompare(b.id));
}

/** A node's state and slot, for compact assertions. */
export function stateAndSlot(node: Node): string {
  return `${node.hostname}:${node.connectionPort}/${node.slot}=${node.state}`;
}
