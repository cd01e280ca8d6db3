import { randomUUID } from 'node:crypto';
import type { ZooKeeperClient } from '../client.js';
import { ClientClosedError, ConnectionLossError, isTransientError, NodeExistsError, NoNodeError, SessionExpiredError } from '../errors.js';
import { parentPath } from '../paths.js';
import { TransactionError, type Op } from '../operations.js';
import { LocalMutex } from './local-mutex.js';

/** kazoo's contender pattern: searched, so anchored at the end only. */
const CONTENDER_PATTERN = /(?:__lock__)(-?\d{10})$/;
const NODE_NAME = '__lock__';

/** The lock could not be had within the timeout. */
export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

/** A blocking acquisition was cancelled with `cancel()`. */
export class LockCancelledError extends Error {
  override name = 'LockCancelledError';
}

/**
 * The locked record no longer exists: its lock directory cannot be created because the parent
 * znode is gone (with `ensurePath: 'directory'`, a lock never re-creates its record).
 */
export class LockTargetGoneError extends Error {
  override name = 'LockTargetGoneError';
}

export interface LockOptions {
  /** Written into the contender znode (kazoo's `identifier`); empty by default, as Nodepool does. */
  identifier?: string;
  /**
   * How to make sure the lock directory exists: `'all'` creates every missing ancestor like
   * kazoo's ensure_path; `'directory'` creates only the lock directory itself and fails with
   * LockTargetGoneError when its parent (the record) is gone. Default `'all'`.
   */
  ensurePath?: 'all' | 'directory';
  /** Ephemeral contender (default). Only metastatic keeps persistent ones. */
  ephemeral?: boolean;
}

export interface ReleaseOptions {
  /**
   * While the connection is lost, the release waits for it to come back (the session may still
   * live, and with it our contender). Aborting gives up that wait: `release()` rejects and the
   * lock stays held as far as this object knows.
   */
  signal?: AbortSignal;
}

export interface AcquireOptions {
  /** Wait for the lock (default) or give up at once when someone else holds it. */
  blocking?: boolean;
  /** With `blocking`, give up after this long with LockTimeoutError. Default: wait forever. */
  timeoutMs?: number;
}

/** Contender names under a lock directory, in lock order (holder first). */
export function sortContenders(children: readonly string[]): string[] {
  return children
    .map((name) => ({ name, sequence: CONTENDER_PATTERN.exec(name)?.[1] }))
    .filter((entry): entry is { name: string; sequence: string } => entry.sequence !== undefined)
    // String order on the captured sequence, as kazoo sorts (numeric for same-length values).
    .sort((a, b) => (a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0))
    .map((entry) => entry.name);
}

export function isContender(name: string): boolean {
  return CONTENDER_PATTERN.test(name);
}

/**
 * kazoo's exclusive Lock recipe, bit for bit, so this client and kazoo clients (Zuul, the
 * original Nodepool and its CLI, anything Python) exclude each other. One object per acquisition attempt chain;
 * not re-entrant.
 */
export class KazooLock {
  /** `<uuid4 hex>__lock__`, chosen once per lock object. */
  readonly prefix = randomUUID().replaceAll('-', '') + NODE_NAME;
  private node: string | undefined;
  private createTried = false;
  private acquired = false;
  /**
   * The session our contender was created in (or, while its create's reply is unknown, the one
   * it was sent in). An ephemeral contender lives exactly as long: the lock is ours only within
   * that session, and once the session has changed there is nothing left to delete.
   */
  private acquiredInSession: string | undefined;
  private releasing: Promise<boolean> | undefined;
  private pathEnsured = false;
  private mutexHeld = false;
  private cancelled = false;
  private wakeWaiter: (() => void) | undefined;
  private readonly mutex: LocalMutex;
  private readonly data: Buffer;

