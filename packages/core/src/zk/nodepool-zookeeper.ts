import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  TransactionError,
  type Op,
  BadVersionError,
  NodeExistsError,
  NoNodeError,
  type ZooKeeperClient,
} from '@nodepool/zookeeper';
import { getLogger } from '../log.js';
import { LockAudit, type AuditReport } from './lock-audit.js';
import { retryWhileSessionLives, SessionLostError, type RetryOptions, type Settled } from './retry.js';
import { ImageCache, NodeCache, RequestCache } from './caches.js';
import { ComponentRegistry } from './component-registry.js';
import { ImageBuild, ImageUpload } from './image-records.js';
import { parseRecordJson, stringifyRecordJson } from './json.js';
import { KazooLock, LockCancelledError, LockTargetGoneError, LockTimeoutError, sortContenders, type AcquireOptions } from '@nodepool/zookeeper';
import { Node } from './node.js';
import { NodeRequest } from './node-request.js';
import {
  buildPath,
  imageBuildRequestPath,
  imageBuildsPath,
  imagePausePath,
  nodeLockPath,
  nodePath,
  requestLockPath,
  requestPath,
  uploadPath,
  uploadsPath,
  ZkPaths,
} from './paths.js';

/** A record changed under us: someone else wrote it since we read it. */
export class RecordConflictError extends Error {
  override name = 'RecordConflictError';
}

/** The record no longer exists; it is never re-created by a write (spec §3). */
export class RecordGoneError extends Error {
  override name = 'RecordGoneError';
}

/** A lock could not be taken (held elsewhere, timed out, or its record is gone). */
export class LockUnavailableError extends Error {
  override name = 'LockUnavailableError';
}

/**
 * A lock this process held is gone (its session ended, or someone removed its contender): what
 * it guarded may be someone else's now, so nothing is written to it.
 */
export class LockLostError extends SessionLostError {
  override name = 'LockLostError';
}

export { SessionLostError };

/** A node or request lock this process holds, as the audit sees it. */
export interface HeldLock {
  readonly kind: 'node' | 'request';
  readonly id: string;
  readonly lock: KazooLock;
  /** When it was recorded, on the clock of `lockClock`. */
  readonly stamp: number;
}

export interface NodepoolZooKeeperOptions {
  /**
   * Aborted when the owner stops: operations then stop waiting for a lost connection to come
   * back (they fail with the connection error) instead of riding out the outage.
   */
  stopping?: AbortSignal;
}

/**
 * Nodepool's view of ZooKeeper: typed records, their locks and the watch-fed caches, on one
 * client. Writes to existing records are versioned `setData` calls: a record deleted meanwhile
 * makes the write fail with RecordGoneError instead of coming back to life.
 */
export class NodepoolZooKeeper {
  private readonly log = getLogger('nodepool.zk');
  private readonly nodeLocks = new Map<string, KazooLock>();
  /** Nodes this process is locking right now (the attempt not yet decided). */
  private readonly lockingNodes = new Set<string>();
  private readonly requestLocks = new Map<string, KazooLock>();
  /** When each held lock was recorded (for the audit: a lock newer than its question is skipped). */
  private readonly lockStamps = new WeakMap<KazooLock, number>();
  private clock = 0;
  /**
   * The highest sequence number seen among node and request znodes: a create whose reply was
   * lost can only have made one above it.
   */
  private readonly sequenceFloors = { nodes: -1, requests: -1 };
  private readonly audit: LockAudit;
  private readonly stopping: AbortSignal | undefined;
  private nodeCacheInstance: NodeCache | undefined;
  private requestCacheInstance: RequestCache | undefined;
  private imageCacheInstance: ImageCache | undefined;
  private componentRegistryInstance: ComponentRegistry | undefined;

  constructor(
    readonly client: ZooKeeperClient,
    options: NodepoolZooKeeperOptions = {},
  ) {
    this.stopping = options.stopping;
    // Every operation waiting out an outage listens to it.
    if (options.stopping) setMaxListeners(0, options.stopping);
    this.audit = new LockAudit(this, this.log);
  }

