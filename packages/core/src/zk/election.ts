import { hostname } from 'node:os';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { getLogger } from '../log.js';
import { KazooLock, LockCancelledError } from '@nodepool/zookeeper';
import { ZkPaths } from './paths.js';

/**
 * kazoo's Election: the lock recipe with identifier `<hostname>-<pid>`, acquired blocking. The
 * holder leads until it resigns or its session ends (spec §4.9). After losing the session the
 * election is entered again by itself.
 */
export class Election {
  private readonly log = getLogger('nodepool.zk.Election');
  private lock: KazooLock | undefined;
  private running = false;
  private readonly onNewSession = (): void => {
    if (this.running) void this.campaign();
  };

  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string = ZkPaths.statsElection,
    readonly identifier: string = `${hostname()}-${process.pid}`,
  ) {}

  /** Whether we lead now. */
  get isLeader(): boolean {
    return this.lock?.isAcquired ?? false;
  }

  /** Enters the election; resolves once we lead (possibly never, if another leader stays). */
  async start(): Promise<void> {
    this.running = true;
    this.client.on('connected', this.onNewSession);
    await this.campaign();
  }

  /** Leaves the election, resigning if we lead. */
  async stop(): Promise<void> {
    this.running = false;
    this.client.off('connected', this.onNewSession);
    const lock = this.lock;
    this.lock = undefined;
    lock?.cancel();
    await lock?.release();
  }

  private async campaign(): Promise<void> {
    if (this.lock?.isAcquired) return;
    this.lock?.cancel();
    const lock = new KazooLock(this.client, this.path, { identifier: this.identifier });
    this.lock = lock;
    try {
      await lock.acquire({ blocking: true });
      if (this.lock === lock) this.log.info('won the election', { path: this.path });
    } catch (error) {
      if (!(error instanceof LockCancelledError)) this.log.warn('election attempt failed', { path: this.path, error: String(error) });
    }
  }
}
