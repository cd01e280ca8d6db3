import type { Node, NodeState } from '@nodepool/core';
import type { StaticNodeConfig } from './config.js';

/**
 * What tells static hosts apart, as in the original: name, user and port. Two config entries
 * for one machine with different users are two hosts; changing a host's user or port is a
 * removal plus an addition.
 */
export function hostIdentity(host: StaticNodeConfig): string {
  return JSON.stringify([host.name, host.username, host.connectionPort]);
}

/** The identity of the host a registered node stands for; see {@link hostIdentity}. */
export function nodeIdentity(node: Node): string {
  return JSON.stringify([node.hostname, node.username, node.connectionPort]);
}

/**
 * Nodes on their way out free their slot: they are about to vanish, and the original counts
 * them out so a replacement can be registered at once.
 */
const LEAVING: ReadonlySet<NodeState> = new Set(['building', 'deleting', 'deleted']);

/**
 * The slot table of a provider: for each host identity, its registered nodes by slot number.
 *
 * A configured host has `max-parallel-jobs` slots; `null` marks a free one. A node keeps the
 * slot it records if that slot exists and is not taken; a node without one (registered by an
 * old version), or whose slot is gone or taken twice, moves to the first free slot, and when
 * none is left it is appended beyond `max-parallel-jobs` as an excess node. Hosts no longer
 * configured appear with only their (excess) nodes.
 */
export function assignSlots(hosts: readonly StaticNodeConfig[], nodes: readonly Node[]): Map<string, (Node | null)[]> {
  const slots = new Map<string, (Node | null)[]>();
  for (const host of hosts) slots.set(hostIdentity(host), new Array<Node | null>(host.maxParallelJobs).fill(null));
  const unslotted: Node[] = [];
  for (const node of nodes) {
    if (LEAVING.has(node.state)) continue;
    const id = nodeIdentity(node);
    const table = slots.get(id);
    if (!table) {
      slots.set(id, []);
      unslotted.push(node);
    } else if (node.slot !== null && node.slot >= 0 && node.slot < table.length && table[node.slot] === null) {
      table[node.slot] = node;
    } else {
      unslotted.push(node);
    }
  }
  for (const node of unslotted) {
    const table = slots.get(nodeIdentity(node))!;
    const free = table.indexOf(null);
    if (free === -1) table.push(node);
    else table[free] = node;
  }
  return slots;
}