  // ---- caches (started on first use) ------------------------------------------------------

  async nodeCache(): Promise<NodeCache> {
    if (!this.nodeCacheInstance) {
      this.nodeCacheInstance = new NodeCache(this.client);
      this.trackSequences(this.nodeCacheInstance, 'nodes');
      await this.nodeCacheInstance.start();
    }
    return this.nodeCacheInstance;
  }

  async requestCache(): Promise<RequestCache> {
    if (!this.requestCacheInstance) {
      this.requestCacheInstance = new RequestCache(this.client);
      this.trackSequences(this.requestCacheInstance, 'requests');
      await this.requestCacheInstance.start();
    }
    return this.requestCacheInstance;
  }

  async imageCache(): Promise<ImageCache> {
    if (!this.imageCacheInstance) {
      this.imageCacheInstance = new ImageCache(this.client);
      await this.imageCacheInstance.start();
    }
    return this.imageCacheInstance;
  }

  async componentRegistry(): Promise<ComponentRegistry> {
    if (!this.componentRegistryInstance) {
      this.componentRegistryInstance = new ComponentRegistry(this.client);
      await this.componentRegistryInstance.start();
    }
    return this.componentRegistryInstance;
  }

  /** Stops the caches; the client is the caller's to close. */
  async stop(): Promise<void> {
    await Promise.all(
      [this.nodeCacheInstance, this.requestCacheInstance, this.imageCacheInstance, this.componentRegistryInstance].map((cache) => cache?.stop()),
    );
  }

  // ---- nodes ------------------------------------------------------------------------------

  /** A fresh read of a node; undefined if it is missing, empty or corrupt. */
  async getNode(id: string): Promise<Node | undefined> {
    return this.readRecord(nodePath(id), (json, version) => Node.fromJson(id, json, version));
  }

  /** IDs of every node znode, records or not (empty "ensure path" leftovers included). */
  async getNodeIds(): Promise<string[]> {
    return this.childrenOf(ZkPaths.nodes);
  }

  /**
   * Stores a node: a new one (no id yet) is created as `/nodepool/nodes/<seq10>`; an existing
   * one is rewritten whole, if its version still matches.
   */
  async storeNode(node: Node): Promise<void> {
    const data = stringifyRecordJson(node.toJson());
    if (!node.id) {
      const { path, version, created } = await this.createSequential(ZkPaths.nodes, '', data, 'persistent-sequential', 'nodes');
      node.id = path.slice(ZkPaths.nodes.length + 1);
      node.version = version;
      // Whoever waits for new nodes (a request waiting for a static slot) need not wait for
      // the cache to read this one back.
      if (created) this.nodeCacheInstance?.noteOwnCreate(path, data);
      return;
    }
    node.version = await this.versionedWrite(nodePath(node.id), data, node.version, `node ${node.id}`, this.lockSession('node', node.id));
  }

  /**
   * Locks a node (spec §4): non-blocking by default. Never re-creates a deleted node: a node
   * whose znode is gone fails with LockUnavailableError. After locking, re-read the node.
   */
  async lockNode(node: Node | string, options: AcquireOptions & { signal?: AbortSignal } = { blocking: false }): Promise<KazooLock> {
    const id = typeof node === 'string' ? node : node.id;
    const lock = new KazooLock(this.client, nodeLockPath(id), { ensurePath: 'directory' });
    // A blocking wait ends (LockUnavailableError) when the signal aborts.
    const cancel = (): void => lock.cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    this.lockingNodes.add(id);
    try {
      if (options.signal?.aborted) throw new LockUnavailableError(`not locking node ${id}: stopping`);
      await this.acquireOrThrow(lock, options, `node ${id}`);
    } finally {
      this.lockingNodes.delete(id);
      options.signal?.removeEventListener('abort', cancel);
    }
    this.remember('node', id, lock);
    return lock;
  }