  constructor(
    private readonly client: ZooKeeperClient,
    /** The lock directory, e.g. `/nodepool/nodes/0000000042/lock`. */
    readonly path: string,
    private readonly options: LockOptions = {},
  ) {
    this.mutex = LocalMutex.for(client, path);
    this.data = Buffer.from(options.identifier ?? '', 'utf8');
  }

  /**
   * Whether this object holds the lock, as far as the client knows. An ephemeral lock is lost
   * with the session that took it.
   */
  get isAcquired(): boolean {
    if (!this.acquired) return false;
    // While disconnected the session may well live on: the lock is held until we know otherwise.
    return this.options.ephemeral === false || this.client.sessionId === this.acquiredInSession;
  }

  /**
   * Whether `path` (a contender znode, `<lock directory>/<name>`) belongs to a lock object of
   * `client` that holds it, is acquiring or releasing it, or is removing it after a failed
   * attempt: a contender of the client's own session that no such object knows is a stray,
   * held by nobody who will ever release it.
   */
  static isLiveContender(client: ZooKeeperClient, path: string): boolean {
    const locks = liveLocks.get(client)?.get(parentPath(path));
    if (!locks) return false;
    const name = path.slice(path.lastIndexOf('/') + 1);
    for (const lock of locks) if (name.startsWith(lock.prefix)) return true;
    return false;
  }

  /** The contender znode name once created, e.g. `3f0c…__lock__0000000007`. */
  get contenderName(): string | undefined {
    return this.node;
  }

  /**
   * Acquires the lock. Non-blocking: resolves false at once if someone holds it, leaving no
   * contender behind. Blocking: waits (up to `timeoutMs`, then LockTimeoutError).
   * Connection losses are retried within the same session, re-using our contender if the
   * create reached the server but its reply did not.
   */
  async acquire(options: AcquireOptions = {}): Promise<boolean> {
    const blocking = options.blocking ?? true;
    // A non-blocking attempt still rides out a short connection blip, but not forever.
    const patience = options.timeoutMs ?? (blocking ? Number.POSITIVE_INFINITY : NON_BLOCKING_RETRY_MS);
    const deadline = Date.now() + patience;
    if (this.isAcquired) return false;
    const gotMutex = blocking
      ? await this.mutex.acquire(options.timeoutMs)
      : this.mutex.tryAcquire();
    if (!gotMutex) {
      if (blocking) throw new LockTimeoutError(`failed to acquire lock on ${this.path} within ${options.timeoutMs} ms`);
      return false;
    }
    this.mutexHeld = true;
    let gotten = false;
    try {
      for (;;) {
        try {
          gotten = await this.innerAcquire(blocking, deadline);
          break;
        } catch (error) {
          if (!isRetryable(error) || Date.now() >= deadline) throw error;
          await this.waitForConnection(deadline);
        }
      }
    } finally {
      if (gotten) this.acquired = true;
      else await this.abandonContender();
      this.cancelled = false;
    }
    return gotten;
  }

