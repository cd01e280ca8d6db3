import { effectiveMinReady } from '../config/min-ready-schedule.js';
import type { LabelConfig, NodepoolConfig } from '../config/nodepool-config.js';
import type { ProviderConfig } from '../driver/provider-config.js';
import type { Node } from '../zk/node.js';
import type { NodeEffect } from './node-effect.js';

/**
 * What a driver says a reload does to the nodes it registers itself (static hosts): the
 * driver's optional `planRegisteredNodes`. `undefined` configs: the provider is absent there.
 */
export type RegisteredNodesPlanner = (current: ProviderConfig | undefined, next: ProviderConfig | undefined, nodes: readonly Node[]) => NodeEffect[];

export interface NodeEffectsInput {
  readonly current: NodepoolConfig;
  readonly next: NodepoolConfig;
  /** Every node in ZooKeeper now. */
  readonly nodes: readonly Node[];
  /** Epoch milliseconds now: decides min-ready schedules and node ages. */
  readonly now: number;
  /** The planner of each provider's driver that has one, by provider name (either side's). */
  readonly registered?: ReadonlyMap<string, RegisteredNodesPlanner>;
}

/** Nodes that are being used or are on their way out: a reload leaves them to their course. */
const IN_USE = new Set(['in-use', 'used', 'hold']);

const readyFree = (node: Node): boolean => node.state === 'ready' && node.allocatedTo === null;

/**
 * What loading `next` in place of `current` does to the nodes in ZooKeeper, as our launcher
 * (and 9.0.0's) behaves after a reload: min-ready launches, deletions by a lowered
 * max-ready-age or max-hold-age, ready nodes kept beyond a lowered min-ready (never deleted for
 * it), static registrations, and nodes left alone — in use until returned, or stranded when no
 * configured provider, pool or label accounts for them any longer.
 */
export function planNodeEffects(unsorted: NodeEffectsInput): NodeEffect[] {
  const input = { ...unsorted, nodes: [...unsorted.nodes].sort((a, b) => a.id.localeCompare(b.id)) };
  return [
    ...minReadyEffects(input),
    ...ageEffects(input),
    ...registeredEffects(input),
    ...removalEffects(input),
    ...limitEffects(input),
  ];
}

/** Whether some pool of `config` offers the label. */
function offered(config: NodepoolConfig, label: string): boolean {
  return [...config.providers.values()].some((provider) => [...provider.pools.values()].some((pool) => pool.labels.has(label)));
}

/** Whether the cleanup worker deletes this node for its age under `config` (as retireOldReadyNodes). */
function tooOld(config: NodepoolConfig, node: Node, now: number): boolean {
  if (!readyFree(node)) return false;
  const ages = node.type.map((label) => config.labels.get(label)?.maxReadyAge ?? 0).filter((age) => age > 0);
  return ages.length > 0 && now / 1000 - node.stateTime >= Math.min(...ages);
}

function minReadyEffects({ current, next, nodes, now }: NodeEffectsInput): NodeEffect[] {
  const effects: NodeEffect[] = [];
  const want = (config: NodepoolConfig, label: LabelConfig | undefined): number =>
    label && offered(config, label.name) ? effectiveMinReady(label, now) : 0;
  for (const label of next.labels.values()) {
    // Nodes a max-ready-age deletes do not count: they are replaced once gone.
    const readyUnder = (config: NodepoolConfig) => nodes.filter((node) => readyFree(node) && node.type.includes(label.name) && !tooOld(config, node, now));
    const ready = readyUnder(next);
    const before = want(current, current.labels.get(label.name));
    const after = want(next, label);
    const missingBefore = Math.max(0, before - readyUnder(current).length);
    const missingAfter = Math.max(0, after - ready.length);
    const reason = `min-ready ${before} → ${after}${label.minReadySchedule ? ' (now, by its min-ready-schedule)' : ''}, ${ready.length} ready that stay`;
    if (missingAfter > missingBefore) {
      effects.push({ kind: 'launch', count: missingAfter - missingBefore, nodes: [], label: label.name, reason });
    } else if (after < before && ready.length > after) {
      // As 9.0.0 on a lowered min-ready: nothing is deleted; they go when used or too old.
      const surplus = ready.slice(0, ready.length - after).map((node) => node.id);
      effects.push({ kind: 'keep', count: surplus.length, nodes: surplus, label: label.name, reason: `${reason}; ready nodes beyond it are not deleted, they go when used or by max-ready-age` });
    }
  }
  return effects;
}