  /**
   * Whether this process holds a node's lock or is trying to take it: another attempt from
   * this process would fail anyway (locks are not re-entrant), so need not be made.
   */
  isLockingNode(id: string): boolean {
    return this.lockingNodes.has(id) || this.holdsNodeLock(id);
  }

  /**
   * Locks a node (non-blocking) and reads it afresh (spec §4.5), for a caller who found it in
   * the cache; undefined when the record is gone or empty (the lock is still held: unlock it or
   * delete the node). A record never rewritten since its creation (version 0: a static node
   * just registered) was almost surely never locked, so its lock directory, our contender and
   * a check that the record is still at that version go in one transaction — which makes the
   * cached copy the current one, with no read. Otherwise, or if that fails, the usual way.
   */
  async lockAndReadNode(cached: Node): Promise<Node | undefined> {
    if (cached.version === 0 && !this.nodeLocks.get(cached.id)?.isAcquired) {
      const lock = new KazooLock(this.client, nodeLockPath(cached.id), { ensurePath: 'directory' });
      let outcome: 'acquired' | 'exists' | 'changed';
      this.lockingNodes.add(cached.id);
      try {
        outcome = await lock.acquireFresh([{ type: 'check', path: nodePath(cached.id), version: 0 }]);
      } catch (error) {
        if (error instanceof LockTargetGoneError) throw new LockUnavailableError(`node ${cached.id} no longer exists`, { cause: error });
        if (!(error instanceof TransactionError)) throw error;
        // Rewritten since: nothing was created; lock and read it the usual way.
        outcome = 'changed';
      } finally {
        this.lockingNodes.delete(cached.id);
      }
      if (outcome === 'acquired') {
        this.remember('node', cached.id, lock);
        return cached.clone();
      }
    }
    await this.lockNode(cached.id);
    return this.getNode(cached.id);
  }

  /**
   * Locks a node this launcher has just created (state `init`, nobody else acts on it) and
   * stores it, in one transaction: lock directory, contender and the record. Falls back to
   * lock-then-store when the lock directory already exists (someone listed the node's locks).
   */
  async lockAndStoreNewNode(node: Node): Promise<KazooLock> {
    const lock = new KazooLock(this.client, nodeLockPath(node.id), { ensurePath: 'directory' });
    const store: Op = { type: 'set', path: nodePath(node.id), data: stringifyRecordJson(node.toJson()), version: node.version };
    let outcome: 'acquired' | 'exists';
    try {
      outcome = await lock.acquireFresh([store]);
    } catch (error) {
      if (error instanceof LockTargetGoneError) throw new LockUnavailableError(`node ${node.id} no longer exists`, { cause: error });
      throw error;
    }
    if (outcome === 'acquired') {
      this.remember('node', node.id, lock);
      node.version++;
      return lock;
    }
    await this.acquireOrThrow(lock, { blocking: false }, `node ${node.id}`);
    this.remember('node', node.id, lock);
    await this.storeNode(node);
    return lock;
  }

