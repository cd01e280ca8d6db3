import type { Node, NodeState } from '../zk/node.js';
import { LockUnavailableError } from '../zk/nodepool-zookeeper.js';
import type { LauncherContext } from './launcher-context.js';
import { Periodic } from './periodic.js';

/** States in which an unlocked node is reaped (spec §6.4). */
const REAPABLE: ReadonlySet<NodeState> = new Set(['used', 'in-use', 'building', 'failed', 'aborted', 'deleting', 'deleted']);

/**
 * The deleted-node worker (spec §6.4): deletes unlocked nodes that are done with (used, or
 * abandoned by a vanished Zuul or launcher), and gives back ready nodes whose request is gone.
 * Runs every few seconds and soon after node changes.
 */
export class DeletedNodeWorker {
  private readonly periodic: Periodic;
  private readonly onNodeChange = (): void => this.periodic.trigger();

  constructor(private readonly context: LauncherContext) {
    this.periodic = new Periodic(context.timings.deletedNodeIntervalMs, () => this.pass(), (error) =>
      context.log.error('deleted-node worker failed', { error: String(error) }),
    );
  }

  start(): void {
    this.context.nodes.on('change', this.onNodeChange);
    this.periodic.start();
  }

  async stop(): Promise<void> {
    this.context.nodes.off('change', this.onNodeChange);
    await this.periodic.stop();
  }

  /** One pass over the node cache. */
  async pass(): Promise<void> {
    const { nodes, deleter } = this.context;
    const work: Promise<void>[] = [];
    for (const node of nodes.values()) {
      if (nodes.isProbablyLocked(node.id) || deleter.isDeleting(node.id)) continue;
      if (REAPABLE.has(node.state) && node.provider && this.context.provider(node.provider)) {
        work.push(deleter.reap(node.id, (fresh) => REAPABLE.has(fresh.state)));
      } else if (node.state === 'ready' && node.allocatedTo !== null && !this.context.requests.get(node.allocatedTo)) {
        work.push(this.deallocate(node));
      }
    }
    await Promise.all(work);
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
