import { randomUUID } from 'node:crypto';
import {
  KazooLock,
  LockTargetGoneError,
  LockTimeoutError,
  NodeRequest,
  nodeLockPath,
  RecordConflictError,
  RecordGoneError,
  type Logger,
  type Node,
  type NodeCache,
  type NodepoolZooKeeper,
} from '@nodepool/core';
import { BackingNodeRecord } from './backing-node-record.js';
import { formatBackingNodeUserData, parseBackingNodeUserData } from './backing-node-user-data.js';
import type { MetastaticLabelConfig } from './config.js';
import { Mutex } from './mutex.js';

/** The priority of backing node requests, as the original's (`100-<seq>`). */
export const BACKING_REQUEST_PRIORITY = '100';

/** A backing node request failed, or the backing node is gone: the launch attempt fails. */
export class BackingNodeFailedError extends Error {
  override readonly name = 'BackingNodeFailedError';
}

export interface BackingNodesOptions {
  readonly providerName: string;
  readonly zk: NodepoolZooKeeper;
  /** This provider's label of that name, if it still has one (a reload may have removed it). */
  readonly label: (name: string) => MetastaticLabelConfig | undefined;
  /** The clock grace times are measured on (ms); tests move a fake one. */
  readonly now: () => number;
  readonly log: Logger;
  /** How long claiming a fulfilled backing node may wait for its lock; default 30 s, as the original. */
  readonly lockTimeoutMs?: number;
}

/**
 * The backing nodes of one metastatic provider and the slots of each, as Nodepool 9.0.0 keeps
 * them: a node of a metastatic label takes a free slot of a backing node of its label, else a
 * new backing node is requested through ZooKeeper (requestor `NodePool:metastatic:<provider>`,
 * priority 100, ephemeral), so any launcher serving the backing label may fulfil it. The backing
 * node is then locked with a persistent contender carrying that requestor (it outlives this
 * launcher), marked `in-use` with its owner in `user_data`, and the request deleted. A backing
 * node with no slot in use for its label's grace time is marked `used` and its lock removed, for
 * its provider to delete. After a restart, the backing nodes and their slots are read back from
 * ZooKeeper.
 */
export class BackingNodes {
  /** `NodePool:metastatic:<provider>`: the requestor of our requests and the identity of our locks. */
  readonly owner: string;
  /** Passes through `sweep()`, for tests and logs. */
  sweeps = 0;
  private readonly records = new Map<string, BackingNodeRecord[]>();
  private readonly mutex = new Mutex();
  private initialized: Promise<void> | undefined;

  constructor(private readonly options: BackingNodesOptions) {
    this.owner = `NodePool:metastatic:${options.providerName}`;
  }

  /** Every record, for tests and logs. */
  all(): BackingNodeRecord[] {
    return [...this.records.values()].flat();
  }

  /** The request cache's revision, to wait for the next change with `requestChange`. */
  async requestRevision(): Promise<number> {
    return (await this.options.zk.requestCache()).revision;
  }

  /** Resolves once a request changed since `revision`, or after `timeoutMs`. */
  async requestChange(revision: number, timeoutMs: number): Promise<void> {
    await (await this.options.zk.requestCache()).changedSince(revision, timeoutMs);
  }

  /**
   * Rebuilds the records from ZooKeeper once, before first use: nodes whose `user_data` names us
   * as owner and whose first lock contender is ours are our backing nodes; our provider's nodes
   * name their backing node and slot in `driver_data`.
   */
  init(): Promise<void> {
    this.initialized ??= this.recover().catch((error: unknown) => {
      this.initialized = undefined;
      throw error;
    });
    return this.initialized;
  }

  /**
   * A slot for metastatic node `nodeId` of `label`: a free one of a backing node of the label,
   * else the first of a backing node requested now. A retry of the same node gives up its
   * earlier slot first.
   */
  async allocate(label: MetastaticLabelConfig, nodeId: string): Promise<{ record: BackingNodeRecord; slot: number }> {
    await this.init();
    return this.mutex.run(async () => {
      this.deallocateInner(nodeId);
      let record = this.recordsOf(label.name).find((candidate) => candidate.hasAvailableSlot());
      if (!record) {
        const request = new NodeRequest();
        request.nodeTypes = [label.backingLabel];
        request.requestor = this.owner;
        request.eventId = randomUUID().replaceAll('-', '');
        request.setState('requested');
        await this.options.zk.storeNodeRequest(request, { priority: BACKING_REQUEST_PRIORITY, ephemeral: true });
        record = new BackingNodeRecord(label.name, label.maxParallelJobs, this.options.now());
        record.requestId = request.id;
        this.recordsOf(label.name).push(record);
        this.options.log.info('requested a backing node', { label: label.name, backingLabel: label.backingLabel, request: request.id });
      }
      const slot = record.allocateSlot(nodeId);
      this.options.log.info('assigned node to backing node', { node: nodeId, backingNode: record.name, slot });
      return { record, slot };
    });
  }

