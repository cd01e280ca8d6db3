import type { Adapter, Instance, InstanceListing } from '../driver/adapter.js';
import type { Logger } from '../log.js';

/**
 * The provider's instances as one shared, recent listing. A caller waits for a listing that
 * started after it asked, and all callers waiting at once share the same call; calls are at
 * least `intervalMs` apart. However many nodes are in flight, that is one `listInstances()`
 * per interval.
 */
export class SharedInstanceListing implements InstanceListing {
  private latest = new Map<string, Instance>();
  private latestStartedAt = 0;
  private lastCallAt = -Infinity;
  private pending: Promise<void> | undefined;
  /** Whether the pending listing has made its call yet; until then anyone may join it. */
  private callMade = false;
  private pendingStartedAt = 0;
  /** Listing calls made, for tests and the benchmark. */
  calls = 0;

  constructor(
    private readonly adapter: Pick<Adapter, 'listInstances'>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  async get(externalId: string): Promise<Instance | undefined> {
    await this.refreshAfter(Date.now());
    return this.latest.get(externalId);
  }

  /** Every instance, from a listing started after this call. */
  async all(): Promise<Instance[]> {
    await this.refreshAfter(Date.now());
    return [...this.latest.values()];
  }

  /** The last listing, however old (no call). */
  cached(): Instance[] {
    return [...this.latest.values()];
  }

  /** Every instance, from a listing at most `maxAgeMs` old: a new one only if the last is older. */
  async recent(maxAgeMs: number): Promise<Instance[]> {
    if (Date.now() - this.latestStartedAt > maxAgeMs) await this.refreshAfter(Date.now());
    return [...this.latest.values()];
  }

  private async refreshAfter(since: number): Promise<void> {
    for (;;) {
      if (this.latestStartedAt >= since) return;
      if (this.pending && (!this.callMade || this.pendingStartedAt >= since)) return this.pending;
      if (this.pending) {
        // A listing already under way started too early for this caller: wait, then look again.
        await this.pending.catch(() => undefined);
        continue;
      }
      this.pending = this.list().finally(() => {
        this.pending = undefined;
      });
    }
  }

  private async list(): Promise<void> {
    this.callMade = false;
    const wait = this.lastCallAt + this.intervalMs - Date.now();
    // Wait out the interval, or at least one turn of the event loop so that everyone asking
    // now joins this call.
    await new Promise((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
    const startedAt = Date.now();
    this.callMade = true;
    this.pendingStartedAt = startedAt;
    this.lastCallAt = startedAt;
    // A blip must not fail every launch waiting on this listing: try a few times.
    for (let attempt = 1; ; attempt++) {
      this.calls++;
      try {
        const instances = await this.adapter.listInstances();
        this.latest = new Map(instances.map((instance) => [instance.externalId, instance]));
        this.latestStartedAt = startedAt;
        return;
      } catch (error) {
        this.log.warn('listing instances failed', { attempt, error: String(error) });
        if (attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.intervalMs * attempt));
      }
    }
  }
}
