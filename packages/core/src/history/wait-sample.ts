/** The values kept for an interval's percentiles at most; beyond, an evenly spread subset. */
export const MAX_KEPT_WAITS = 10_000;

/** Percentiles of the waits of one interval. */
export interface WaitSummary {
  /** Requests that completed in the interval (all of them, kept or not). */
  readonly count: number;
  /** Median wait in seconds; null without a completed request. */
  readonly p50: number | null;
  readonly p95: number | null;
}

/**
 * The request waits of one sampling interval, with a bounded memory: once `limit` values are
 * kept, every other one is dropped and from then on only every second value is kept (then every
 * fourth, …), so a burst keeps an even spread of its waits in arrival order. Deterministic: no
 * random reservoir.
 */
export class WaitSample {
  private values: number[] = [];
  private stride = 1;
  private seen = 0;

  constructor(private readonly limit = MAX_KEPT_WAITS) {}

  add(seconds: number): void {
    if (this.seen++ % this.stride !== 0) return;
    this.values.push(seconds);
    if (this.values.length > this.limit) {
      this.values = this.values.filter((_, index) => index % 2 === 0);
      this.stride *= 2;
    }
  }

  /** How many values are held (at most `limit`). */
  get kept(): number {
    return this.values.length;
  }

  summary(): WaitSummary {
    const sorted = [...this.values].sort((a, b) => a - b);
    return { count: this.seen, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
  }
}

/** The nearest-rank percentile of sorted values (the smallest value with `p` % at or below it). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