  /**
   * Fulfils a request in one transaction (spec §5.5 step 11, all at once rather than in order):
   * writes the nodes that changed, releases their locks, writes the request, releases its lock.
   * Nobody can see the request fulfilled while its nodes are still locked. Resolves
   * `'request-gone'` (nothing written, every lock still held) when the request was deleted
   * meanwhile; falls back to the step-by-step order if the transaction fails otherwise.
   */
  async commitFulfilment(request: NodeRequest, nodes: readonly { node: Node; store: boolean }[]): Promise<'fulfilled' | 'request-gone'> {
    const requestLock = this.requestLocks.get(request.id);
    const session = this.lockSession('request', request.id);
    if (!requestLock) throw new LockLostError(`not fulfilling request ${request.id}: its lock is not held`);
    const locks = nodes.map(({ node }) => this.nodeLocks.get(node.id));
    const ops: Op[] = [];
    for (const [index, { node, store }] of nodes.entries()) {
      if (store) ops.push({ type: 'set', path: nodePath(node.id), data: stringifyRecordJson(node.toJson()), version: node.version });
      const lock = locks[index];
      if (lock?.isAcquired) ops.push(lock.releaseOp());
    }
    const requestWrite = ops.length;
    ops.push({ type: 'set', path: requestPath(request.id), data: stringifyRecordJson(request.toJson()), version: request.version });
    const requestRelease = requestLock.releaseOp();
    ops.push(requestRelease);
    try {
      await this.retry(() => this.client.multi(ops), {
        what: `fulfilment of request ${request.id}`,
        session,
        // All or nothing: our request contender, deleted by it, tells which.
        settle: async () => ((await this.existsAfterSync(requestRelease.path)) ? { applied: false } : { applied: true, value: [] }),
      });
    } catch (error) {
      if (!(error instanceof TransactionError)) throw error;
      if (error.failedIndex === requestWrite && error.cause instanceof NoNodeError) return 'request-gone';
      this.log.debug('fulfilment transaction failed; going step by step', { request: request.id, error: String(error.cause) });
      for (const { node, store } of nodes) {
        if (store) await this.storeNode(node);
        await this.unlockNode(node);
      }
      await this.storeNodeRequest(request);
      await this.unlockNodeRequest(request);
      return 'fulfilled';
    }
    for (const [index, { node, store }] of nodes.entries()) {
      if (store) node.version++;
      const lock = locks[index];
      if (lock?.isAcquired) lock.releasedByTransaction();
      this.forget('node', node.id, lock);
    }
    request.version++;
    requestLock.releasedByTransaction();
    this.forget('request', request.id, requestLock);
    return 'fulfilled';
  }

  /**
   * The last step of deleting a node we hold locked (spec §6.5): its contenders, lock directory
   * and record go in one transaction, so no one can take the lock in between and the `deleted`
   * state is never needed. If others wait on the lock, falls back to the original's order:
   * write `deleted`, then delete recursively.
   */
  async removeLockedNode(node: Node): Promise<void> {
    const lock = this.nodeLocks.get(node.id);
    const session = this.lockSession('node', node.id);
    if (lock?.isAcquired) {
      try {
        // Fails (not empty) when someone else queues on the lock: then the slow way below.
        await this.retry(
          () => this.client.multi([lock.releaseOp(), { type: 'delete', path: nodeLockPath(node.id) }, { type: 'delete', path: nodePath(node.id) }]),
          { what: `removal of node ${node.id}`, session, settle: async () => ((await this.existsAfterSync(nodePath(node.id))) ? { applied: false } : { applied: true, value: [] }) },
        );
        lock.releasedByTransaction();
        this.forget('node', node.id, lock);
        return;
      } catch (error) {
        if (!(error instanceof TransactionError)) throw error;
      }
    }
    if (node.state !== 'deleted') {
      node.setState('deleted');
      await this.storeNode(node).catch((error: unknown) => {
        if (!(error instanceof RecordGoneError)) throw error;
      });
    }
    await this.deleteNode(node);
    if (lock?.isAcquired) lock.releasedByTransaction();
    this.forget('node', node.id, lock);
  }

  /** Whether this process holds the lock of a node. */
  holdsNodeLock(id: string): boolean {
    return this.nodeLocks.get(id)?.isAcquired ?? false;
  }

  /**
   * Releases our lock of a node. A release cut short by a lost connection is tried again once
   * connected, for as long as the session lives; the lock is forgotten only once released, so
   * a failure leaves it known (and the audit's to settle).
   */
  async unlockNode(node: Node | string): Promise<void> {
    const id = typeof node === 'string' ? node : node.id;
    const lock = this.nodeLocks.get(id);
    if (!lock) return;
    await lock.release({ signal: this.stopping });
    this.forget('node', id, lock);
  }

  /** Lock contender names of a node, read directly (not from the cache). */
  async nodeLockContenders(id: string): Promise<string[]> {
    return sortContenders(await this.childrenOf(nodeLockPath(id)));
  }

