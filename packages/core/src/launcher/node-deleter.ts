import type { Logger } from '../log.js';
import type { Node } from '../zk/node.js';
import { LockUnavailableError, RecordConflictError, RecordGoneError, type NodepoolZooKeeper } from '../zk/nodepool-zookeeper.js';
import type { ProviderRuntime } from './launcher-context.js';

/**
 * The deletion protocol (spec §6.5): with the node locked, mark it `deleting`, have the provider
 * delete its resources, then remove the znode and its lock in one transaction (or, if others
 * queue on the lock, mark it `deleted` and remove it recursively) and tell the provider. One deletion per node at a time; deletions run concurrently.
 */
export class NodeDeleter {
  private readonly busy = new Set<string>();

  constructor(
    private readonly zk: NodepoolZooKeeper,
    private readonly providers: (name: string) => ProviderRuntime | undefined,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  isDeleting(id: string): boolean {
    return this.busy.has(id);
  }

  get inProgress(): number {
    return this.busy.size;
  }

  /**
   * Locks the node (non-blocking), re-reads it, and deletes it if `stillWanted(fresh)` agrees.
   * A node already locked, gone, or no longer wanted is left alone. Resolves when done.
   *
   * Given the cached copy of the node, and if that copy is wanted, the re-read is left out:
   * `deleting` is written with the copy's version, which succeeds only if the copy is current.
   * `waitMs`: queue for the lock up to that long (or until `signal` aborts) instead of giving
   * up when it is held.
   */
  async reap(target: Node | string, stillWanted: (node: Node) => boolean, options: { waitMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const id = typeof target === 'string' ? target : target.id;
    if (this.busy.has(id)) return;
    this.busy.add(id);
    try {
      try {
        await this.zk.lockNode(id, options.waitMs === undefined ? { blocking: false } : { blocking: true, timeoutMs: options.waitMs, signal: options.signal });
      } catch (error) {
        if (error instanceof LockUnavailableError) return;
        throw error;
      }
      if (typeof target !== 'string' && (await this.startFromCopy(target, stillWanted))) return;
      const fresh = await this.zk.getNode(id);
      if (!fresh) {
        // Empty (an "ensure path" leftover) or deleted meanwhile: remove what is left.
        await this.zk.deleteNode(id);
        return;
      }
      if (fresh.state !== 'deleted' && !stillWanted(fresh)) {
        await this.zk.unlockNode(id);
        return;
      }
      await this.deleteLocked(fresh);
    } catch (error) {
      this.log.warn('node deletion failed; will retry', { node: id, error: String(error) });
      await this.zk.unlockNode(id).catch(() => undefined);
    } finally {
      this.busy.delete(id);
    }
  }

  /**
   * Deletes a locked node from its cached copy if the copy is wanted and still current (its
   * `deleting` write checks the version); false when the copy would not do (nothing written).
   */
  private async startFromCopy(cached: Node, stillWanted: (node: Node) => boolean): Promise<boolean> {
    if (cached.state === 'deleting' || cached.state === 'deleted' || !cached.provider || !this.providers(cached.provider) || !stillWanted(cached)) return false;
    const node = cached.clone();
    node.setState('deleting');
    try {
      await this.zk.storeNode(node);
    } catch (error) {
      // Changed or gone since it was cached: decide on a fresh read instead.
      if (error instanceof RecordConflictError || error instanceof RecordGoneError) return false;
      throw error;
    }
    await this.deleteLocked(node);
    return true;
  }

  /** Deletes a node the caller has locked (and keeps locked until the record is gone). */
  async deleteLocked(node: Node): Promise<void> {
    this.busy.add(node.id);
    try {
      // A record already `deleted` (or without a provider) only lacks its final removal.
      if (node.state !== 'deleted' && node.provider) {
        const runtime = this.providers(node.provider);
        if (!runtime) {
          this.log.debug('not deleting a node of a provider this launcher does not run', { node: node.id, provider: node.provider });
          await this.zk.unlockNode(node);
          return;
        }
        if (node.state !== 'deleting') {
          node.setState('deleting');
          await this.zk.storeNode(node);
        }
        await withTimeout(runtime.provider.cleanupNode(node), this.timeoutMs, `deleting the resources of node ${node.id}`);
      }
      // Lock and record go together; `deleted` is written only if someone queues on the lock.
      await this.zk.removeLockedNode(node);
      this.log.info('deleted node', { node: node.id, provider: node.provider, labels: node.type });
      if (node.provider) this.providers(node.provider)?.provider.nodeDeletedNotification?.(node);
    } catch (error) {
      if (error instanceof RecordGoneError) {
        await this.zk.deleteNode(node).catch(() => undefined);
        return;
      }
      this.log.warn('node deletion failed; will retry', { node: node.id, error: String(error) });
      await this.zk.unlockNode(node).catch(() => undefined);
    } finally {
      this.busy.delete(node.id);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
