import { isContender, type WatchEvent } from '@nodepool/zookeeper';
import type { NodeRequest } from '../zk/node-request.js';
import { ZkPaths } from '../zk/paths.js';
import type { CacheChange } from '../zk/tree-cache.js';
import type { LauncherContext } from './launcher-context.js';
import type { LostRequests } from './lost-requests.js';

/**
 * Takes over the requests of a launcher that died, the moment ZooKeeper ends its session: a
 * persistent recursive watch on `/nodepool/requests-lock` reports every lock contender that
 * goes, and a `pending` request left with none is reset at once (its nodes released, back to
 * `requested`), instead of at the cleanup worker's next pass, up to a minute later.
 *
 * Differs from Nodepool: the original only finds lost requests in its periodic cleanup.
 */
export class LostRequestWatcher {
  /**
   * Requests whose last contender went while their record was being read: the unlock usually
   * comes right after the holder's final write (`fulfilled`), so they are judged on that read.
   */
  private readonly recheck = new Set<string>();
  private started = false;
  private readonly onWatch = (event: WatchEvent): void => {
    if (event.type !== 'deleted' || !event.path.startsWith(`${ZkPaths.requestLocks}/`)) return;
    const [id, name, ...rest] = event.path.slice(ZkPaths.requestLocks.length + 1).split('/');
    if (id === undefined || name === undefined || rest.length > 0 || !isContender(name)) return;
    this.consider(id);
  };
  private readonly onRequestChange = (change: CacheChange<NodeRequest>): void => {
    if (change.kind === 'record' && this.recheck.delete(change.key)) this.consider(change.key);
  };
  /** Deletions while disconnected were not reported: look at every pending request. */
  private readonly onSession = (): void => {
    void this.lostRequests.resetAll().catch((error: unknown) => this.context.log.warn('looking for lost requests failed', { error: String(error) }));
  };

  constructor(
    private readonly context: LauncherContext,
    private readonly lostRequests: LostRequests,
  ) {}

  async start(): Promise<void> {
    const { client } = this.context.zk;
    await client.mkdirp(ZkPaths.requestLocks);
    await client.addWatch(ZkPaths.requestLocks, this.onWatch, { recursive: true });
    this.context.requests.on('change', this.onRequestChange);
    client.on('reconnected', this.onSession);
    client.on('connected', this.onSession);
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    const { client } = this.context.zk;
    this.context.requests.off('change', this.onRequestChange);
    client.off('reconnected', this.onSession);
    client.off('connected', this.onSession);
    await client.removeWatches(ZkPaths.requestLocks, 'persistent-recursive', this.onWatch).catch(() => undefined);
  }

  private consider(id: string): void {
    const { requests, zk } = this.context;
    if (zk.holdsRequestLock(id)) return;
    if (requests.isReading(id)) {
      this.recheck.add(id);
      return;
    }
    const request = requests.get(id);
    if (request?.state !== 'pending') return;
    void this.lostRequests
      .resetIfLost(request)
      .catch((error: unknown) => this.context.log.warn('taking over a lost request failed', { request: id, error: String(error) }));
  }
}