  /**
   * Deletes a node record and everything below it (its lock and contenders), as the last step
   * of the deletion protocol (spec §6.5).
   */
  async deleteNode(node: Node | string): Promise<void> {
    const id = typeof node === 'string' ? node : node.id;
    await this.retry(() => this.client.deleteRecursive(nodePath(id)), { what: `deletion of node ${id}` });
    const lock = this.nodeLocks.get(id);
    // Our contender went with the record.
    if (lock?.isAcquired) lock.markLost();
    this.forget('node', id, lock);
  }

  // ---- node requests ---------------------------------------------------------------------

  async getNodeRequest(id: string): Promise<NodeRequest | undefined> {
    return this.readRecord(requestPath(id), (json, version) => NodeRequest.fromJson(id, json, version));
  }

  /**
   * Stores a request. A new one is created as `/nodepool/requests/<priority>-<seq10>`,
   * ephemeral when Nodepool itself is the requestor (spec §5.1); an existing one is rewritten
   * with a version check.
   */
  async storeNodeRequest(request: NodeRequest, options: { priority?: string; ephemeral?: boolean } = {}): Promise<void> {
    const data = stringifyRecordJson(request.toJson());
    if (!request.id) {
      const priority = options.priority ?? '100';
      if (!/^\d{3}$/.test(priority)) throw new TypeError(`request priority must be three digits, not ${JSON.stringify(priority)}`);
      const mode = options.ephemeral ? 'ephemeral-sequential' : 'persistent-sequential';
      const { path, version } = await this.createSequential(ZkPaths.requests, `${priority}-`, data, mode, 'requests');
      request.id = path.slice(ZkPaths.requests.length + 1);
      request.version = version;
      return;
    }
    request.version = await this.versionedWrite(requestPath(request.id), data, request.version, `request ${request.id}`, this.lockSession('request', request.id));
  }

  /**
   * Locks a request nobody has locked yet and stores it (a launcher marking it `pending`) in
   * one transaction — if `request.version` is still current. `'exists'`: it has been locked
   * before (nothing done; lock it the usual way); `'changed'`: someone wrote or deleted it since
   * our copy was read (nothing done).
   */
  async lockAndStoreFreshRequest(request: NodeRequest): Promise<'stored' | 'exists' | 'changed'> {
    if (this.requestLocks.get(request.id)?.isAcquired) return 'exists';
    const lock = new KazooLock(this.client, requestLockPath(request.id));
    const store: Op = { type: 'set', path: requestPath(request.id), data: stringifyRecordJson(request.toJson()), version: request.version };
    let outcome: 'acquired' | 'exists';
    try {
      outcome = await lock.acquireFresh([store]);
    } catch (error) {
      if (error instanceof TransactionError && error.failedIndex >= 2) return 'changed';
      throw error;
    }
    if (outcome === 'exists') return 'exists';
    request.version++;
    this.remember('request', request.id, lock);
    return 'stored';
  }

  /**
   * Locks a request under `/nodepool/requests-lock/<id>`; non-blocking by default. A request
   * nobody has locked yet has no lock directory: it and our contender are created in one
   * transaction.
   */
  async lockNodeRequest(request: NodeRequest | string, options: AcquireOptions = { blocking: false }): Promise<KazooLock> {
    const id = typeof request === 'string' ? request : request.id;
    const lock = new KazooLock(this.client, requestLockPath(id));
    if (this.requestLocks.get(id)?.isAcquired) throw new LockUnavailableError(`request ${id} is locked by someone else`);
    if ((await lock.acquireFresh()) !== 'acquired') await this.acquireOrThrow(lock, options, `request ${id}`);
    this.remember('request', id, lock);
    return lock;
  }

  holdsRequestLock(id: string): boolean {
    return this.requestLocks.get(id)?.isAcquired ?? false;
  }

  /** Releases our lock of a request; see `unlockNode`. */
  async unlockNodeRequest(request: NodeRequest | string): Promise<void> {
    const id = typeof request === 'string' ? request : request.id;
    const lock = this.requestLocks.get(id);
    if (!lock) return;
    await lock.release({ signal: this.stopping });
    this.forget('request', id, lock);
  }

