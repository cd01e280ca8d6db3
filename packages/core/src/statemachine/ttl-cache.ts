/**
 * One value fetched from the cloud and kept for `ttlMs`: readers within that time share it, and
 * readers while a fetch is under way share that fetch.
 */
export class TtlCache<T> {
  private value: T | undefined;
  private loadedAt = -Infinity;
  private loading: { promise: Promise<T>; generation: number } | undefined;
  // Bumped by invalidate(), so a fetch that started before a change is not taken as current.
  private generation = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value, fetched first if there is none or it is older than the TTL. */
  async get(): Promise<T> {
    if (this.value !== undefined && !this.isStale()) return this.value;
    return this.refresh();
  }

  /** Fetches now, or joins a fetch under way that started after the last `invalidate`. */
  refresh(): Promise<T> {
    if (this.loading?.generation === this.generation) return this.loading.promise;
    const generation = this.generation;
    const startedAt = this.now();
    const promise = this.load().then((value) => {
      if (generation === this.generation) {
        this.value = value;
        this.loadedAt = startedAt;
      }
      return value;
    });
    this.loading = { promise, generation };
    const clear = (): void => {
      if (this.loading?.promise === promise) this.loading = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  /** The last value fetched, however old; undefined before the first fetch. */
  peek(): T | undefined {
    return this.value;
  }

  isStale(): boolean {
    return this.now() - this.loadedAt >= this.ttlMs;
  }

  /** The cloud changed: the next `get` fetches again. */
  invalidate(): void {
    this.generation++;
    this.loadedAt = -Infinity;
  }
}