  /** Frees the slot of metastatic node `nodeId` (it was deleted, or its launch unwound). */
  async deallocate(nodeId: string): Promise<void> {
    await this.init();
    await this.mutex.run(async () => {
      this.deallocateInner(nodeId);
    });
  }

  /**
   * Looks at our backing node requests: a fulfilled one's node is claimed (locked for good,
   * marked `in-use` with its owner) and the request deleted; a failed or vanished one fails its
   * record, so the launches waiting on it fail their attempt.
   */
  async checkRequests(): Promise<void> {
    await this.init();
    await this.mutex.run(async () => {
      const waiting = this.all().filter((record) => record.requestId !== null);
      if (waiting.length === 0) return;
      const requests = await this.options.zk.requestCache();
      for (const record of waiting) {
        const requestId = record.requestId!;
        const request = requests.get(requestId);
        if (!request) {
          // Not seen yet is not gone: the cache learns of a new request after its creation.
          if (record.requestSeen && !requests.isReading(requestId)) this.failRequest(record, 'the backing node request vanished');
          continue;
        }
        record.requestSeen = true;
        if (request.state === 'failed') {
          this.failRequest(record, 'the backing node request failed');
          // Differs from Nodepool: 9.0.0 leaves its failed request in place until its session ends.
          await this.options.zk.deleteNodeRequest(requestId);
        } else if (request.state === 'fulfilled') {
          await this.claim(record, request.nodes[0] ?? '');
        }
      }
    });
  }

  /**
   * The backing node of `record`, read afresh, for a launch completing on it. One that is gone
   * fails the record (and the launch attempt).
   */
  async backingNode(record: BackingNodeRecord): Promise<Node> {
    const node = record.nodeId === null ? undefined : await this.options.zk.getNode(record.nodeId);
    if (!node) {
      await this.mutex.run(async () => {
        if (!record.failed) this.failRecord(record, 'the backing node is gone');
      });
      throw new BackingNodeFailedError(`backing node ${record.name} is gone`);
    }
    return node;
  }

  /**
   * A key scan of metastatic node `nodeId` failed (`host-key-checking`): its backing node is
   * given up (Nodepool 10's behaviour): no new slots, released once its slots are free. Recorded
   * in its `user_data`, so a restart remembers.
   */
  async fail(nodeId: string): Promise<void> {
    await this.init();
    await this.mutex.run(async () => {
      const record = this.all().find((candidate) => candidate.backs(nodeId));
      if (!record || record.failed) return;
      this.failRecord(record, `a key scan of node ${nodeId} on it failed`);
      if (record.nodeId === null) return;
      const node = await this.options.zk.getNode(record.nodeId);
      if (!node) return;
      node.userData = formatBackingNodeUserData({ owner: this.owner, label: record.labelName, slots: record.slotCount, failed: true });
      await this.options.zk.storeNode(node).catch((error: unknown) => this.options.log.warn('could not record a failed backing node', { backingNode: record.nodeId, error: String(error) }));
    });
  }

  /**
   * The periodic pass (the original's, in its leak cleanup): backing nodes that are gone or no
   * longer ours are failed; the unused ready nodes of failed ones are released; slots of nodes
   * that vanished without being deleted through us are freed; and backing nodes with no slot in
   * use for their label's grace time (none for a failed one or a label no longer configured) are
   * released: marked `used` and unlocked, for their provider to delete. A request still pending
   * for such a record is withdrawn.
   */
  async sweep(): Promise<void> {
    await this.init();
    await this.mutex.run(async () => {
      this.sweeps++;
      const nodes = await this.options.zk.nodeCache();
      for (const [labelName, records] of this.records) {
        for (const record of [...records]) {
          if (record.nodeId !== null && !record.failed) await this.checkOwnership(record, nodes);
          await this.reclaimVanishedSlots(record, nodes);
          if (record.failed && record.nodeId !== null) await this.releaseUnusedNodes(record, nodes);
          const label = this.options.label(labelName);
          const graceMs = record.failed || !label ? 0 : label.graceTime * 1000;
          const idleMs = this.options.now() - record.lastUsed;
          if (!record.isEmpty() || idleMs < graceMs) continue;
          if (record.requestId !== null) {
            this.options.log.info('withdrawing an unused backing node request', { request: record.requestId, label: labelName });
            await this.options.zk.deleteNodeRequest(record.requestId);
          }
          if (record.nodeId !== null) {
            this.options.log.info(`backing node ${record.nodeId} has been idle for ${Math.round(idleMs / 1000)} seconds, releasing`, { backingNode: record.nodeId, label: labelName });
            if (!(await this.release(record.nodeId))) continue;
          }
          records.splice(records.indexOf(record), 1);
        }
      }
    });
  }