  /**
   * Stops tracking locks whose session has ended (they went with it): after expiry, or for a
   * processor abandoning its work. Releases the ones still held.
   */
  async dropLocks(locks: readonly { kind: 'node' | 'request'; id: string }[]): Promise<void> {
    for (const { kind, id } of locks) {
      if (kind === 'node') await this.unlockNode(id);
      else await this.unlockNodeRequest(id);
    }
  }

  /** Deletes a request. Only its requestor may do this (spec §3). */
  async deleteNodeRequest(request: NodeRequest | string): Promise<void> {
    const id = typeof request === 'string' ? request : request.id;
    await this.retry(
      async () => {
        try {
          await this.client.delete(requestPath(id));
        } catch (error) {
          if (!(error instanceof NoNodeError)) throw error;
        }
      },
      { what: `deletion of request ${id}` },
    );
  }

  // ---- lock audit ------------------------------------------------------------------------

  /**
   * Checks the locks of this process against what ZooKeeper says its session owns (call it
   * after every resumed session and now and then): a node or request lock contender of our
   * session that no lock object of ours knows, seen so by two audits in a row, is deleted —
   * nobody would ever release it; a lock we believe held whose contender is gone is dropped.
   * Each is logged.
   */
  auditLocks(): Promise<AuditReport> {
    return this.audit.run();
  }

  /** @internal For the audit: the node and request locks held now. */
  heldLocks(): HeldLock[] {
    const held: HeldLock[] = [];
    for (const [kind, locks] of [['node', this.nodeLocks], ['request', this.requestLocks]] as const) {
      for (const [id, lock] of locks) held.push({ kind, id, lock, stamp: this.lockStamps.get(lock) ?? 0 });
    }
    return held;
  }

  /** @internal For the audit: the clock that stamps held locks. */
  get lockClock(): number {
    return this.clock;
  }

  /** @internal For the audit: a held lock whose contender is gone is dropped. */
  dropLostLock(held: HeldLock): void {
    held.lock.markLost();
    this.forget(held.kind, held.id, held.lock);
  }

  // ---- images ----------------------------------------------------------------------------

  async getBuild(image: string, buildId: string): Promise<ImageBuild | undefined> {
    return this.readRecord(buildPath(image, buildId), (json, version) => ImageBuild.fromJson(image, buildId, json, version));
  }

  async getBuildIds(image: string): Promise<string[]> {
    return (await this.childrenOf(imageBuildsPath(image))).filter((name) => name !== 'lock');
  }

  /** Stores a build; a new one (no id) gets a uuid4-hex id, created with its parents. */
  async storeBuild(build: ImageBuild): Promise<void> {
    const data = stringifyRecordJson(build.toJson());
    if (!build.id || build.version < 0) {
      if (!build.id) build.id = randomUUID().replaceAll('-', '');
      await this.client.create(buildPath(build.image, build.id), { data, makeParents: true });
      build.version = 0;
      return;
    }
    build.version = await this.versionedWrite(buildPath(build.image, build.id), data, build.version, `build ${build.image}-${build.id}`);
  }

  async getUpload(image: string, buildId: string, provider: string, uploadId: string): Promise<ImageUpload | undefined> {
    return this.readRecord(uploadPath(image, buildId, provider, uploadId), (json, version) =>
      ImageUpload.fromJson({ image, buildId, provider, id: uploadId }, json, version),
    );
  }

  async getUploadIds(image: string, buildId: string, provider: string): Promise<string[]> {
    return (await this.childrenOf(uploadsPath(image, buildId, provider))).filter((name) => name !== 'lock');
  }