function ageEffects({ current, next, nodes, now }: NodeEffectsInput): NodeEffect[] {
  const seconds = now / 1000;
  const configured = (node: Node): boolean => node.provider !== null && next.providers.has(node.provider);
  const held = (config: NodepoolConfig, node: Node): boolean => {
    if (node.state !== 'hold') return false;
    const own = node.holdExpiration !== null && node.holdExpiration > 0 ? node.holdExpiration : Infinity;
    const limit = Math.min(own, config.maxHoldAge);
    return Number.isFinite(limit) && seconds - node.stateTime >= limit;
  };
  const effects: NodeEffect[] = [];
  const byLabel = new Map<string, string[]>();
  for (const node of nodes.filter((node) => configured(node) && tooOld(next, node, now) && !tooOld(current, node, now))) {
    const label = node.type.join(',');
    byLabel.set(label, [...(byLabel.get(label) ?? []), node.id]);
  }
  for (const [label, ids] of byLabel) {
    const age = next.labels.get(label)?.maxReadyAge;
    effects.push({ kind: 'delete', count: ids.length, nodes: ids, label, reason: `ready longer than the new max-ready-age${age ? ` (${age} s)` : ''}` });
  }
  const expired = nodes.filter((node) => configured(node) && held(next, node) && !held(current, node)).map((node) => node.id);
  if (expired.length > 0) effects.push({ kind: 'delete', count: expired.length, nodes: expired, reason: `held longer than the new max-hold-age (${next.maxHoldAge} s)` });
  return effects;
}

function registeredEffects({ current, next, nodes, registered }: NodeEffectsInput): NodeEffect[] {
  if (!registered) return [];
  const effects: NodeEffect[] = [];
  for (const [name, plan] of registered) {
    const before = current.providers.get(name);
    const after = next.providers.get(name);
    // Only a provider the reload touches: an unchanged one's registrations stay as they are.
    if (before && after && before.driver === after.driver && JSON.stringify(before.raw) === JSON.stringify(after.raw)) continue;
    effects.push(...plan(before, after, nodes.filter((node) => node.provider === name)));
  }
  return effects;
}

/**
 * Nodes whose provider, pool or label the reload removes. In use: left alone until returned
 * (then deleted, or never, when their provider is gone). Ready: stranded (9.0.0 deletes neither).
 */
function removalEffects({ current, next, nodes, registered }: NodeEffectsInput): NodeEffect[] {
  const effects: NodeEffect[] = [];
  const groups = new Map<string, { effect: Omit<NodeEffect, 'count' | 'nodes'>; nodes: string[] }>();
  const add = (effect: Omit<NodeEffect, 'count' | 'nodes'>, node: Node) => {
    const key = JSON.stringify([effect.kind, effect.provider, effect.pool, effect.label, effect.reason]);
    const group = groups.get(key) ?? { effect, nodes: [] };
    group.nodes.push(node.id);
    groups.set(key, group);
  };
  for (const node of nodes) {
    if (!node.provider || !current.providers.has(node.provider)) continue;
    const provider = next.providers.get(node.provider);
    const where = { provider: node.provider, pool: node.pool ?? undefined, label: node.type.join(',') };
    const inUse = IN_USE.has(node.state) || (node.state === 'ready' && node.allocatedTo !== null);
    if (!provider) {
      add(
        inUse
          ? { kind: 'in-use', ...where, reason: 'its provider is removed: left alone, and once returned no launcher deletes it (nor its cloud resources)' }
          : { kind: 'stranded', ...where, reason: `its provider is removed: no launcher will use or delete this ${node.state} node (nor its cloud resources)` },
        node,
      );
      continue;
    }
    // Registered nodes (static hosts) are the driver's to plan.
    if (registered?.has(node.provider)) continue;
    const pool = node.pool === null ? undefined : provider.pools.get(node.pool);
    const gone = !pool ? 'its pool is removed' : node.type.some((label) => !pool.labels.has(label)) ? 'its pool no longer offers its label' : undefined;
    if (!gone) continue;
    if (inUse) add({ kind: 'in-use', ...where, reason: `${gone}: left alone until returned, then deleted` }, node);
    else if (node.state === 'ready') add({ kind: 'stranded', ...where, reason: `${gone}: it stays ready, no request will get it (max-ready-age or nodepool delete removes it)` }, node);
  }
  for (const { effect, nodes: ids } of groups.values()) effects.push({ ...effect, count: ids.length, nodes: ids } as NodeEffect);
  return effects;
}

/** Nodes of a pool whose new max-servers is below what it holds: none is deleted for it. */
function limitEffects({ current, next, nodes }: NodeEffectsInput): NodeEffect[] {
  const effects: NodeEffect[] = [];
  for (const [name, provider] of next.providers) {
    for (const [poolName, pool] of provider.pools) {
      const before = current.providers.get(name)?.pools.get(poolName);
      if (!before || pool.maxServers >= before.maxServers) continue;
      const held = nodes.filter((node) => node.provider === name && node.pool === poolName && !['deleting', 'deleted', 'failed', 'aborted'].includes(node.state));
      if (held.length < pool.maxServers) continue;
      effects.push({
        kind: 'in-use',
        count: held.length,
        nodes: held.map((node) => node.id),
        provider: name,
        pool: poolName,
        reason: `the pool holds ${held.length} nodes, max-servers ${before.maxServers} → ${pool.maxServers}: none is deleted for it; no new launches until it holds fewer`,
      });
    }
  }
  return effects;
}
