/** A computed response body and when it was computed (epoch ms). */
export interface CachedBody {
  readonly computedAt: number;
  readonly body: string;
}

/**
 * The original's one-entry-per-key result cache: a body is reused for `expiryMs` after it was
 * computed, so a busy dashboard costs one listing per second and per query.
 */
export class ResponseCache {
  private readonly entries = new Map<string, CachedBody>();

  constructor(
    private readonly expiryMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The cached body for `key`, or a fresh one from `compute` (concurrent misses both compute). */
  async get(key: string, compute: () => Promise<string>): Promise<CachedBody> {
    const now = this.clock();
    const cached = this.entries.get(key);
    if (cached && now <= cached.computedAt + this.expiryMs) return cached;
    this.prune(now);
    const fresh = { computedAt: this.clock(), body: await compute() };
    this.entries.set(key, fresh);
    return fresh;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) if (now > entry.computedAt + this.expiryMs) this.entries.delete(key);
  }
}
