/**
 * One recent listing of something, shared by every caller (the way the kit shares its server
 * listing): a caller gets a listing that started after it asked, callers asking together share
 * one call, and calls are at least `intervalMs` apart. The delete machines read floating IPs
 * through it, so deleting many nodes costs one floating IP listing per interval.
 */
export class SharedListing<T> {
  private latest: T[] = [];
  private latestStartedAt = -Infinity;
  private lastCallAt = -Infinity;
  private pending: { promise: Promise<void>; startedAt: number | undefined } | undefined;

  constructor(
    private readonly list: () => Promise<T[]>,
    private readonly intervalMs: number,
  ) {}

  /** Everything, as of a listing started after this call. */
  async fresh(): Promise<T[]> {
    const since = Date.now();
    for (;;) {
      if (this.latestStartedAt >= since) return this.latest;
      const pending = this.pending;
      // A listing that has not called yet, or called after we asked, will do.
      if (pending && (pending.startedAt === undefined || pending.startedAt >= since)) {
        await pending.promise;
        return this.latest;
      }
      if (pending) {
        await pending.promise.catch(() => undefined);
        continue;
      }
      this.start();
    }
  }

  private start(): void {
    const entry: { promise: Promise<void>; startedAt: number | undefined } = { promise: Promise.resolve(), startedAt: undefined };
    entry.promise = (async () => {
      const wait = this.lastCallAt + this.intervalMs - Date.now();
      await new Promise((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
      const startedAt = Date.now();
      entry.startedAt = startedAt;
      this.lastCallAt = startedAt;
      const items = await this.list();
      this.latest = items;
      this.latestStartedAt = startedAt;
    })().finally(() => {
      if (this.pending === entry) this.pending = undefined;
    });
    this.pending = entry;
  }
}
