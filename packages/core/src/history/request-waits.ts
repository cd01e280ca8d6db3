import type { RequestCache } from '../zk/caches.js';
import type { CacheChange } from '../zk/tree-cache.js';
import { MIN_READY_REQUESTOR, type NodeRequest, type RequestState } from '../zk/node-request.js';

/** A request that stopped waiting: fulfilled or failed. */
export interface CompletedRequest {
  readonly id: string;
  readonly state: Extract<RequestState, 'fulfilled' | 'failed'>;
  /** Seconds from its creation to its fulfilment or failure. */
  readonly waitSeconds: number;
}

interface Tracked {
  state: RequestState;
  /** Epoch seconds it was created: Zuul's `created_time`, else its first `requested` state time seen. */
  createdAt: number | undefined;
}

const isOpen = (state: RequestState | undefined): boolean => state === 'requested' || state === 'pending';
const isDone = (state: RequestState): state is CompletedRequest['state'] => state === 'fulfilled' || state === 'failed';

/**
 * Follows the request cache and reports each request once, when it is seen fulfilled or failed,
 * with how long it waited: from its creation (`created_time` as Zuul wrote it; for a request
 * without one, the `state_time` it had when first seen requested) to the `state_time` of the
 * record that fulfilled or failed it. The cache holds every launcher's requests, so every
 * launcher reports the same ones.
 *
 * Left out: requests already done when it starts (their waits ended before), Nodepool's own
 * min-ready requests (nobody waits on them), and requests whose creation is unknown.
 *
 * Memory: one small entry per request in ZooKeeper, dropped with the request.
 */
export class RequestWaitWatcher {
  private readonly tracked = new Map<string, Tracked>();
  private readonly onChange = (change: CacheChange<NodeRequest>): void => this.changed(change);

  constructor(
    private readonly cache: RequestCache,
    private readonly onCompleted: (request: CompletedRequest) => void,
  ) {}

  start(): void {
    for (const [id, request] of this.cache.entries()) this.tracked.set(id, { state: request.state, createdAt: creationOf(request) });
    this.cache.on('change', this.onChange);
  }

  stop(): void {
    this.cache.off('change', this.onChange);
    this.tracked.clear();
  }

  private changed(change: CacheChange<NodeRequest>): void {
    if (change.kind !== 'record') return;
    const request = change.value;
    if (!request) {
      this.tracked.delete(change.key);
      return;
    }
    const before = this.tracked.get(change.key);
    const createdAt = before?.createdAt ?? creationOf(request);
    this.tracked.set(change.key, { state: request.state, createdAt });
    // Once per request: on its first sighting done after being open, or done when first seen.
    if (!isDone(request.state) || (before && !isOpen(before.state))) return;
    if (request.requestor === MIN_READY_REQUESTOR || createdAt === undefined) return;
    this.onCompleted({ id: change.key, state: request.state, waitSeconds: Math.max(0, request.stateTime - createdAt) });
  }
}

function creationOf(request: NodeRequest): number | undefined {
  if (typeof request.createdTime === 'number') return request.createdTime;
  return request.state === 'requested' && request.stateTime > 0 ? request.stateTime : undefined;
}
