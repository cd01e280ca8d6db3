import { setTimeout as delay } from 'node:timers/promises';
import type { SimCloudControl } from '@nodepool/driver-sim/cloud';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { NODE_ROOT } from '@nodepool/zuul-client';

/** A node znode as read: its parsed record (undefined when it does not parse) and whether it is locked. */
export interface NodeEntry {
  id: string;
  state: string | undefined;
  provider: string | undefined;
  pool: string | undefined;
  locked: boolean;
}

/** Every node znode under the chroot, except those in `ignore` (the scenario's own corrupt ones). */
export async function readNodes(client: ZooKeeperClient, ignore: ReadonlySet<string> = new Set()): Promise<NodeEntry[]> {
  const { children } = await client.getChildren(NODE_ROOT).catch(() => ({ children: [] as string[] }));
  const entries = await Promise.all(
    children
      .filter((id) => !ignore.has(id))
      .map(async (id): Promise<NodeEntry | undefined> => {
        try {
          const [{ data }, lock] = await Promise.all([client.getData(`${NODE_ROOT}/${id}`), client.getChildren(`${NODE_ROOT}/${id}/lock`).catch(() => ({ children: [] as string[] }))]);
          let record: Record<string, unknown> | undefined;
          try {
            record = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
          } catch {
            record = undefined;
          }
          const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
          return { id, state: text(record?.state), provider: text(record?.provider), pool: text(record?.pool), locked: lock.children.length > 0 };
        } catch {
          // Deleted between the listing and the read.
          return undefined;
        }
      }),
  );
  return entries.filter((entry): entry is NodeEntry => entry !== undefined);
}

/**
 * Nodes of each pool that hold or are about to hold a cloud instance: every record except one
 * `deleted`, and (unless `withInit`) except `init`, the launcher's claim on a slot that it
 * deletes again when the claim comes after the pool's last slot.
 */
export function countByPool(nodes: readonly NodeEntry[], withInit = false): Map<string, number> {
  const counts = new Map<string, number>();
  for (const node of nodes) {
    if (node.state === 'deleted' || (node.state === 'init' && !withInit) || node.provider === undefined || node.pool === undefined) continue;
    const key = `${node.provider}/${node.pool}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Cloud instances whose `nodepool_node_id` names no node znode: leaks. */
export async function orphanInstances(client: ZooKeeperClient, cloud: SimCloudControl): Promise<string[]> {
  // Instances first: one created after this listing cannot be taken for a leak.
  const instances = await cloud.instances();
  const { children } = await client.getChildren(NODE_ROOT).catch(() => ({ children: [] as string[] }));
  const nodes = new Set(children);
  return instances.filter((instance) => !nodes.has(instance.metadata.nodepool_node_id ?? '')).map((instance) => instance.id);
}

export interface SettledState {
  /** Nodes still locked, or still building, in use, used or deleting, once the load is over. */
  stuckNodes: NodeEntry[];
  /** Cloud instances without a node record once the launchers had time to clean up. */
  leaked: string[];
  /** Instances without a node record when the nodes had settled, before the launchers' leak cleanup. */
  orphansFound: number;
  /** How long the leak cleanup took to remove them (0 when there were none). */
  leakCleanupMs: number;
}

/**
 * After the load: waits (up to `settleMs`) until no node is locked or between states (a node
 * `ready` and unlocked is at rest), then until the launchers' leak cleanup (two sightings a
 * minute apart) has deleted every instance without a node record (up to `leakMs`), and reports
 * what is left of either.
 */
export async function settle(
  client: ZooKeeperClient,
  cloud: SimCloudControl,
  options: { settleMs: number; leakMs: number; ignore?: ReadonlySet<string> },
): Promise<SettledState> {
  const atRest = (node: NodeEntry): boolean => !node.locked && (node.state === 'ready' || node.state === 'failed');
  let stuckNodes: NodeEntry[] = [];
  const settleDeadline = Date.now() + options.settleMs;
  for (;;) {
    stuckNodes = (await readNodes(client, options.ignore)).filter((node) => !atRest(node));
    if (stuckNodes.length === 0 || Date.now() > settleDeadline) break;
    await delay(500);
  }
  let leaked: string[] = [];
  let orphansFound: number | undefined;
  const leakStarted = Date.now();
  for (;;) {
    leaked = await orphanInstances(client, cloud);
    orphansFound ??= leaked.length;
    if (leaked.length === 0 || Date.now() > leakStarted + options.leakMs) break;
    await delay(1000);
  }
  return { stuckNodes, leaked, orphansFound, leakCleanupMs: orphansFound > 0 ? Date.now() - leakStarted : 0 };
}
