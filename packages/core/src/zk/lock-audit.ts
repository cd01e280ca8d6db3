import { isContender, isTransientError, KazooLock, NoNodeError, type ZooKeeperClient } from '@nodepool/zookeeper';
import type { Logger } from '../log.js';
import { ZkPaths } from './paths.js';

/** What one audit found and did. */
export interface AuditReport {
  /** False when it could not look (no connection, or the session changed meanwhile). */
  readonly ran: boolean;
  /** Contenders of our session nobody here knows, seen once: deleted if seen so again. */
  readonly suspects: readonly string[];
  /** Stray contenders deleted (paths). */
  readonly released: readonly string[];
  /** Locks we believed held whose contender was gone, now dropped (`node 0000000042`). */
  readonly dropped: readonly string[];
}

/** What the audit needs of the data layer that holds the locks. */
export interface AuditedLocks {
  readonly client: ZooKeeperClient;
  readonly lockClock: number;
  heldLocks(): readonly { kind: 'node' | 'request'; id: string; lock: KazooLock; stamp: number }[];
  dropLostLock(held: { kind: 'node' | 'request'; id: string; lock: KazooLock; stamp: number }): void;
}

/**
 * The safety net under the lock bookkeeping. ZooKeeper knows every ephemeral znode of our
 * session (getEphemerals); every node and request lock contender among them should belong to a
 * lock object of this process. One that does not is held by nobody who will ever release it —
 * as long as the session lives, which it does across ZooKeeper restarts — and so locks its node
 * or request forever; it is deleted once seen so by two audits in a row (a contender appears a
 * moment before an acquisition records it). Conversely a lock we believe held whose contender is
 * gone is dropped.
 */
export class LockAudit {
  private suspects = new Set<string>();
  private running: Promise<AuditReport> | undefined;

  constructor(
    private readonly locks: AuditedLocks,
    private readonly log: Logger,
  ) {}

  /** One audit; concurrent calls share it. */
  run(): Promise<AuditReport> {
    this.running ??= this.audit().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async audit(): Promise<AuditReport> {
    const { client } = this.locks;
    const session = client.sessionId;
    const notRun: AuditReport = { ran: false, suspects: [...this.suspects], released: [], dropped: [] };
    if (session === undefined || client.state !== 'connected') return notRun;
    // Locks recorded after this moment may be missing from the answer: they are not judged.
    const asked = this.locks.lockClock;
    let ephemerals: string[];
    try {
      ephemerals = await client.getEphemerals(`${ZkPaths.root}/`);
    } catch (error) {
      if (isTransientError(error)) return notRun;
      throw error;
    }
    if (client.sessionId !== session) return notRun;
    const contenders = ephemerals.filter(isAuditedContender);
    const present = new Set(contenders);

    const released: string[] = [];
    const suspects = new Set<string>();
    for (const path of contenders) {
      if (KazooLock.isLiveContender(client, path)) continue;
      if (!this.suspects.has(path)) {
        suspects.add(path);
        continue;
      }
      if (await this.deleteStray(path, session)) {
        released.push(path);
        this.log.warn(`released lock of ${describe(path)} held by this launcher but no longer worked on`, { contender: path });
      }
    }
    this.suspects = suspects;

    const dropped: string[] = [];
    for (const held of this.locks.heldLocks()) {
      if (held.stamp > asked) continue;
      const name = held.lock.contenderName;
      const lost = !held.lock.isAcquired || name === undefined || !present.has(`${held.lock.path}/${name}`);
      if (!lost) continue;
      this.locks.dropLostLock(held);
      dropped.push(`${held.kind} ${held.id}`);
      this.log.warn(`lock of ${held.kind} ${held.id} was lost: its contender is gone`, { lock: held.lock.path });
    }
    return { ran: true, suspects: [...suspects], released, dropped };
  }

  /** Deletes a stray contender of our session; false if the session changed first. */
  private async deleteStray(path: string, session: string): Promise<boolean> {
    const { client } = this.locks;
    for (;;) {
      if (client.sessionId !== session) return false;
      try {
        await client.delete(path);
        return true;
      } catch (error) {
        if (error instanceof NoNodeError) return false;
        if (!isTransientError(error)) throw error;
      }
      await client.whenConnected();
    }
  }
}

/** `/nodepool/nodes/<id>/lock/<contender>` or `/nodepool/requests-lock/<id>/<contender>`. */
function isAuditedContender(path: string): boolean {
  const parts = path.split('/');
  const name = parts.at(-1) ?? '';
  if (!isContender(name)) return false;
  if (path.startsWith(`${ZkPaths.nodes}/`)) return parts.length === 6 && parts[4] === 'lock';
  if (path.startsWith(`${ZkPaths.requestLocks}/`)) return parts.length === 5;
  return false;
}

/** `node 0000000042` or `request 200-0000000007`, from a contender path. */
function describe(path: string): string {
  const parts = path.split('/');
  return path.startsWith(`${ZkPaths.nodes}/`) ? `node ${parts[3]}` : `request ${parts[3]}`;
}
