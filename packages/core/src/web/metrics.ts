import { Gauge, Histogram, Registry } from 'prom-client';
import type { LauncherHistory } from '../history/launcher-history.js';
import type { NodepoolConfig } from '../config/nodepool-config.js';
import { BREAKER_GAUGE_VALUES } from '../health/health-board.js';
import type { BreakerSnapshot } from '../health/provider-breaker.js';
import { countNodes, providerMaxServers } from '../stats/node-counts.js';
import type { NodeCache } from '../zk/caches.js';
import type { ComponentRegistry } from '../zk/component-registry.js';

/** What the metrics are computed from: the launcher's node cache, registry and configuration. */
export interface MetricsInputs {
  readonly nodes: NodeCache;
  readonly components: ComponentRegistry;
  readonly config: () => NodepoolConfig;
  /** This launcher's provider breakers (its `HealthBoard`); without it, no breaker series. */
  readonly health?: { snapshots(): readonly BreakerSnapshot[] } | undefined;
}

/**
 * A Prometheus registry with the figures of the statsd node and provider gauges (observability
 * spec §2.2–2.3), computed at each scrape from the caches, so every launcher can serve them (the
 * statsd ones come only from the elected one):
 *
 * - `nodepool_nodes{state}` — `nodepool.nodes.<state>`
 * - `nodepool_provider_nodes{provider,state}` — `nodepool.provider.<p>.nodes.<state>`
 * - `nodepool_label_nodes{label,state}` — `nodepool.label.<l>.nodes.<state>`
 * - `nodepool_provider_max_servers{provider}` — `nodepool.provider.<p>.max_servers`, for the
 *   providers of this launcher's configuration (`+Inf` when a pool has no limit)
 * - `nodepool_provider_circuit_breaker{provider}` — `nodepool.provider.<p>.circuit_breaker`
 *   (0 closed, 1 open, 2 probing), and `nodepool_provider_circuit_breaker_opened{provider}`,
 *   the times it opened since the launcher started; only for this launcher's providers with the
 *   `circuit-breaker` key (ours, not the original's)
 */
export function createMetricsRegistry(inputs: MetricsInputs): Registry {
  const registry = new Registry();
  const current = (): ReturnType<typeof countNodes> => countNodes(inputs.nodes.values(), inputs.components.all('pool'));

  new Gauge({
    name: 'nodepool_nodes',
    help: 'Nodes by state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [state, value] of current().total) this.set({ state }, value);
    },
  });
  new Gauge({
    name: 'nodepool_provider_nodes',
    help: 'Nodes by provider and state.',
    labelNames: ['provider', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [provider, states] of current().byProvider) for (const [state, value] of states) this.set({ provider, state }, value);
    },
  });
  new Gauge({
    name: 'nodepool_label_nodes',
    help: 'Nodes by label and state; a node with several labels counts for each.',
    labelNames: ['label', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [label, states] of current().byLabel) for (const [state, value] of states) this.set({ label, state }, value);
    },
  });
  new Gauge({
    name: 'nodepool_provider_max_servers',
    help: 'Sum of max-servers over the pools of a provider of this launcher.',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      this.reset();
      for (const provider of inputs.config().providers.values()) this.set({ provider: provider.name }, providerMaxServers(provider.pools.values()));
    },
  });
  if (inputs.health) addBreakerGauges(registry, inputs.health);
  return registry;
}

function addBreakerGauges(registry: Registry, health: { snapshots(): readonly BreakerSnapshot[] }): void {
  new Gauge({
    name: 'nodepool_provider_circuit_breaker',
    help: 'State of the provider circuit breaker of this launcher: 0 closed, 1 open, 2 probing.',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      this.reset();
      for (const breaker of health.snapshots()) this.set({ provider: breaker.provider }, BREAKER_GAUGE_VALUES[breaker.state]);
    },
  });
  // A gauge, not a counter: the figure is the breaker's own count, which restarts with it.
  new Gauge({
    name: 'nodepool_provider_circuit_breaker_opened',
    help: 'Times the provider circuit breaker of this launcher opened since the launcher started.',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      this.reset();
      for (const breaker of health.snapshots()) this.set({ provider: breaker.provider }, breaker.timesOpened);
    },
  });
}

/** The request-wait histogram's name on `/metrics`. */
export const REQUEST_WAIT_METRIC = 'nodepool_request_wait_seconds';

/** Its buckets' upper bounds, in seconds: from a ready node handed out to a launch waiting for hours. */
export const REQUEST_WAIT_BUCKETS: readonly number[] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

/**
 * Adds `nodepool_request_wait_seconds{state}` to `registry`: a histogram of how long node
 * requests waited, from their creation to `fulfilled` or `failed` (the `state` label), as the
 * history sees them in the request cache (`RequestWaitWatcher`). Counted since the launcher
 * started; every launcher counts the same requests, so scrape one launcher, or do not sum across
 * them. Returns the function that stops counting.
 */
export function addRequestWaitHistogram(registry: Registry, history: LauncherHistory): () => void {
  const histogram = new Histogram({
    name: REQUEST_WAIT_METRIC,
    help: 'Node request wait from creation to fulfilled or failed, in seconds (min-ready requests left out).',
    labelNames: ['state'],
    buckets: [...REQUEST_WAIT_BUCKETS],
    registers: [registry],
  });
  // Both series from the start, so a rate() has a baseline before the first request.
  histogram.zero({ state: 'fulfilled' });
  histogram.zero({ state: 'failed' });
  const observe = (request: { state: string; waitSeconds: number }): void => histogram.observe({ state: request.state }, request.waitSeconds);
  history.on('completed', observe);
  return () => {
    history.off('completed', observe);
    registry.removeSingleMetric(REQUEST_WAIT_METRIC);
  };
}
