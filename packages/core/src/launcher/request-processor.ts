import type { ConfigPool } from '../driver/provider-config.js';
import type { NodeRequestHandler } from '../driver/node-request-handler.js';
import { launchErrorKey, QuotaError } from '../errors.js';
import type { PoolExplainer } from '../explain/pool-explainer.js';
import { poolLimitWords, quotaFigures } from '../explain/quota-figures.js';
import type { Logger } from '../log.js';
import { normaliseStatName } from '../stats/stats.js';
import { Node } from '../zk/node.js';
import { declinedByEveryPool, MIN_READY_REQUESTOR, orderNodesForRequest, type NodeRequest } from '../zk/node-request.js';
import { LockUnavailableError, RecordGoneError, SessionLostError } from '../zk/nodepool-zookeeper.js';
import type { LauncherContext, ProviderRuntime } from './launcher-context.js';
import { labelQuota, poolLimits, sumQuota, tenantLimits } from './quota.js';

/** The pool worker a processor works for. */
export interface ProcessorOwner {
  /** The pool worker ID: written to `declined_by` and to nodes' `launcher`. */
  readonly id: string;
  readonly providerName: string;
  readonly poolName: string;
  /** Something changed that the owner should look at: this processor's launch finished. */
  wake(processor: RequestProcessor): void;
  /** Where the processor notes what it does with the request (`nodepool request-explain`). */
  readonly explainer: PoolExplainer;
}

/** Why one more node does not fit: whose limit, in words for the explanation. */
type QuotaShortfall = { tenant: string } | { where: string; figures: string };

/**
 * Fills one accepted node request from one pool (spec §5.5 steps 10–11): reuses ready nodes or
 * launches new ones, pauses at quota, and finally fulfils or declines. Holds the request lock the
 * whole time, and each node's lock until the end.
 */
export class RequestProcessor {
  /** Locked nodes allocated to the request, in allocation order. */
  private readonly nodeset: Node[] = [];
  /** The label each node of the set was taken for (a static node may carry several). */
  private readonly takenFor = new Map<Node, string>();
  private readonly launches = new Set<Promise<void>>();
  /** Nodes that became ready but whose `ready` is written with the fulfilment, in one go. */
  private readonly unstored = new Set<Node>();
  /** Nodes this processor launched (not reused). */
  private readonly launched = new WeakSet<Node>();
  private readonly abort = new AbortController();
  private pausedFlag = false;
  private finished = false;
  /** A launch found the locks gone (its ready write was refused): the work must stop. */
  private lockLost: SessionLostError | undefined;
  /** Ended without writes (see `abandon`): launches that end now write nothing either. */
  private abandoned = false;
  /** `pending` has been written: the request is ours to fill. */
  private pendingStored = false;
  /** After a launch refused for quota: no launch before this (epoch ms), and the wait so far. */
  private quotaRetryAt = 0;
  private quotaRetryMs = 0;
  private quotaRetryTimer: NodeJS.Timeout | undefined;
  /** accept, poll, release and decline run one at a time, in call order. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly context: LauncherContext,
    private readonly owner: ProcessorOwner,
    readonly request: NodeRequest,
    private readonly handler: NodeRequestHandler,
    private readonly log: Logger,
  ) {}

  /** Waiting for quota or a free node; the pool takes no new requests meanwhile. */
  get paused(): boolean {
    return this.pausedFlag;
  }

  get done(): boolean {
    return this.finished;
  }

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const run = this.turn.then(step);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * Marks the request pending and starts filling it. `alreadyStored`: the caller wrote
   * `pending` itself (with the lock, in one transaction).
   */
  accept(options: { alreadyStored?: boolean } = {}): Promise<void> {
    return this.serially(() => this.acceptNow(options.alreadyStored ?? false));
  }

  private async acceptNow(alreadyStored: boolean): Promise<void> {
    if (!alreadyStored && !this.pendingStored) {
      this.request.setState('pending');
      await this.context.zk.storeNodeRequest(this.request);
    }
    this.pendingStored = true;
    this.log.info('accepted node request', { request: this.request.id, labels: this.request.nodeTypes });
    await this.fill();
  }

  /**
   * Moves the request on: retries filling when paused, and completes it once every node is
   * allocated and every launch has finished. Resolves true when the request is done with.
   */
  poll(): Promise<boolean> {
    return this.serially(() => this.pollNow());
  }