  /**
   * Takes a lock whose directory does not exist yet (a record just created) in ONE transaction:
   * create the directory, create our contender, and apply `alsoOps` — so the lock and what the
   * holder writes first cost a single ZooKeeper transaction. Being the only contender, we hold
   * the lock. Resolves `'exists'` (nothing done) when the directory is already there, or another
   * lock object of this process has the path: then use `acquire()`. A failing `alsoOps` operation rejects with its TransactionError.
   */
  async acquireFresh(alsoOps: readonly Op[] = []): Promise<'acquired' | 'exists'> {
    if (this.acquired) throw new Error(`lock ${this.path} is already held by this lock object`);
    // Someone in this process holds or wants it: not fresh, let acquire() queue or refuse.
    if (!this.mutex.tryAcquire()) return 'exists';
    this.mutexHeld = true;
    let outcome: 'acquired' | 'exists' = 'exists';
    this.track();
    try {
      for (;;) {
        this.acquiredInSession = this.client.sessionId;
        try {
          const results = await this.client.multi([
            { type: 'create', path: this.path },
            { type: 'create', path: `${this.path}/${this.prefix}`, data: this.data, mode: this.options.ephemeral === false ? 'persistent-sequential' : 'ephemeral-sequential' },
            ...alsoOps,
          ]);
          const created = results[1];
          if (created?.type !== 'create') throw new Error('unexpected transaction result');
          this.node = created.path.slice(this.path.length + 1);
          outcome = 'acquired';
          break;
        } catch (error) {
          if (error instanceof TransactionError && error.failedIndex === 0) {
            if (error.cause instanceof NodeExistsError) break;
            if (error.cause instanceof NoNodeError) {
              if (this.options.ensurePath === 'directory') throw new LockTargetGoneError(`cannot lock ${this.path}: its record is gone`);
              await this.client.mkdirp(this.path.slice(0, this.path.lastIndexOf('/')) || '/');
              continue;
            }
          }
          if (!isTransientError(error) && !(error instanceof SessionExpiredError)) throw error;
          // The reply was lost: the transaction may or may not have been applied. Find out once
          // connected, however long that takes (our contender would otherwise block everyone).
          await this.client.whenConnected();
          if (this.client.sessionId === this.acquiredInSession) {
            const own = await this.findOwnNode().catch((lookup: unknown) => {
              if (lookup instanceof NoNodeError) return undefined;
              throw lookup;
            });
            if (own) {
              this.node = own;
              outcome = 'acquired';
              break;
            }
          }
          // Not applied (or applied in a session now gone, with our contender): not fresh any more
          // if the directory exists.
          if ((await this.client.exists(this.path)) !== null) break;
        }
      }
    } finally {
      if (outcome === 'acquired') {
        this.createTried = true;
        this.pathEnsured = true;
        this.acquired = true;
      } else {
        this.untrack();
        this.releaseMutex();
      }
    }
    return outcome;
  }

  /**
   * The operation that releases this lock, for a caller folding the release into a transaction
   * of its own; call `releasedByTransaction()` once that transaction committed.
   */
  releaseOp(): Op {
    if (!this.acquired || !this.node) throw new Error(`lock ${this.path} is not held`);
    return { type: 'delete', path: `${this.path}/${this.node}` };
  }

  /** The transaction holding `releaseOp()` committed: the lock is free. */
  releasedByTransaction(): void {
    this.forgetContender();
  }

  /**
   * Our contender is known to be gone (someone else deleted it, or the session that held it
   * ended): the lock is no longer held, and others in this process may take it.
   */
  markLost(): void {
    this.forgetContender();
  }

  /** Stops a blocking `acquire()` in progress: it rejects with LockCancelledError. */
  cancel(): void {
    this.cancelled = true;
    this.wakeWaiter?.();
  }

  /**
   * Releases the lock: deletes our contender (never the lock directory). A delete that fails
   * for a lost connection is tried again once connected, for as long as the session that holds
   * the contender lives (after it, the contender is gone anyway) and the client is open: a
   * release never leaves a contender of a live session behind. Rejects only for an unexpected
   * error, or when `signal` aborts the wait; the lock then stays held as far as this object
   * knows, and releasing may be tried again.
   */
  release(options: ReleaseOptions = {}): Promise<boolean> {
    if (!this.acquired) return Promise.resolve(false);
    this.releasing ??= this.deleteContender(options.signal)
      .then(() => {
        this.forgetContender();
        return true;
      })
      .finally(() => {
        this.releasing = undefined;
      });
    return this.releasing;
  }

