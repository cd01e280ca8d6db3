import type { Node, NodeState } from '../zk/node.js';
import type { CacheChange } from '../zk/tree-cache.js';
import { LockUnavailableError } from '../zk/nodepool-zookeeper.js';
import type { LauncherContext } from './launcher-context.js';
import { Periodic } from './periodic.js';

/** States in which an unlocked node is reaped (spec §6.4). */
const REAPABLE: ReadonlySet<NodeState> = new Set(['used', 'in-use', 'building', 'failed', 'aborted', 'deleting', 'deleted']);
/** Of those, the states worth acting on the moment a node's record changes. */
const REAPED_AT_ONCE: ReadonlySet<NodeState> = new Set(['used', 'failed', 'aborted', 'deleting', 'deleted']);
/**
 * States in which a node whose last lock contender just went is abandoned: its launcher (or
 * Zuul) is gone, its session ended. A holder that finishes writes the new state (`ready`,
 * `used`) before it unlocks, so the cache is then reading that write and the node is skipped.
 */
const REAPED_ON_UNLOCK: ReadonlySet<NodeState> = new Set(['building', 'in-use']);
/**
 * How long the worker queues on the lock of a `used` node that Zuul still holds. Zuul releases
 * it right after writing `used`; one that does not is left to the unlock's own event.
 */
const USED_LOCK_WAIT_MS = 30_000;

/**
 * The deleted-node worker (spec §6.4): deletes unlocked nodes that are done with (used, or
 * abandoned by a vanished Zuul or launcher), and gives back ready nodes whose request is gone.
 * Runs every few seconds and soon after node changes.
 */
export class DeletedNodeWorker {
  private readonly periodic: Periodic;
  /** Ends waits for locks (see queueForUsed) when the worker stops. */
  private readonly stopping = new AbortController();
  /** A change concerns one node: look at that one at once; full passes stay periodic. */
  private readonly onNodeChange = (change: CacheChange<Node>): void => {
    const { nodes } = this.context;
    const node = nodes.get(change.key);
    // A record still being read may be behind its lock: its read's own change event follows.
    if (!node || nodes.isReading(node.id)) return;
    // Differs from Nodepool: a dead launcher's building nodes are reaped when its session ends,
    // not at the next pass.
    const unlocked = change.kind === 'marker' && !change.present && REAPED_ON_UNLOCK.has(node.state);
    if (!REAPED_AT_ONCE.has(node.state) && !unlocked) return;
    const work = node.state === 'used' && nodes.isProbablyLocked(node.id) ? this.queueForUsed(node) : this.consider(node);
    void work.catch((error: unknown) => this.context.log.warn('deleted-node worker failed', { node: node.id, error: String(error) }));
  };

  /** After a resync (a reconnect) the changes missed meanwhile are judged in one pass. */
  private readonly onSynced = (): void => this.periodic.trigger();

  constructor(private readonly context: LauncherContext) {
    this.periodic = new Periodic(context.timings.deletedNodeIntervalMs, () => this.pass(), (error) =>
      context.log.error('deleted-node worker failed', { error: String(error) }),
    );
  }

  start(): void {
    this.context.nodes.on('change', this.onNodeChange);
    this.context.nodes.on('synced', this.onSynced);
    this.periodic.start();
  }

  async stop(): Promise<void> {
    this.context.nodes.off('change', this.onNodeChange);
    this.context.nodes.off('synced', this.onSynced);
    this.stopping.abort();
    await this.periodic.stop();
  }

  /** One pass over the node cache. */
  async pass(): Promise<void> {
    await Promise.all([...this.context.nodes.values()].map((node) => this.consider(node)));
  }

  private async consider(node: Node): Promise<void> {
    const { nodes, deleter } = this.context;
    if (nodes.isProbablyLocked(node.id) || deleter.isDeleting(node.id)) return;
    if (REAPABLE.has(node.state) && node.provider && this.context.provider(node.provider)) {
      await deleter.reap(node, (fresh) => REAPABLE.has(fresh.state));
    } else if (node.state === 'ready' && node.allocatedTo !== null && !this.context.requests.get(node.allocatedTo)) {
      await this.deallocate(node);
    }
  }

  /**
   * Zuul has written `used` and is about to unlock: wait in the lock's queue, so the node is
   * ours the moment Zuul lets go (spec §4.3's blocking acquisition) and its deletion starts at
   * once, rather than only asking for the lock once the unlock is seen.
   */
  private async queueForUsed(node: Node): Promise<void> {
    const { deleter } = this.context;
    // Differs from Nodepool: its deleted-node worker only tries non-blocking, every 5 s.
    if (deleter.isDeleting(node.id) || !node.provider || !this.context.provider(node.provider)) return;
    await deleter.reap(node, (fresh) => REAPABLE.has(fresh.state), { waitMs: USED_LOCK_WAIT_MS, signal: this.stopping.signal });
  }

  /** A ready node reserved for a request that no longer exists is free again. */
  private async deallocate(node: Node): Promise<void> {
    const { zk } = this.context;
    // The cache may lag: confirm the request is really gone before touching the node.
    if (await zk.getNodeRequest(node.allocatedTo!)) return;
    try {
      await zk.lockNode(node);
    } catch (error) {
      if (error instanceof LockUnavailableError) return;
      throw error;
    }
    try {
      const fresh = await zk.getNode(node.id);
      if (!fresh || fresh.state !== 'ready' || fresh.allocatedTo === null || (await zk.getNodeRequest(fresh.allocatedTo))) return;
      this.context.log.info('releasing node of a vanished request', { node: fresh.id, request: fresh.allocatedTo });
      fresh.allocatedTo = null;
      await zk.storeNode(fresh);
    } finally {
      await zk.unlockNode(node);
    }
  }
}
