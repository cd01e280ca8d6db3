import { EventEmitter } from 'node:events';
import type { BreakerSettings } from './breaker-settings.js';

/**
 * `closed`: the provider takes requests. `open`: it takes none until a probe is due.
 * `probing`: one request has been let through; its first launch decides.
 */
export type BreakerState = 'closed' | 'open' | 'probing';

/** Milliseconds since the epoch; `Date.now` unless a test moves time by hand. */
export type Clock = () => number;

/** What `nodepool info`, the web API, the dashboard and `/metrics` show of a breaker. */
export interface BreakerSnapshot {
  readonly provider: string;
  readonly state: BreakerState;
  /** Launch failures or API errors in a row so far. */
  readonly consecutiveFailures: number;
  /** The `failures` setting: how many in a row open the breaker. */
  readonly threshold: number;
  /** When it last opened (epoch ms), while not closed. */
  readonly openedAt?: number | undefined;
  /** When the next probe may start (epoch ms), while open. */
  readonly nextProbeAt?: number | undefined;
  /** The wait before the next probe, in ms (doubles after each failed probe). */
  readonly probeIntervalMs: number;
  /** The last failure, in words. */
  readonly lastError?: string | undefined;
  /** Times it has opened since the launcher started. */
  readonly timesOpened: number;
}

export interface ProviderBreakerEvents {
  /** The state changed (opened, probing, closed). */
  change: [snapshot: BreakerSnapshot];
}

/**
 * A per-provider circuit breaker: `failures` launch failures or cloud API errors in a row open
 * it; while open the provider's pools take no new requests. Once `probe-interval` has passed,
 * one request is let through as a probe: its launch succeeding closes the breaker, failing opens
 * it again for twice as long (at most `max-probe-interval`). Any success in between closes it.
 *
 * Differs from Nodepool: 9.0.0 has no breaker; a provider without the `circuit-breaker` key has
 * none here either.
 */
export class ProviderBreaker extends EventEmitter<ProviderBreakerEvents> {
  private stateValue: BreakerState = 'closed';
  private failuresInARow = 0;
  private openedAt: number | undefined;
  private nextProbeAt: number | undefined;
  private probeStartedAt: number | undefined;
  private intervalMs: number;
  private lastError: string | undefined;
  private timesOpened = 0;

  constructor(
    readonly provider: string,
    readonly settings: BreakerSettings,
    private readonly now: Clock = Date.now,
  ) {
    super();
    this.intervalMs = settings.probeIntervalMs;
  }

  get state(): BreakerState {
    return this.stateValue;
  }

  /** Whether the provider's pools may take new requests as usual. */
  get admitsRequests(): boolean {
    return this.stateValue === 'closed';
  }

  /**
   * Asks to let one request through as a probe. True (once) when the breaker is open and the
   * probe is due; the breaker is then `probing` until a launch reports. A probe that never
   * reports (its request needed no launch, or went elsewhere) gives way to another after the
   * current interval.
   */
  takeProbe(): boolean {
    const now = this.now();
    if (this.stateValue === 'open' && this.nextProbeAt !== undefined && now >= this.nextProbeAt) {
      this.probeStartedAt = now;
      this.set('probing');
      return true;
    }
    if (this.stateValue === 'probing' && this.probeStartedAt !== undefined && now - this.probeStartedAt >= this.intervalMs) {
      this.probeStartedAt = now;
      return true;
    }
    return false;
  }

  /** A launch of this provider succeeded: the cloud works, the breaker closes. */
  recordSuccess(): void {
    this.failuresInARow = 0;
    if (this.stateValue === 'closed') return;
    this.intervalMs = this.settings.probeIntervalMs;
    this.openedAt = undefined;
    this.nextProbeAt = undefined;
    this.probeStartedAt = undefined;
    this.set('closed');
  }

  /** A launch failed, or a call to the cloud's API did. */
  recordFailure(error: string): void {
    this.lastError = error;
    this.failuresInARow++;
    const now = this.now();
    if (this.stateValue === 'probing') {
      // The probe failed: wait longer before the next one.
      this.intervalMs = Math.min(this.settings.maxProbeIntervalMs, this.intervalMs * 2);
      this.nextProbeAt = now + this.intervalMs;
      this.probeStartedAt = undefined;
      this.set('open');
      return;
    }
    if (this.stateValue === 'closed' && this.failuresInARow >= this.settings.failures) {
      this.timesOpened++;
      this.openedAt = now;
      this.intervalMs = this.settings.probeIntervalMs;
      this.nextProbeAt = now + this.intervalMs;
      this.set('open');
    }
  }

  snapshot(): BreakerSnapshot {
    return {
      provider: this.provider,
      state: this.stateValue,
      consecutiveFailures: this.failuresInARow,
      threshold: this.settings.failures,
      ...(this.openedAt !== undefined ? { openedAt: this.openedAt } : {}),
      ...(this.stateValue === 'open' && this.nextProbeAt !== undefined ? { nextProbeAt: this.nextProbeAt } : {}),
      probeIntervalMs: this.intervalMs,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      timesOpened: this.timesOpened,
    };
  }

  private set(state: BreakerState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.emit('change', this.snapshot());
  }
}