  /** Stores an upload; a new one (no id) is created as the next sequence number. */
  async storeUpload(upload: ImageUpload): Promise<void> {
    const data = stringifyRecordJson(upload.toJson());
    if (!upload.id) {
      const parent = uploadsPath(upload.image, upload.buildId, upload.provider);
      const path = await this.client.create(`${parent}/`, { data, mode: 'persistent-sequential', makeParents: true });
      upload.id = path.slice(parent.length + 1);
      upload.version = 0;
      return;
    }
    upload.version = await this.versionedWrite(
      uploadPath(upload.image, upload.buildId, upload.provider, upload.id),
      data,
      upload.version,
      `upload ${upload.id}`,
    );
  }

  async isImagePaused(image: string): Promise<boolean> {
    return (await this.client.exists(imagePausePath(image))) !== null;
  }

  /** Sets or clears the `pause` flag of an image (empty znode). */
  async setImagePaused(image: string, paused: boolean): Promise<void> {
    await this.setFlag(imagePausePath(image), paused);
  }

  async hasBuildRequest(image: string): Promise<boolean> {
    return (await this.client.exists(imageBuildRequestPath(image))) !== null;
  }

  /** Sets or clears the `request-build` flag of an image (empty znode). */
  async setBuildRequest(image: string, requested: boolean): Promise<void> {
    await this.setFlag(imageBuildRequestPath(image), requested);
  }

  // ---- helpers ---------------------------------------------------------------------------

  private async readRecord<T>(path: string, build: (json: Record<string, unknown>, version: number) => T): Promise<T | undefined> {
    let data: Buffer;
    let version: number;
    try {
      ({ data, stat: { version } } = await this.retry(() => this.client.getData(path), { what: `read of ${path}` }));
    } catch (error) {
      if (error instanceof NoNodeError) return undefined;
      throw error;
    }
    try {
      const json = parseRecordJson(data);
      return json === undefined ? undefined : build(json, version);
    } catch (error) {
      this.log.warn('skipping corrupt record', { path, reason: (error as Error).message });
      return undefined;
    }
  }

  /**
   * `setData` with a version check. A write whose reply a lost connection swallowed is settled
   * once connected by reading the record back: our data there means it was applied, the old
   * version means it was not (and it is made again), anything else that someone else wrote.
   * With `session`, only within that session (the one holding the record's lock).
   */
  private async versionedWrite(path: string, data: Buffer, version: number, what: string, session?: string): Promise<number> {
    const gone = (cause?: unknown): RecordGoneError => new RecordGoneError(`${what} no longer exists`, { cause });
    const conflict = (cause?: unknown): RecordConflictError =>
      new RecordConflictError(`${what} was changed by someone else (expected version ${version})`, { cause });
    try {
      return await this.retry(async () => (await this.client.setData(path, data, version)).version, {
        what: `write of ${what}`,
        session,
        settle: async (): Promise<Settled<number>> => {
          await this.client.sync(path);
          let current: { data: Buffer; stat: { version: number } };
          try {
            current = await this.client.getData(path);
          } catch (error) {
            if (error instanceof NoNodeError) throw gone(error);
            throw error;
          }
          if (current.data.equals(data)) return { applied: true, value: current.stat.version };
          if (current.stat.version === version) return { applied: false };
          throw conflict();
        },
      });
    } catch (error) {
      if (error instanceof NoNodeError) throw gone(error);
      if (error instanceof BadVersionError) throw conflict(error);
      throw error;
    }
  }

  /**
   * A sequential create. One whose reply was lost is settled once connected: a child above the
   * highest sequence seen before holding exactly our data is ours (nobody writes the same
   * record), none means it was not applied and it is made again. `created`: false when found
   * that way.
   */
  private async createSequential(
    parent: string,
    prefix: string,
    data: Buffer,
    mode: 'persistent-sequential' | 'ephemeral-sequential',
    floorOf: keyof NodepoolZooKeeper['sequenceFloors'],
  ): Promise<{ path: string; version: number; created: boolean }> {
    const floor = this.sequenceFloors[floorOf];
    let created = true;
    const path = await this.retry(() => this.client.create(`${parent}/${prefix}`, { data, mode, makeParents: true }), {
      what: `creation under ${parent}`,
      settle: async (): Promise<Settled<string>> => {
        await this.client.sync(parent);
        for (const name of await this.childrenOf(parent)) {
          if (!name.startsWith(prefix) || sequenceOf(name) <= floor) continue;
          try {
            if ((await this.client.getData(`${parent}/${name}`)).data.equals(data)) {
              created = false;
              return { applied: true, value: `${parent}/${name}` };
            }
          } catch (error) {
            if (!(error instanceof NoNodeError)) throw error;
          }
        }
        return { applied: false };
      },
    });
    return { path, version: 0, created };
  }

