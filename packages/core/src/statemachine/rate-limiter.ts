import type { RateLimiter } from '../driver/adapter.js';

/**
 * Spaces calls out to at most `callsPerSecond`, in the order they arrive, without ever holding
 * more than the pacing delay: each call books the next free slot. `backOff` pushes every future
 * slot out (the cloud throttled us).
 */
export class PacedRateLimiter implements RateLimiter {
  private nextSlot = 0;
  private readonly spacingMs: number;

  constructor(callsPerSecond: number) {
    this.spacingMs = callsPerSecond > 0 && Number.isFinite(callsPerSecond) ? 1000 / callsPerSecond : 0;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.spacingMs;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
    return call();
  }

  backOff(ms = 1_000): void {
    // Cumulative: of many calls throttled together, each retry waits its own interval after
    // the one before, instead of all retrying at once and being throttled again.
    this.nextSlot = Math.max(this.nextSlot, Date.now()) + ms;
  }
}
