import type { Component } from '../zk/component.js';
import { NODE_STATES, type Node, type NodeState } from '../zk/node.js';

/** Nodes by state: over all, per provider and per label (observability spec §2.2). */
export interface NodeCounts {
  readonly total: ReadonlyMap<NodeState, number>;
  readonly byProvider: ReadonlyMap<string, ReadonlyMap<NodeState, number>>;
  readonly byLabel: ReadonlyMap<string, ReadonlyMap<NodeState, number>>;
}

/**
 * Counts nodes as the original's stats do. Every state is present (zero-filled) for the total,
 * for each provider of a registered pool and for each label a registered pool supports; other
 * providers and labels appear only with the states they have. A node without a provider counts
 * under the provider `None`, and a node with several labels once for each.
 */
export function countNodes(nodes: Iterable<Node>, pools: Iterable<Component>): NodeCounts {
  const zeroed = (): Map<NodeState, number> => new Map(NODE_STATES.map((state) => [state, 0]));
  const total = zeroed();
  const byProvider = new Map<string, Map<NodeState, number>>();
  const byLabel = new Map<string, Map<NodeState, number>>();
  for (const pool of pools) {
    if (pool.providerName && !byProvider.has(pool.providerName)) byProvider.set(pool.providerName, zeroed());
    for (const label of pool.supportedLabels) if (!byLabel.has(label)) byLabel.set(label, zeroed());
  }
  const add = (counts: Map<NodeState, number>, state: NodeState): void => void counts.set(state, (counts.get(state) ?? 0) + 1);
  const entry = (map: Map<string, Map<NodeState, number>>, key: string): Map<NodeState, number> => {
    let counts = map.get(key);
    if (!counts) map.set(key, (counts = new Map()));
    return counts;
  };
  for (const node of nodes) {
    add(total, node.state);
    add(entry(byProvider, node.provider ?? 'None'), node.state);
    for (const label of node.type) add(entry(byLabel, label), node.state);
  }
  return { total, byProvider, byLabel };
}

/** The counts as statsd gauges: `nodepool.nodes.<state>`, `nodepool.provider.<p>.nodes.<state>`, `nodepool.label.<l>.nodes.<state>`. */
export function nodeCountGauges(counts: NodeCounts): [string, number][] {
  const gauges: [string, number][] = [];
  for (const [state, value] of counts.total) gauges.push([`nodepool.nodes.${state}`, value]);
  for (const [provider, states] of counts.byProvider) for (const [state, value] of states) gauges.push([`nodepool.provider.${provider}.nodes.${state}`, value]);
  for (const [label, states] of counts.byLabel) for (const [state, value] of states) gauges.push([`nodepool.label.${label}.nodes.${state}`, value]);
  return gauges;
}

/**
 * `max-servers` summed over a provider's pools, skipping pools set to 0, as the original's
 * `nodepool.provider.<p>.max_servers` gauge (a pool without a limit makes it infinite).
 */
export function providerMaxServers(pools: Iterable<{ readonly maxServers: number }>): number {
  let sum = 0;
  for (const pool of pools) if (pool.maxServers !== 0) sum += pool.maxServers;
  return sum;
}