  private async pollNow(): Promise<boolean> {
    if (this.finished) return true;
    if (this.lockLost) throw this.lockLost;
    if (!this.pendingStored) {
      // Accepting was interrupted (connection trouble): finish it first.
      await this.acceptNow(false);
      return false;
    }
    if (this.pausedFlag && !this.context.requests.get(this.request.id) && !(await this.context.zk.getNodeRequest(this.request.id))) {
      // Cancelled while we waited: give back what we hold.
      await Promise.allSettled([...this.launches]);
      await this.complete();
      return this.finished;
    }
    // The cloud refused a launch for quota a moment ago: asking again at once would only be
    // refused again (and keep its API busy).
    if (this.pausedFlag && Date.now() < this.quotaRetryAt) return false;
    if (this.missingLabels().length > 0) await this.fill();
    if (this.pausedFlag || this.launches.size > 0 || this.missingLabels().length > 0) return false;
    await this.complete();
    return this.finished;
  }

  /**
   * Gives the request back on shutdown: launches are stopped, their nodes failed and unlocked
   * (the deleted-node worker reaps them), ready nodes are released, and the request returns to
   * `requested` for another launcher.
   */
  release(): Promise<void> {
    this.abort.abort(new Error('the launcher is stopping'));
    return this.serially(() => this.releaseNow());
  }

  /**
   * Stops at once without writing anything: our session ended (or a lock of ours vanished), so
   * the request and its nodes may be someone else's already. Launches are aborted; locks still
   * held are released. The protocol's cleanup (the lost-request reset, the deleted-node worker)
   * reclaims the request and the nodes.
   */
  abandon(reason: string): Promise<void> {
    this.abandoned = true;
    this.abort.abort(new Error(reason));
    return this.serially(() => this.abandonNow(reason));
  }

  private async abandonNow(reason: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.unstored.clear();
    this.log.warn('abandoning node request', { request: this.request.id, reason, nodes: this.nodeset.map((node) => node.id) });
    const locks = [...this.nodeset.map((node) => ({ kind: 'node' as const, id: node.id })), { kind: 'request' as const, id: this.request.id }];
    await this.context.zk.dropLocks(locks).catch((error: unknown) => this.log.warn('could not release the locks of an abandoned request', { request: this.request.id, error: String(error) }));
  }

  private async releaseNow(): Promise<void> {
    if (this.finished) return;
    await Promise.race([Promise.allSettled([...this.launches]), delay(30_000)]);
    for (const node of this.nodeset) {
      if (node.state === 'ready') node.allocatedTo = null;
      await this.storeQuietly(node);
      await this.context.zk.unlockNode(node).catch((error: unknown) => this.log.warn('could not unlock node', { node: node.id, error: String(error) }));
    }
    this.unstored.clear();
    this.request.setState('requested');
    this.request.nodes = [];
    await this.storeRequestQuietly();
    await this.unlockRequest();
    this.finished = true;
  }

  // ---- filling ---------------------------------------------------------------------------

  private get runtime(): ProviderRuntime {
    const runtime = this.context.provider(this.owner.providerName);
    if (!runtime) throw new Error(`provider ${this.owner.providerName} is no longer configured`);
    return runtime;
  }

  private get pool(): ConfigPool {
    const pool = this.runtime.config.pools.get(this.owner.poolName);
    if (!pool) throw new Error(`pool ${this.owner.poolName} is no longer configured`);
    return pool;
  }

  /** Labels of the request not yet covered by the node set (duplicates counted). */
  private missingLabels(): string[] {
    const have = this.nodeset.map((node) => this.takenFor.get(node)!);
    const missing: string[] = [];
    for (const label of this.request.nodeTypes) {
      const index = have.indexOf(label);
      if (index === -1) missing.push(label);
      else have.splice(index, 1);
    }
    return missing;
  }

  private async fill(): Promise<void> {
    for (const label of this.missingLabels()) {
      if (this.request.reuse && (await this.reuseReadyNode(label))) continue;
      if (!this.handler.launch) {
        // A pool that cannot create nodes (static) waits for one to come free.
        this.setPaused(true, `waiting for a free ${label} node`);
        this.owner.explainer.freeNode(this.request.id, label);
        return;
      }
      const shortfall = await this.quotaShortfall(label);
      if (shortfall) {
        this.setPaused(true, `at quota for ${label}`);
        this.explainQuotaWait(label, shortfall);
        await this.freeOldestUnusedNode();
        return;
      }
      if (!(await this.launchNewNode(label))) return;
    }
    this.setPaused(false);
  }