  /** Identifiers of every contender, holder first (kazoo's `contenders()`). */
  async contenders(): Promise<string[]> {
    await this.ensurePath();
    const { children } = await this.client.getChildren(this.path);
    const identifiers: string[] = [];
    for (const name of sortContenders(children)) {
      try {
        identifiers.push((await this.client.getData(`${this.path}/${name}`)).data.toString('utf8'));
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
    }
    return identifiers;
  }

  private async innerAcquire(blocking: boolean, deadline: number): Promise<boolean> {
    let node: string | undefined;
    if (this.createTried) node = await this.findOwnNode();
    else {
      this.createTried = true;
      this.track();
    }
    if (node) this.acquiredInSession = this.client.sessionId;
    else node = await this.createContender();
    this.node = node;
    const ownSequence = node.slice(this.prefix.length);

    for (;;) {
      if (this.cancelled) throw new LockCancelledError(`acquiring ${this.path} was cancelled`);
      const predecessor = await this.predecessorOf(node, ownSequence);
      if (predecessor === undefined) return true;
      if (!blocking) return false;
      const fired = await this.waitForDeletion(`${this.path}/${predecessor}`, deadline);
      if (!fired) throw new LockTimeoutError(`failed to acquire lock on ${this.path}: timed out`);
    }
  }

  /** The contender just before ours, or undefined when we hold the lock. */
  private async predecessorOf(node: string, ownSequence: string): Promise<string | undefined> {
    const { children } = await this.client.getChildren(this.path);
    if (!children.includes(node)) {
      // Our ephemeral contender is gone (session trouble): start over.
      throw new ConnectionLossError(this.path, { cause: new Error('own lock contender vanished') });
    }
    let best: { name: string; sequence: string } | undefined;
    for (const name of children) {
      const sequence = CONTENDER_PATTERN.exec(name)?.[1];
      if (sequence === undefined || !(sequence < ownSequence)) continue;
      if (!best || sequence > best.sequence) best = { name, sequence };
    }
    return best?.name;
  }

  /**
   * Watches the predecessor; resolves true when it is deleted or the connection state changes
   * (so the caller re-checks), false on timeout.
   */
  private waitForDeletion(path: string, deadline: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let settled = false;
      const finish = (value: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.client.off('state', onState);
        this.wakeWaiter = undefined;
        resolve(value);
      };
      this.wakeWaiter = () => finish(true);
      const onState = (): void => finish(true);
      const remaining = deadline - Date.now();
      const timer = setTimeout(() => finish(false), Number.isFinite(remaining) ? Math.max(0, remaining) : 2 ** 31 - 1);
      this.client.on('state', onState);
      this.client.exists(path, { watch: () => finish(true) }).then(
        (stat) => {
          if (stat === null) finish(true);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.client.off('state', onState);
          reject(error);
        },
      );
    });
  }

  /**
   * Creates our contender. The lock directory usually exists already, so try that first (a
   * create that fails costs a ZooKeeper transaction); ensure the path only when it is missing.
   */
  private async createContender(): Promise<string> {
    const create = async (): Promise<string> => {
      this.acquiredInSession = this.client.sessionId;
      const created = await this.client.create(`${this.path}/${this.prefix}`, {
        data: this.data,
        mode: this.options.ephemeral === false ? 'persistent-sequential' : 'ephemeral-sequential',
      });
      // The reply came over the session that created it.
      this.acquiredInSession = this.client.sessionId;
      return created.slice(this.path.length + 1);
    };
    if (this.pathEnsured) return create();
    try {
      const node = await create();
      this.pathEnsured = true;
      return node;
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
    await this.ensurePath();
    return create();
  }

  private async ensurePath(): Promise<void> {
    if (this.options.ensurePath === 'directory') {
      try {
        await this.client.create(this.path);
      } catch (error) {
        if (error instanceof NoNodeError) throw new LockTargetGoneError(`cannot lock ${this.path}: its record is gone`);
        if (!(error instanceof NodeExistsError)) throw error;
      }
    } else {
      await this.client.mkdirp(this.path);
    }
    this.pathEnsured = true;
  }

  private async findOwnNode(): Promise<string | undefined> {
    const { children } = await this.client.getChildren(this.path);
    return children.find((child) => child.startsWith(this.prefix));
  }

  /**
   * After an attempt that did not get the lock: removes our contender, if we made one. While
   * the session that made it lives it would block everyone for good (the session outlives a
   * ZooKeeper restart), so a delete that fails for a lost connection goes on in the background
   * once the connection is back, holding the in-process guard (a later attempt from this
   * process would queue behind the leftover anyway) until it is done.
   */
  private async abandonContender(): Promise<void> {
    if (!this.createTried) {
      this.forgetContender();
      return;
    }
    try {
      await this.deleteContenderOnce();
    } catch (error) {
      if (isTransientError(error)) {
        void this.deleteContender().then(
          () => this.forgetContender(),
          // Unexpected: left to the owner's audit of its session's contenders.
          () => this.forgetContender(),
        );
        return;
      }
      // Unexpected (not a connection problem): left to the owner's audit of its contenders.
    }
    this.forgetContender();
  }

  /** Deletes our contender, retrying through connection losses while its session lives. */
  private async deleteContender(signal?: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.deleteContenderOnce();
        return;
      } catch (error) {
        if (!isTransientError(error)) throw error;
      }
      try {
        await this.client.whenConnected({ signal });
      } catch (error) {
        if (error instanceof ClientClosedError) return; // the session ends with the client
        throw error;
      }
    }
  }

  /** One try at deleting our contender; done (no throw) when there is nothing left to delete. */
  private async deleteContenderOnce(): Promise<void> {
    // An ephemeral contender went with its session: nothing of ours is left.
    if (this.options.ephemeral !== false && this.client.sessionId !== this.acquiredInSession) return;
    try {
      // The create's reply may have been lost: our contender is then known by its prefix.
      const node = this.node ?? (await this.findOwnNode());
      if (node === undefined) return;
      this.node = node;
      await this.client.delete(`${this.path}/${node}`);
    } catch (error) {
      if (error instanceof NoNodeError || error instanceof SessionExpiredError || error instanceof ClientClosedError) return;
      throw error;
    }
  }

  /** We have no contender any more (or never will): the lock is free for others here. */
  private forgetContender(): void {
    this.acquired = false;
    this.node = undefined;
    this.untrack();
    this.releaseMutex();
  }

  /** From the first attempt to create a contender until it is gone, this lock is live. */
  private track(): void {
    let byPath = liveLocks.get(this.client);
    if (!byPath) liveLocks.set(this.client, (byPath = new Map()));
    let locks = byPath.get(this.path);
    if (!locks) byPath.set(this.path, (locks = new Set()));
    locks.add(this);
  }

  private untrack(): void {
    const byPath = liveLocks.get(this.client);
    const locks = byPath?.get(this.path);
    if (!locks?.delete(this)) return;
    if (locks.size === 0) byPath!.delete(this.path);
    // A later attempt with this object creates a contender afresh.
    this.createTried = false;
  }

  private async waitForConnection(deadline: number): Promise<void> {
    if (this.client.state === 'connected') return;
    await new Promise<void>((resolve) => {
      const remaining = deadline - Date.now();
      const timer = setTimeout(done, Number.isFinite(remaining) ? Math.max(0, remaining) : 2 ** 31 - 1);
      const client = this.client;
      client.on('state', onState);
      function onState(state: string): void {
        if (state === 'connected' || state === 'closed') done();
      }
      function done(): void {
        clearTimeout(timer);
        client.off('state', onState);
        resolve();
      }
    });
  }

  private releaseMutex(): void {
    if (this.mutexHeld) {
      this.mutexHeld = false;
      this.mutex.release();
    }
  }
}

const NON_BLOCKING_RETRY_MS = 10_000;

/** Per client, per lock directory: lock objects that have (or may have) a contender there. */
const liveLocks = new WeakMap<ZooKeeperClient, Map<string, Set<KazooLock>>>();

function isRetryable(error: unknown): boolean {
  return error instanceof ConnectionLossError || error instanceof SessionExpiredError;
}