  // ---- local implementation ---------------------------------------------------------------

  private recordsOf(label: string): BackingNodeRecord[] {
    let records = this.records.get(label);
    if (!records) this.records.set(label, (records = []));
    return records;
  }

  private deallocateInner(nodeId: string): void {
    for (const record of this.all()) {
      const slot = record.deallocateSlot(nodeId, this.options.now());
      if (slot < 0) continue;
      this.options.log.info('unassigned node from backing node', { node: nodeId, backingNode: record.name, slot });
      return;
    }
  }

  private failRequest(record: BackingNodeRecord, reason: string): void {
    this.options.log.error(`backing request ${record.requestId ?? ''}: ${reason}`, { label: record.labelName });
    record.failed = true;
    record.requestId = null;
    // As the original: the record is dropped; launches waiting on it see it failed.
    const records = this.recordsOf(record.labelName);
    records.splice(records.indexOf(record), 1);
  }

  private failRecord(record: BackingNodeRecord, reason: string): void {
    this.options.log.warn(`giving up backing node ${record.name}: ${reason}`, { label: record.labelName, nodes: record.nodes() });
    record.failed = true;
  }

  /** Locks a fulfilled backing node for good with our identity and marks it ours and `in-use`. */
  private async claim(record: BackingNodeRecord, nodeId: string): Promise<void> {
    const { zk, log } = this.options;
    let locked = false;
    if (nodeId !== '') {
      const lock = new KazooLock(zk.client, nodeLockPath(nodeId), { identifier: this.owner, ephemeral: false, ensurePath: 'directory' });
      try {
        locked = await lock.acquire({ blocking: true, timeoutMs: this.options.lockTimeoutMs ?? 30_000 });
      } catch (error) {
        if (error instanceof LockTimeoutError) {
          log.warn('could not lock a fulfilled backing node yet; trying again', { backingNode: nodeId, request: record.requestId });
          return;
        }
        if (!(error instanceof LockTargetGoneError)) throw error;
      }
      // The lock is the provider's, not this object's: it outlives this process (a restart finds
      // it by its identity) and is let go by removing the lock directory. The object drops the
      // process-local guard now, so this process's own attempts on the node queue in ZooKeeper
      // like anyone else's.
      if (locked) lock.markLost();
    }
    const node = locked ? await zk.getNode(nodeId) : undefined;
    if (!node) {
      if (locked) await this.forceUnlock(nodeId);
      await zk.deleteNodeRequest(record.requestId!);
      this.failRequest(record, `its node ${nodeId || '(none)'} is gone`);
      return;
    }
    node.userData = formatBackingNodeUserData({ owner: this.owner, label: record.labelName, slots: record.slotCount });
    node.setState('in-use');
    await zk.storeNode(node);
    log.info('backing request fulfilled', { request: record.requestId, backingNode: nodeId, label: record.labelName });
    await zk.deleteNodeRequest(record.requestId!);
    record.requestId = null;
    record.nodeId = nodeId;
  }

  /** Whether our persistent contender is the first on `nodeId`'s lock. */
  private async isOurs(nodeId: string): Promise<boolean> {
    const { zk } = this.options;
    const [first] = await zk.nodeLockContenders(nodeId);
    if (first === undefined) return false;
    try {
      return (await zk.client.getData(`${nodeLockPath(nodeId)}/${first}`)).data.toString('utf8') === this.owner;
    } catch {
      return false;
    }
  }

  /** A backing node deleted, unlocked or taken over behind our back is ours no more. */
  private async checkOwnership(record: BackingNodeRecord, nodes: NodeCache): Promise<void> {
    const id = record.nodeId!;
    const cached = nodes.get(id);
    // The cache is enough to tell that all is well; a doubt is settled by reading afresh.
    if (cached?.state === 'in-use' && nodes.isProbablyLocked(id)) return;
    const node = await this.options.zk.getNode(id);
    if (!node) this.failRecord(record, 'the backing node is gone');
    else if (node.state !== 'in-use' || !(await this.isOurs(id))) this.failRecord(record, `the backing node is no longer ours (state ${node.state})`);
  }

