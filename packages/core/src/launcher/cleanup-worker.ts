import { isTransientError, NoNodeError } from '@nodepool/zookeeper';
import type { Node } from '../zk/node.js';
import { requestLockPath, ZkPaths } from '../zk/paths.js';
import type { LauncherContext } from './launcher-context.js';
import { LostRequests } from './lost-requests.js';
import { Periodic } from './periodic.js';

/**
 * The cleanup worker (about once a minute): resets requests a dead launcher left pending,
 * removes old request-lock directories and empty node znodes, retires ready nodes past their
 * label's max-ready-age and held nodes past their expiry, and lets every provider remove leaked
 * resources.
 */
export class CleanupWorker {
  private readonly periodic: Periodic;
  constructor(
    private readonly context: LauncherContext,
    /** Shared with the lost-request watcher, so one request is never reset twice at once. */
    private readonly lostRequests: LostRequests = new LostRequests(context),
  ) {
    this.periodic = new Periodic(context.timings.cleanupIntervalMs, () => this.pass(), (error) =>
      context.log.error('cleanup worker failed', { error: String(error) }),
    );
  }

  start(): void {
    this.periodic.start(false);
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
  }

  /** One full pass; each part runs even if another failed. */
  async pass(): Promise<void> {
    for (const [what, step] of [
      ['lost requests', () => this.resetLostRequests()],
      ['request locks', () => this.removeOldRequestLocks()],
      ['empty nodes', () => this.removeEmptyNodes()],
      ['max-ready-age', () => this.retireOldReadyNodes()],
      ['holds', () => this.expireHolds()],
      ['leaked resources', () => this.cleanupLeakedResources()],
    ] as const) {
      try {
        await step();
      } catch (error) {
        // A lost connection is no failure of ours: the next pass does it.
        if (isTransientError(error)) this.context.log.warn(`cleanup of ${what} interrupted by connection trouble`, { error: String(error) });
        else this.context.log.error(`cleanup of ${what} failed`, { error: String(error) });
      }
    }
  }

  /**
   * A request `pending` with nobody holding its lock lost its launcher (spec §5.4): release its
   * nodes and put it back to `requested`. The lost-request watcher does this the moment the
   * lock goes; this pass is the fallback.
   */
  async resetLostRequests(): Promise<void> {
    await this.lostRequests.resetAll();
  }

  /** Lock directories of requests gone for longer than the expiry (8 h) go (spec §5.8). */
  async removeOldRequestLocks(): Promise<void> {
    const { client } = this.context.zk;
    let children: string[];
    try {
      ({ children } = await client.getChildren(ZkPaths.requestLocks));
    } catch (error) {
      if (error instanceof NoNodeError) return;
      throw error;
    }
    const now = Date.now();
    for (const id of children) {
      if (this.context.requests.get(id)) continue;
      const stat = await client.exists(requestLockPath(id));
      if (!stat || now - stat.mtime <= this.context.timings.requestLockExpiryMs) continue;
      if (await this.context.zk.getNodeRequest(id)) continue;
      await client.deleteRecursive(requestLockPath(id));
    }
  }

  /** Node znodes without data are "ensure path" leftovers, not nodes (spec §4.7). */
  async removeEmptyNodes(): Promise<void> {
    const { zk } = this.context;
    for (const id of await zk.getNodeIds()) {
      if (this.context.nodes.get(id)) continue;
      const stat = await zk.client.exists(`${ZkPaths.nodes}/${id}`);
      if (stat && stat.dataLength === 0) {
        this.context.log.debug('removing empty node znode', { node: id });
        await zk.client.deleteRecursive(`${ZkPaths.nodes}/${id}`);
      }
    }
  }

  /** Ready, unallocated nodes older than their label's max-ready-age are deleted. */
  async retireOldReadyNodes(): Promise<void> {
    const labels = this.context.config().labels;
    const now = Date.now() / 1000;
    const tooOld = (node: Node): boolean => {
      if (node.state !== 'ready' || node.allocatedTo !== null) return false;
      const ages = node.type.map((label) => labels.get(label)?.maxReadyAge ?? 0).filter((age) => age > 0);
      return ages.length > 0 && now - node.stateTime >= Math.min(...ages);
    };
    await this.retire(tooOld, 'max-ready-age');
  }

  /** Held nodes past min(hold_expiration, max-hold-age) are deleted (spec §7). */
  async expireHolds(): Promise<void> {
    const maxHoldAge = this.context.config().maxHoldAge;
    const now = Date.now() / 1000;
    const expired = (node: Node): boolean => {
      if (node.state !== 'hold') return false;
      const own = node.holdExpiration !== null && node.holdExpiration > 0 ? node.holdExpiration : Infinity;
      const limit = Math.min(own, maxHoldAge);
      return Number.isFinite(limit) && now - node.stateTime >= limit;
    };
    await this.retire(expired, 'hold expired');
  }

  private async retire(predicate: (node: Node) => boolean, reason: string): Promise<void> {
    const { nodes, deleter } = this.context;
    const work = [...nodes.values()]
      .filter((node) => predicate(node) && node.provider !== null && this.context.provider(node.provider) && !nodes.isProbablyLocked(node.id))
      .map((node) => {
        this.context.log.info('deleting node', { node: node.id, reason });
        return deleter.reap(node.id, predicate);
      });
    await Promise.all(work);
  }

  private async cleanupLeakedResources(): Promise<void> {
    for (const name of this.providerNames()) {
      const runtime = this.context.provider(name);
      if (!runtime) continue;
      try {
        await runtime.provider.cleanupLeakedResources();
      } catch (error) {
        this.context.log.error('leaked-resource cleanup failed', { provider: name, error: String(error) });
      }
    }
  }

  private providerNames(): string[] {
    return [...this.context.config().providers.keys()];
  }
}
