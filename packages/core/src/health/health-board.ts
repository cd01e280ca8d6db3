import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import type { Stats } from '../stats/stats.js';
import { readBreakerSettings, type BreakerSettings } from './breaker-settings.js';
import { ProviderBreaker, type BreakerSnapshot, type BreakerState, type Clock } from './provider-breaker.js';

/** The statsd gauge value of each state (`nodepool.provider.<name>.circuit_breaker`). */
export const BREAKER_GAUGE_VALUES: Readonly<Record<BreakerState, number>> = { closed: 0, open: 1, probing: 2 };

export interface HealthBoardEvents {
  /** A provider's breaker changed state. */
  change: [snapshot: BreakerSnapshot];
}

export interface HealthBoardOptions {
  readonly stats?: Stats | undefined;
  readonly log?: Logger | undefined;
  /** Default `Date.now`; tests move a fake clock by hand. */
  readonly clock?: Clock | undefined;
}

/**
 * One launcher's provider breakers (the `circuit-breaker` opt-in key), by provider name. A
 * provider without the key has no breaker and is always healthy. Each launcher judges its own
 * providers from its own launches; they are published with its request explanations.
 */
export class HealthBoard extends EventEmitter<HealthBoardEvents> {
  private readonly breakers = new Map<string, ProviderBreaker>();
  private readonly clock: Clock;

  constructor(private readonly options: HealthBoardOptions = {}) {
    super();
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Sets a provider up from its configuration entry (at start and on every reload). A breaker
   * whose settings did not change keeps its state; a provider that lost the key loses it.
   */
  configure(provider: string, raw: Readonly<Record<string, unknown>>): void {
    const settings = readBreakerSettings(raw);
    const existing = this.breakers.get(provider);
    if (!settings) {
      this.remove(provider);
      return;
    }
    if (existing && sameSettings(existing.settings, settings)) return;
    existing?.removeAllListeners();
    const breaker = new ProviderBreaker(provider, settings, this.clock);
    breaker.on('change', (snapshot) => this.changed(snapshot));
    this.breakers.set(provider, breaker);
    this.gauge(breaker.snapshot());
  }

  /** Forgets a provider (removed from the configuration). */
  remove(provider: string): void {
    const breaker = this.breakers.get(provider);
    if (!breaker) return;
    breaker.removeAllListeners();
    this.breakers.delete(provider);
  }

  /** The provider's breaker, if it has one. */
  breaker(provider: string): ProviderBreaker | undefined {
    return this.breakers.get(provider);
  }

  /** Whether the provider's pools may take new requests as usual (true without a breaker). */
  admitsRequests(provider: string): boolean {
    return this.breakers.get(provider)?.admitsRequests ?? true;
  }

  /** A launch finished: `ready`, or failed with `error` (aborts at quota are not reported). */
  recordLaunch(provider: string, outcome: { ok: true } | { ok: false; error: string }): void {
    const breaker = this.breakers.get(provider);
    if (!breaker) return;
    if (outcome.ok) breaker.recordSuccess();
    else breaker.recordFailure(outcome.error);
  }

  /** A call to the provider's cloud API failed outside a launch (reading its quota, say). */
  recordApiError(provider: string, error: string): void {
    this.breakers.get(provider)?.recordFailure(error);
  }

  /** Every breaker, by provider name. */
  snapshots(): BreakerSnapshot[] {
    return [...this.breakers.values()].map((breaker) => breaker.snapshot()).sort((a, b) => a.provider.localeCompare(b.provider));
  }

  private changed(snapshot: BreakerSnapshot): void {
    const level = snapshot.state === 'open' ? 'warn' : 'info';
    this.options.log?.[level]('provider circuit breaker changed', {
      provider: snapshot.provider,
      state: snapshot.state,
      failuresInARow: snapshot.consecutiveFailures,
      lastError: snapshot.lastError,
      nextProbeInMs: snapshot.nextProbeAt === undefined ? undefined : snapshot.nextProbeAt - this.clock(),
    });
    if (snapshot.state === 'open') this.options.stats?.increment(`nodepool.provider.${snapshot.provider}.circuit_breaker.opened`);
    this.gauge(snapshot);
    this.emit('change', snapshot);
  }

  /** `nodepool.provider.<name>.circuit_breaker`: 0 closed, 1 open, 2 probing. */
  private gauge(snapshot: BreakerSnapshot): void {
    const stats = this.options.stats;
    if (stats?.enabled) stats.gauge(`nodepool.provider.${snapshot.provider}.circuit_breaker`, BREAKER_GAUGE_VALUES[snapshot.state]);
  }
}

function sameSettings(a: BreakerSettings, b: BreakerSettings): boolean {
  return a.failures === b.failures && a.probeIntervalMs === b.probeIntervalMs && a.maxProbeIntervalMs === b.maxProbeIntervalMs;
}
