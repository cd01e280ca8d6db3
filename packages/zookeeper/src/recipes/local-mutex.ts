import type { ZooKeeperClient } from '../client.js';

/**
 * An in-process mutex per lock path and client. ZooKeeper locks are not re-entrant: two lock
 * objects of one session on the same path would each see their own contender and could both
 * "hold" it. Every lock takes this guard first.
 */
export class LocalMutex {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  private static readonly registry = new WeakMap<ZooKeeperClient, Map<string, LocalMutex>>();

  static for(client: ZooKeeperClient, path: string): LocalMutex {
    let byPath = LocalMutex.registry.get(client);
    if (!byPath) LocalMutex.registry.set(client, (byPath = new Map()));
    let mutex = byPath.get(path);
    if (!mutex) byPath.set(path, (mutex = new LocalMutex(() => byPath!.delete(path))));
    return mutex;
  }

  private constructor(private readonly forget: () => void) {}

  tryAcquire(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  /** Waits for the mutex; resolves false if `timeoutMs` passes first. */
  acquire(timeoutMs?: number): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const grant = (): void => {
        if (timer) clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(grant);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const index = this.waiters.indexOf(grant);
          if (index !== -1) this.waiters.splice(index, 1);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      next(); // ownership passes straight to the next waiter
      return;
    }
    this.held = false;
    this.forget();
  }
}