  /** Whether a znode exists, as the leader knows it (after a sync). */
  private async existsAfterSync(path: string): Promise<boolean> {
    await this.client.sync(path);
    return (await this.client.exists(path)) !== null;
  }

  private retry<T>(attempt: () => Promise<T>, options: Omit<RetryOptions<T>, 'log' | 'signal'>): Promise<T> {
    return retryWhileSessionLives(this.client, attempt, { ...options, log: this.log, signal: this.stopping });
  }

  /**
   * The session our lock of a record lives in, for writes that must happen under it; undefined
   * when we hold no lock object for it (the write needs none). Throws LockLostError when the
   * lock is held no more.
   */
  private lockSession(kind: 'node' | 'request', id: string): string | undefined {
    const lock = (kind === 'node' ? this.nodeLocks : this.requestLocks).get(id);
    if (!lock) return undefined;
    if (!lock.isAcquired) throw new LockLostError(`the lock of ${kind} ${id} is no longer held`);
    return this.client.sessionId;
  }

  private remember(kind: 'node' | 'request', id: string, lock: KazooLock): void {
    (kind === 'node' ? this.nodeLocks : this.requestLocks).set(id, lock);
    this.lockStamps.set(lock, ++this.clock);
  }

  /** Forgets a lock we no longer hold, unless another lock object has taken its place. */
  private forget(kind: 'node' | 'request', id: string, lock: KazooLock | undefined): void {
    const locks = kind === 'node' ? this.nodeLocks : this.requestLocks;
    if (lock === undefined || locks.get(id) === lock) locks.delete(id);
  }

  private trackSequences(cache: NodeCache | RequestCache, floorOf: keyof NodepoolZooKeeper['sequenceFloors']): void {
    cache.on('change', (change) => {
      if (change.kind !== 'record') return;
      const sequence = sequenceOf(change.key);
      if (sequence > this.sequenceFloors[floorOf]) this.sequenceFloors[floorOf] = sequence;
    });
  }

  private async acquireOrThrow(lock: KazooLock, options: AcquireOptions, what: string): Promise<void> {
    let acquired: boolean;
    try {
      acquired = await lock.acquire(options);
    } catch (error) {
      // Gone while queued (its deleter removed lock and all): there is nothing to lock.
      if (error instanceof LockTargetGoneError || error instanceof NoNodeError) throw new LockUnavailableError(`${what} no longer exists`, { cause: error });
      if (error instanceof LockTimeoutError) throw new LockUnavailableError(`timed out locking ${what}`, { cause: error });
      if (error instanceof LockCancelledError) throw new LockUnavailableError(`gave up locking ${what}`, { cause: error });
      throw error;
    }
    if (!acquired) throw new LockUnavailableError(`${what} is locked by someone else`);
  }

  private async childrenOf(path: string): Promise<string[]> {
    try {
      return (await this.retry(() => this.client.getChildren(path), { what: `listing of ${path}` })).children;
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }

  private async setFlag(path: string, present: boolean): Promise<void> {
    try {
      if (present) await this.client.create(path, { makeParents: true });
      else await this.client.delete(path);
    } catch (error) {
      if (!(error instanceof NodeExistsError) && !(error instanceof NoNodeError)) throw error;
    }
  }
}

/** The sequence number a znode name ends with (`200-0000000042` → 42); -1 for none. */
function sequenceOf(name: string): number {
  const match = /(-?\d{10})$/.exec(name);
  return match ? Number(match[1]) : -1;
}