  /** Slots of metastatic nodes whose records are gone (removed without their deletion passing here). */
  private async reclaimVanishedSlots(record: BackingNodeRecord, nodes: NodeCache): Promise<void> {
    for (const nodeId of record.nodes()) {
      if (nodes.get(nodeId) || nodes.isReading(nodeId)) continue;
      if (await this.options.zk.getNode(nodeId)) continue;
      const slot = record.deallocateSlot(nodeId, this.options.now());
      this.options.log.warn('freed the slot of a node that is gone', { node: nodeId, backingNode: record.name, slot });
    }
  }

  /**
   * The ready, unallocated nodes on a failed backing node would hand jobs a node that cannot
   * work: each is marked `used` under its lock, so that its launcher deletes it. Nodes in use are
   * left to finish.
   */
  private async releaseUnusedNodes(record: BackingNodeRecord, nodes: NodeCache): Promise<void> {
    const { zk, log } = this.options;
    for (const nodeId of record.nodes()) {
      const cached = nodes.get(nodeId);
      if (cached?.state !== 'ready' || cached.allocatedTo !== null || nodes.isProbablyLocked(nodeId)) continue;
      try {
        await zk.lockNode(nodeId);
      } catch {
        continue; // someone has it now; the next pass looks again
      }
      try {
        const node = await zk.getNode(nodeId);
        if (node?.state === 'ready' && node.allocatedTo === null) {
          node.setState('used');
          await zk.storeNode(node);
          log.info('released a node of a failed backing node', { node: nodeId, backingNode: record.name });
        }
      } catch (error) {
        log.warn('could not release a node of a failed backing node', { node: nodeId, error: String(error) });
      } finally {
        await zk.unlockNode(nodeId);
      }
    }
  }

  /**
   * Hands a backing node back: `used`, then its lock directory removed (the original's force
   * unlock), so its provider deletes it. A node that is gone, or not ours, is only forgotten.
   * False when it should be tried again on the next pass.
   */
  private async release(nodeId: string): Promise<boolean> {
    const { zk, log } = this.options;
    const node = await zk.getNode(nodeId);
    if (!node) return true;
    if (!(await this.isOurs(nodeId))) {
      log.warn('not releasing a backing node that is not ours any more', { backingNode: nodeId });
      return true;
    }
    node.setState('used');
    try {
      await zk.storeNode(node);
    } catch (error) {
      if (error instanceof RecordGoneError) return true;
      if (error instanceof RecordConflictError) return false;
      throw error;
    }
    await this.forceUnlock(nodeId);
    return true;
  }

  /** Removes the lock directory and every contender in it (a lock directory already gone is fine). */
  private async forceUnlock(nodeId: string): Promise<void> {
    await this.options.zk.client.deleteRecursive(nodeLockPath(nodeId));
  }

  private async recover(): Promise<void> {
    const { zk, log, providerName } = this.options;
    const nodes = await zk.nodeCache();
    const byId = new Map<string, BackingNodeRecord>();
    for (const node of [...nodes.values()]) {
      const data = parseBackingNodeUserData(node.userData);
      if (data?.owner !== this.owner) continue;
      // user_data can be written by anyone; the lock says whose the node really is.
      if (!(await this.isOurs(node.id))) continue;
      const record = new BackingNodeRecord(data.label, data.slots, this.options.now());
      record.nodeId = node.id;
      record.failed = data.failed === true;
      this.recordsOf(data.label).push(record);
      byId.set(node.id, record);
      log.info('found backing node', { backingNode: node.id, label: data.label });
    }
    for (const node of [...nodes.values()]) {
      if (node.provider !== providerName || node.driverData === null || typeof node.driverData !== 'object') continue;
      const { backing_node: backingId, slot } = node.driverData as { backing_node?: unknown; slot?: unknown };
      if (typeof backingId !== 'string' || backingId === '') continue;
      let record = byId.get(backingId);
      if (!record) {
        // Its backing node is gone or no longer ours: kept as failed, so the node is released.
        const label = node.type[0] ?? '';
        record = new BackingNodeRecord(label, Math.max(typeof slot === 'number' ? slot + 1 : 1, this.options.label(label)?.maxParallelJobs ?? 1), this.options.now());
        record.nodeId = backingId;
        record.failed = true;
        this.recordsOf(label).push(record);
        byId.set(backingId, record);
        log.warn('a node names a backing node that is not ours', { node: node.id, backingNode: backingId });
      }
      try {
        const taken = record.allocateSlot(node.id, typeof slot === 'number' ? slot : undefined);
        log.info('found node assigned to backing node', { node: node.id, backingNode: backingId, slot: taken });
      } catch (error) {
        log.warn('could not recover the slot of a node', { node: node.id, backingNode: backingId, error: String(error) });
      }
    }
  }
}
