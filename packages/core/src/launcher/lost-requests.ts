import { NoNodeError, sortContenders } from '@nodepool/zookeeper';
import type { NodeRequest } from '../zk/node-request.js';
import { LockUnavailableError } from '../zk/nodepool-zookeeper.js';
import { requestLockPath } from '../zk/paths.js';
import type { LauncherContext } from './launcher-context.js';

/**
 * The lost-request reset (spec §5.4): a request `pending` with nobody holding its lock lost its
 * launcher. Its nodes are released (`init` ones marked for deletion) and it goes back to
 * `requested`, for any launcher to take. Used by the cleanup worker's periodic pass and, the
 * moment a request lock's holder goes, by the lost-request watcher.
 */
export class LostRequests {
  /** Requests being looked at now: one look at a time per request. */
  private readonly busy = new Set<string>();

  constructor(private readonly context: LauncherContext) {}

  /** Looks at every pending request in the cache. */
  async resetAll(): Promise<void> {
    for (const request of [...this.context.requests.values()]) await this.resetIfLost(request);
  }

  /** Resets one request if it is `pending` and unlocked; resolves true if it did. */
  async resetIfLost(request: NodeRequest): Promise<boolean> {
    const { zk } = this.context;
    if (request.state !== 'pending' || zk.holdsRequestLock(request.id) || this.busy.has(request.id)) return false;
    this.busy.add(request.id);
    try {
      if ((await this.lockContenders(request.id)).length > 0) return false;
      try {
        await zk.lockNodeRequest(request);
      } catch (error) {
        if (error instanceof LockUnavailableError) return false;
        throw error;
      }
      try {
        const fresh = await zk.getNodeRequest(request.id);
        if (fresh?.state !== 'pending') return false;
        await this.reset(fresh);
        return true;
      } finally {
        await zk.unlockNodeRequest(request);
      }
    } finally {
      this.busy.delete(request.id);
    }
  }

  private async reset(request: NodeRequest): Promise<void> {
    const { zk, nodes } = this.context;
    this.context.log.info('resetting a lost request', { request: request.id });
    for (const node of [...nodes.values()].filter((candidate) => candidate.allocatedTo === request.id)) {
      try {
        await zk.lockNode(node, { blocking: true, timeoutMs: 30_000 });
      } catch (error) {
        if (error instanceof LockUnavailableError) continue;
        throw error;
      }
      try {
        const fresh = await zk.getNode(node.id);
        if (!fresh || fresh.allocatedTo !== request.id) continue;
        fresh.allocatedTo = null;
        // An `init` node never got going: its launcher died between creating and locking it.
        if (fresh.state === 'init') fresh.setState('deleting');
        await zk.storeNode(fresh);
      } finally {
        await zk.unlockNode(node);
      }
    }
    request.setState('requested');
    request.nodes = [];
    await zk.storeNodeRequest(request);
  }

  private async lockContenders(id: string): Promise<string[]> {
    try {
      return sortContenders((await this.context.zk.client.getChildren(requestLockPath(id))).children);
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }
}