  private setPaused(paused: boolean, why?: string): void {
    // A pool that only hands out existing nodes (static) waits for one all the time when busy:
    // routine, as the original logs it (debug); waiting for quota is worth an info line.
    const level = this.handler.launch ? 'info' : 'debug';
    if (paused && !this.pausedFlag) this.log[level]('pausing request handling', { request: this.request.id, reason: why });
    if (!paused && this.pausedFlag) this.log[level]('resuming request handling', { request: this.request.id });
    this.pausedFlag = paused;
  }

  /** Takes a ready, unallocated, unlocked node of this pool and label (spec §5.5 step 10). */
  private async reuseReadyNode(label: string): Promise<boolean> {
    const { nodes, zk } = this.context;
    const candidates = [...nodes.values()]
      .filter(
        (node) =>
          node.state === 'ready' &&
          node.allocatedTo === null &&
          node.provider === this.owner.providerName &&
          node.pool === this.owner.poolName &&
          node.type.includes(label) &&
          !nodes.isProbablyLocked(node.id) &&
          // Another request of this launcher is taking it (its lock not seen in the cache yet).
          !zk.isLockingNode(node.id) &&
          !this.nodeset.some((taken) => taken.id === node.id),
      )
      .sort((a, b) => a.stateTime - b.stateTime);
    for (const candidate of candidates) {
      let fresh: Node | undefined;
      try {
        fresh = await zk.lockAndReadNode(candidate);
      } catch (error) {
        if (error instanceof LockUnavailableError) continue;
        throw error;
      }
      const usable = fresh && fresh.state === 'ready' && fresh.allocatedTo === null && (await (this.handler.checkReusableNode?.(fresh) ?? true));
      if (!fresh || !usable) {
        await zk.unlockNode(candidate);
        continue;
      }
      fresh.allocatedTo = this.request.id;
      fresh.tenantName = this.request.tenantName;
      fresh.requestor = this.request.requestor;
      if (this.launches.size === 0 && this.missingLabels().length === 1) {
        // The node completing the set is written by the fulfilment transaction itself (held
        // locked until then, so nobody else takes it), as a launched one is.
        this.unstored.add(fresh);
      } else {
        try {
          await zk.storeNode(fresh);
        } catch (error) {
          await zk.unlockNode(candidate);
          if (error instanceof RecordGoneError) continue;
          throw error;
        }
      }
      this.nodeset.push(fresh);
      this.takenFor.set(fresh, label);
      this.handler.nodeReusedNotification?.(fresh);
      this.log.debug('reusing ready node', { request: this.request.id, node: fresh.id, label });
      this.owner.explainer.reused(this.request.id, fresh.id, label);
      return true;
    }
    return false;
  }

  /**
   * Pool, provider and tenant quota for one more node of `label`, counting what exists now:
   * undefined when it fits, otherwise whose limit it would break.
   */
  private async quotaShortfall(label: string): Promise<QuotaShortfall | undefined> {
    const runtime = this.runtime;
    const needed = labelQuota(runtime.provider, label);
    const tenant = this.request.tenantName ? this.context.config().tenantResourceLimits.get(this.request.tenantName) : undefined;
    const { providerName, poolName } = this.owner;
    // One pass over the nodes: this runs for every node launched.
    const providerNodes: Node[] = [];
    const poolNodes: Node[] = [];
    const tenantNodes: Node[] = [];
    for (const node of this.context.nodes.values()) {
      if (node.provider === providerName) {
        providerNodes.push(node);
        if (node.pool === poolName) poolNodes.push(node);
      }
      if (tenant && node.tenantName === tenant.tenantName) tenantNodes.push(node);
    }
    const inPool = sumQuota(poolNodes);
    if (!inPool.add(needed).fitsWithin(poolLimits(this.pool))) return { where: poolLimitWords(this.pool), figures: quotaFigures(inPool, needed, poolLimits(this.pool)) };
    if (tenant && !sumQuota(tenantNodes).add(needed).fitsWithin(tenantLimits(tenant))) return { tenant: tenant.tenantName };
    const provider = runtime.provider;
    if (provider.getQuotaLimits && !this.pool.ignoreProviderQuota) {
      // The cloud's own limits, minus what others run there and what our nodes use.
      try {
        const [limits, unmanaged] = await Promise.all([provider.getQuotaLimits(), provider.getUnmanagedQuotaUsed?.()]);
        const used = sumQuota(providerNodes).add(unmanaged ?? sumQuota([]));
        if (!used.add(needed).fitsWithin(limits)) return { where: `provider ${providerName}'s cloud quota`, figures: quotaFigures(used, needed, limits) };
      } catch (error) {
        // Unknown limits do not stop a launch: the cloud refuses it if it must (QuotaError).
        this.log.warn('could not read the provider quota', { error: String(error) });
        this.context.health?.recordApiError(providerName, `could not read the provider quota: ${String(error)}`);
      }
    }
    return undefined;
  }

