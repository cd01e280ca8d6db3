import type { Node, NodeEffect } from '@nodepool/core';
import type { StaticNodeConfig, StaticProviderConfig } from './config.js';
import { assignSlots, hostIdentity } from './node-slots.js';

const isFree = (node: Node): boolean => node.state === 'ready' && node.allocatedTo === null;

function hostsOf(config: StaticProviderConfig | undefined): { host: StaticNodeConfig; pool: string }[] {
  return config ? [...config.pools.values()].flatMap((pool) => pool.nodes.map((host) => ({ host, pool: pool.name }))) : [];
}

/**
 * What a reload does to a static provider's nodes (`nodepool config-plan`), as its sync then
 * does: ready nodes of hosts no longer configured, or beyond a lowered max-parallel-jobs, are
 * deregistered; such nodes in use are left alone and not registered again once returned; new
 * hosts and new slots are registered. A removed provider is left to core (its nodes stay).
 */
export function planStaticReload(current: StaticProviderConfig | undefined, next: StaticProviderConfig | undefined, nodes: readonly Node[]): NodeEffect[] {
  if (!next) return [];
  const provider = next.name;
  const hosts = hostsOf(next);
  const before = new Map(hostsOf(current).map(({ host }) => [hostIdentity(host), host.maxParallelJobs]));
  const effects: NodeEffect[] = [];
  const slots = assignSlots(
    hosts.map(({ host }) => host),
    nodes,
  );
  const configured = new Map(hosts.map((entry) => [hostIdentity(entry.host), entry]));
  for (const [identity, table] of slots) {
    const entry = configured.get(identity);
    const surplus = table.slice(entry?.host.maxParallelJobs ?? 0).filter((node): node is Node => node !== null);
    const why = entry ? `max-parallel-jobs of host ${entry.host.name} is now ${entry.host.maxParallelJobs}` : `host ${surplus[0]?.hostname ?? ''} is no longer configured`;
    const free = surplus.filter(isFree);
    const busy = surplus.filter((node) => !isFree(node));
    const where = { provider, pool: entry?.pool ?? free[0]?.pool ?? busy[0]?.pool ?? undefined };
    if (free.length > 0) effects.push({ kind: 'deregister', count: free.length, nodes: free.map((node) => node.id), ...where, reason: why });
    if (busy.length > 0) effects.push({ kind: 'in-use', count: busy.length, nodes: busy.map((node) => node.id), ...where, reason: `${why}: left alone until returned, then not registered again` });
  }
  for (const { host, pool } of hosts) {
    const added = host.maxParallelJobs - (before.get(hostIdentity(host)) ?? 0);
    if (added > 0) {
      const reason = before.has(hostIdentity(host)) ? `max-parallel-jobs of host ${host.name} is now ${host.maxParallelJobs}` : `host ${host.name} is new`;
      effects.push({ kind: 'register', count: added, nodes: [], provider, pool, label: host.labels.join(','), reason });
    }
  }
  return effects;
}