  private explainQuotaWait(label: string, shortfall: QuotaShortfall): void {
    if ('tenant' in shortfall) this.owner.explainer.tenantQuota(this.request.id, shortfall.tenant);
    else this.owner.explainer.atQuota(this.request.id, label, shortfall.where, shortfall.figures);
  }

  /**
   * Whether a node just created still fits the pool and tenant limits, counting only nodes
   * created before it. Node IDs come from one sequence, so every launcher agrees on that order:
   * of several launchers racing for the last slot, exactly the first wins. The node cache holds
   * every earlier node once it holds this one (ZooKeeper delivers the earlier creations first).
   */
  private async keepsWithinQuota(node: Node): Promise<boolean> {
    const { nodes } = this.context;
    const deadline = Date.now() + 10_000;
    while (!nodes.get(node.id) && Date.now() < deadline) await nodes.changedSince(nodes.revision, 1_000);
    const tenant = this.request.tenantName ? this.context.config().tenantResourceLimits.get(this.request.tenantName) : undefined;
    const { providerName, poolName } = this.owner;
    const poolNodes: Node[] = [];
    const tenantNodes: Node[] = [];
    for (const other of nodes.values()) {
      if (other.id.length !== node.id.length || other.id > node.id) continue;
      if (other.provider === providerName && other.pool === poolName) poolNodes.push(other);
      if (tenant && other.tenantName === tenant.tenantName) tenantNodes.push(other);
    }
    if (!sumQuota(poolNodes).fitsWithin(poolLimits(this.pool))) return false;
    return !tenant || sumQuota(tenantNodes).fitsWithin(tenantLimits(tenant));
  }

  /**
   * At quota, make room as the original does: mark the oldest unused ready node of this pool
   * for deletion.
   */
  private async freeOldestUnusedNode(): Promise<void> {
    const oldest = [...this.context.nodes.values()]
      .filter(
        (node) =>
          node.state === 'ready' &&
          node.allocatedTo === null &&
          node.provider === this.owner.providerName &&
          node.pool === this.owner.poolName &&
          !this.context.nodes.isProbablyLocked(node.id),
      )
      .sort((a, b) => a.stateTime - b.stateTime)[0];
    if (!oldest) return;
    await this.context.deleter.reap(oldest, (node) => node.state === 'ready' && node.allocatedTo === null);
  }

  /** Creates and launches a node; false when quota ran out first (and the request pauses). */
  private async launchNewNode(label: string): Promise<boolean> {
    const { zk } = this.context;
    const node = new Node();
    node.setState('init');
    node.createdTime = node.stateTime;
    node.type = [label];
    node.provider = this.owner.providerName;
    node.pool = this.owner.poolName;
    node.launcher = this.owner.id;
    node.allocatedTo = this.request.id;
    node.tenantName = this.request.tenantName;
    node.requestor = this.request.requestor;
    node.attributes = this.pool.nodeAttributes ? { ...this.pool.nodeAttributes } : null;
    node.username = null;
    // Counted by every launcher's quota checks from the start, not only once it is up.
    node.resources = labelQuota(this.runtime.provider, label).toJson();
    await this.handler.setNodeMetadata?.(node);
    // Safe to lock after storing: nobody acts on an `init` node but its creator (spec §6.4).
    await zk.storeNode(node);
    if (!(await this.keepsWithinQuota(node))) {
      // Another launcher's node got the last of the quota first.
      await zk.deleteNode(node);
      this.setPaused(true, `at quota for ${label}, another launcher was first`);
      this.explainQuotaWait(label, (await this.quotaShortfall(label)) ?? { where: poolLimitWords(this.pool), figures: 'its last place taken by another launcher first' });
      return false;
    }
    node.setState('building');
    await zk.lockAndStoreNewNode(node);
    this.nodeset.push(node);
    this.takenFor.set(node, label);
    this.launched.add(node);
    this.log.info('launching node', { request: this.request.id, node: node.id, label });
    const { explainer } = this.owner;
    explainer.launching(this.request.id, node.id, label);

    const started = Date.now();
    const health = this.context.health;
    const launch = this.handler
      .launch!(node, {
        store: () => zk.storeNode(node),
        signal: this.abort.signal,
        log: this.log.child({ node: node.id }),
        progress: (report) => {
          if (!this.finished) explainer.launching(this.request.id, node.id, label, report);
        },
      })
      .then(
        async () => {
          if (this.abandoned) return;
          node.setState('ready');
          // The last launch of a complete set is written by the fulfilment transaction itself.
          if (this.launches.size > 1 || this.missingLabels().length > 0) {
            try {
              await zk.storeNode(node);
            } catch (error) {
              if (error instanceof SessionLostError) {
                this.lockLost = error;
                return;
              }
              // Gone or rewritten behind our back: not a node to hand out.
              node.setState('failed');
              this.recordLaunch(node, 'error.zk', started);
              this.log.warn('could not store the ready node', { node: node.id, request: this.request.id, error: String(error) });
              return;
            }
            this.log.info('node is ready', { node: node.id, request: this.request.id });
          } else {
            // Logged once the fulfilment that writes it has committed.
            this.unstored.add(node);
          }
          this.recordLaunch(node, 'ready', started);
          health?.recordLaunch(this.owner.providerName, { ok: true });
          this.quotaRetryMs = 0;
        },
        async (error: unknown) => {
          if (this.abandoned) return;
          const aborted = error instanceof QuotaError;
          node.setState(aborted ? 'aborted' : 'failed');
          await this.storeQuietly(node);
          this.recordLaunch(node, launchErrorKey(error), started);
          // Running out of quota says nothing about the cloud's health; a stop is no failure.
          if (!aborted && !this.abort.signal.aborted) health?.recordLaunch(this.owner.providerName, { ok: false, error: String(error) });
          this.log.warn(aborted ? 'launch aborted at quota' : 'launch failed', { node: node.id, request: this.request.id, error: String(error) });
        },
      )
      .finally(() => {
        this.launches.delete(launch);
        this.owner.wake(this);
      });
    this.launches.add(launch);
    return true;
  }

  /** `nodepool.launch.*` timers and counters (observability spec §2.1). */
  private recordLaunch(node: Node, result: string, started: number): void {
    const stats = this.context.stats;
    if (!stats.enabled) return;
    const elapsed = Date.now() - started;
    const keys = [`nodepool.launch.${result}`, `nodepool.launch.provider.${this.owner.providerName}.${result}`];
    if (node.az) keys.push(`nodepool.launch.provider.${this.owner.providerName}.${node.az}.${result}`);
    if (this.request.requestor) keys.push(`nodepool.launch.requestor.${normaliseStatName(this.request.requestor)}.${result}`);
    for (const key of keys) {
      stats.timing(key, elapsed);
      stats.increment(key);
    }
  }

  // ---- completing ------------------------------------------------------------------------

  private async complete(): Promise<void> {
    const { zk } = this.context;
    // The cache says whether Zuul cancelled; a stale "still there" is caught by the commit.
    if (!this.context.requests.get(this.request.id) && !(await zk.getNodeRequest(this.request.id))) {
      await this.giveBackCancelled();
      return;
    }
    const aborted = this.nodeset.filter((node) => node.state === 'aborted');
    if (aborted.length > 0) {
      // Quota ran out underneath us: forget those nodes (they are reaped) and try again later.
      await this.storeUnstored();
      for (const node of aborted) {
        this.nodeset.splice(this.nodeset.indexOf(node), 1);
        this.takenFor.delete(node);
        await zk.unlockNode(node);
      }
      this.setPaused(true, 'a launch was aborted at quota');
      this.holdOffAfterQuotaRefusal();
      return;
    }
    if (this.nodeset.some((node) => node.state !== 'ready')) {
      // As the original: the failed set keeps its allocation; the reaper frees it.
      await this.storeUnstored();
      await this.unlockNodes();
      await this.declineNow('nodes failed to launch');
      return;
    }
    this.request.nodes = orderNodesForRequest(this.request.nodeTypes, this.nodeset);
    this.request.setState('fulfilled');
    // Nodes written and unlocked, request fulfilled and unlocked: one transaction (spec §13.7's
    // order holds trivially, nobody sees the steps apart).
    const outcome = await zk.commitFulfilment(
      this.request,
      this.nodeset.map((node) => ({ node, store: this.unstored.has(node) })),
    );
    if (outcome === 'request-gone') {
      await this.giveBackCancelled();
      return;
    }
    for (const node of this.unstored) if (this.launched.has(node)) this.log.info('node is ready', { node: node.id, request: this.request.id });
    this.unstored.clear();
    this.log.info('fulfilled node request', { request: this.request.id, nodes: this.request.nodes });
    this.owner.explainer.fulfilled(this.request.id, this.request.nodes);
    this.finished = true;
  }

  private holdOffAfterQuotaRefusal(): void {
    const first = this.context.timings.quotaRefusalRetryMs;
    this.quotaRetryMs = this.quotaRetryMs === 0 ? first : Math.min(first * 30, this.quotaRetryMs * 2);
    this.quotaRetryAt = Date.now() + this.quotaRetryMs;
    clearTimeout(this.quotaRetryTimer);
    this.quotaRetryTimer = setTimeout(() => this.owner.wake(this), this.quotaRetryMs);
    this.quotaRetryTimer.unref();
  }

  /** Zuul cancelled the request: give the nodes back (spec §5.5 step 11). */
  private async giveBackCancelled(): Promise<void> {
    this.log.info('node request disappeared', { request: this.request.id });
    for (const node of this.nodeset) {
      node.allocatedTo = null;
      await this.storeQuietly(node);
    }
    this.unstored.clear();
    await this.unlockNodes();
    await this.unlockRequest();
    this.finished = true;
  }

  /** Writes the ready nodes held back for the fulfilment, when there will be none. */
  private async storeUnstored(): Promise<void> {
    for (const node of this.unstored) await this.storeQuietly(node);
    this.unstored.clear();
  }

  /** Declines the request (spec §5.5 step 9) and lets it go. */
  decline(reason: string): Promise<void> {
    return this.serially(() => this.declineNow(reason));
  }

  private async declineNow(reason: string): Promise<void> {
    const { zk, components } = this.context;
    this.request.declinedBy.push(this.owner.id);
    const pools = components.all('pool').map((pool) => pool.id).filter((id): id is string => id !== undefined);
    this.request.setState(declinedByEveryPool(this.request, pools) ? 'failed' : 'requested');
    this.log.info('declining node request', { request: this.request.id, reason, state: this.request.state });
    this.owner.explainer.declined(this.request.id, [reason]);
    await this.storeRequestQuietly();
    await this.unlockRequest();
    this.finished = true;
  }

  /** Declines before anything was allocated, clearing allocations of a partial set. */
  declineAndRelease(reason: string): Promise<void> {
    return this.serially(() => this.declineAndReleaseNow(reason));
  }

  private async declineAndReleaseNow(reason: string): Promise<void> {
    this.unstored.clear();
    for (const node of this.nodeset) {
      if (node.state === 'ready') {
        node.allocatedTo = null;
        await this.storeQuietly(node);
      }
    }
    await this.unlockNodes();
    await this.declineNow(reason);
  }

  private async unlockRequest(): Promise<void> {
    await this.context.zk.unlockNodeRequest(this.request).catch((error: unknown) => this.log.warn('could not unlock node request', { request: this.request.id, error: String(error) }));
  }

  private async unlockNodes(): Promise<void> {
    for (const node of this.nodeset) {
      await this.context.zk.unlockNode(node).catch((error: unknown) => this.log.warn('could not unlock node', { node: node.id, error: String(error) }));
    }
  }

  private async storeQuietly(node: Node): Promise<void> {
    try {
      await this.context.zk.storeNode(node);
    } catch (error) {
      this.log.warn('could not store node', { node: node.id, error: String(error) });
    }
  }

  private async storeRequestQuietly(): Promise<void> {
    try {
      await this.context.zk.storeNodeRequest(this.request);
    } catch (error) {
      // Deleted meanwhile (cancelled): nothing to write back to.
      this.log.info('could not store node request', { request: this.request.id, error: String(error) });
    }
  }

  /** Whether this is one of Nodepool's own min-ready requests. */
  get isMinReady(): boolean {
    return this.request.requestor === MIN_READY_REQUESTOR;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
