import { randomUUID } from 'node:crypto';
import { effectivePriority, type ConfigPool } from '../driver/provider-config.js';
import type { NodeRequestHandler } from '../driver/node-request-handler.js';
import { PoolExplainer } from '../explain/pool-explainer.js';
import type { ProviderBreaker, BreakerSnapshot } from '../health/provider-breaker.js';
import type { Logger } from '../log.js';
import { Component } from '../zk/component.js';
import { ComponentRegistration } from '../zk/component-registry.js';
import { compareRequests, MIN_READY_REQUESTOR, type NodeRequest } from '../zk/node-request.js';
import type { Node } from '../zk/node.js';
import type { CacheChange } from '../zk/tree-cache.js';
import { ClientClosedError, isTransientError, SessionExpiredError } from '@nodepool/zookeeper';
import { LockUnavailableError, SessionLostError } from '../zk/nodepool-zookeeper.js';
import type { LauncherContext, ProviderRuntime } from './launcher-context.js';
import { labelQuota, poolLimits, sumQuota, tenantLimits } from './quota.js';
import { RequestProcessor, type ProcessorOwner } from './request-processor.js';

/** Requests a pool worker locks and looks at concurrently, at most. */
const MAX_TAKING = 32;
/** A processor whose poll failed for connection trouble is polled again after this, doubling. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 30_000;

/** What becomes of a processor whose step failed. */
type FailureKind = 'lost' | 'transient' | 'closed' | 'other';

function failureKind(error: unknown): FailureKind {
  if (error instanceof SessionLostError || error instanceof SessionExpiredError) return 'lost';
  if (error instanceof ClientClosedError) return 'closed';
  if (isTransientError(error)) return 'transient';
  return 'other';
}

/**
 * One provider pool's request handling (spec §5.5). Woken by changes in the request, node and
 * component caches and by finished launches — never by polling on the request path — it
 * offers itself for requests in priority order, declines what it cannot serve, and drives the
 * requests it accepted. Unlike the original, which handles one request at a time, it takes
 * several at once; quota stays exact because every launch is checked against the nodes created
 * before it (see RequestProcessor).
 */
export class PoolWorker implements ProcessorOwner {
  /** `<hostname>-PoolWorker.<provider>-<pool>-<uuid hex>` (spec §5.5). */
  readonly id: string;
  private readonly processors = new Map<string, RequestProcessor>();
  /** Requests being locked and looked at (spec §5.5 steps 8–10). */
  private readonly taking = new Set<string>();
  /** Processors with news (a launch finished) to be polled. */
  private readonly attention = new Set<RequestProcessor>();
  private readonly polling = new Set<RequestProcessor>();
  /** Processors waiting to be polled again after connection trouble, with their back-off. */
  private readonly retrying = new Map<RequestProcessor, { delayMs: number; timer: NodeJS.Timeout | undefined }>();
  /**
   * Counts node changes and vanished requests, what a paused processor waits for. A poll that
   * saw it move meanwhile may have looked too early, and polls again.
   */
  private news = 0;
  private readonly tasks = new Set<Promise<void>>();
  private gaugesAt = 0;
  /** Requests were left for lack of taking slots: look again when one frees. */
  private heldBackByCap = false;
  private readonly registration: ComponentRegistration;
  private readonly log: Logger;
  private running = false;
  private stopped: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private paused = false;
  /** The provider's circuit breaker keeps new requests out (ours, `circuit-breaker`). */
  private unhealthy = false;
  /** Wakes the worker when the breaker's next probe is due. */
  private probeTimer: NodeJS.Timeout | undefined;
  /** Notes each decision about a request (`nodepool request-explain`). */
  readonly explainer: PoolExplainer;

  constructor(
    private readonly context: LauncherContext,
    readonly providerName: string,
    readonly poolName: string,
  ) {
    this.id = `${context.hostname}-PoolWorker.${providerName}-${poolName}-${randomUUID().replaceAll('-', '')}`;
    this.log = context.log.child({ logger: 'nodepool.PoolWorker', provider: providerName, pool: poolName });
    this.explainer = new PoolExplainer(context.explain, this);
    this.registration = new ComponentRegistration(
      context.zk.client,
      new Component('pool', {
        hostname: context.hostname,
        id: this.id,
        provider_name: providerName,
        supported_labels: [],
        priority: 100,
        paused: false,
        state: 'running',
        version: context.version,
      }),
    );
  }

  private readonly onChange = (): void => this.wake();
  private readonly onHealthChange = (snapshot: BreakerSnapshot): void => {
    if (snapshot.provider === this.providerName) this.wake();
  };
  /**
   * The session ended: every lock of ours is gone and other launchers may take our requests
   * already. Each processor stops on the spot, writing nothing (spec §4.5, §11).
   */
  private readonly onSessionExpired = (): void => {
    for (const processor of [...this.processors.values()]) {
      this.abandon(processor, 'the ZooKeeper session expired: its locks are gone');
    }
  };
  /**
   * Node changes matter while waiting for quota or a free node: a node gone (quota), or one of
   * this pool's ready nodes free for the taking. Other changes (locks taken, Zuul's writes) would
   * only have every waiting request look again for nothing.
   */
  private readonly onNodeChange = (change: CacheChange<Node>): void => {
    const { nodes } = this.context;
    const mayUnblock =
      change.kind === 'record' ? change.value === undefined || this.isFreeHere(change.value) : !change.present && this.isFreeHere(nodes.get(change.key));
    if (!mayUnblock) return;
    this.news++;
    if (this.paused) this.wake();
  };
  /** New or returned requests, and cancelled ones. */
  private readonly onRequestChange = (change: CacheChange<NodeRequest>): void => {
    if (change.kind === 'record' && change.value === undefined) this.news++;
    if (change.kind === 'record' && (change.value === undefined || change.value.state === 'requested')) this.wake();
  };

  private isFreeHere(node: Node | undefined): boolean {
    return node !== undefined && node.state === 'ready' && node.allocatedTo === null && node.provider === this.providerName && node.pool === this.poolName;
  }

  /** Registers the pool component and starts handling requests. */
  async start(): Promise<void> {
    const { pool, runtime } = this.current();
    Object.assign(this.registration.component.content, {
      supported_labels: [...pool.labels.keys()].sort(),
      priority: effectivePriority(runtime.config, pool),
    });
    await this.registration.register();
    this.running = true;
    this.context.requests.on('change', this.onRequestChange);
    this.context.nodes.on('change', this.onNodeChange);
    this.context.components.on('change', this.onChange);
    this.context.zk.client.on('expired', this.onSessionExpired);
    this.context.health?.on('change', this.onHealthChange);
    this.stopped = this.loop();
  }

  /**
   * Stops taking requests, gives back those in progress (their launches stop), and removes the
   * pool component.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.context.requests.off('change', this.onRequestChange);
    this.context.nodes.off('change', this.onNodeChange);
    this.context.components.off('change', this.onChange);
    this.context.zk.client.off('expired', this.onSessionExpired);
    this.context.health?.off('change', this.onHealthChange);
    clearTimeout(this.probeTimer);
    for (const { timer } of this.retrying.values()) clearTimeout(timer);
    this.retrying.clear();
    this.wake();
    await this.stopped;
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
    await Promise.all([...this.processors.values()].map((processor) => processor.release()));
    this.processors.clear();
    this.explainer.stop();
    await this.registration.unregister();
  }

  wake(processor?: RequestProcessor): void {
    // A processor already forgotten (abandoned, its launches still winding down) needs no look.
    if (processor && this.processors.get(processor.request.id) === processor) this.attention.add(processor);
    this.woken = true;
    this.wakeUp?.();
  }

  /** Requests in progress, for max-concurrency. */
  get activeRequests(): number {
    return this.processors.size;
  }

  /**
   * Runs `work` in the background. The worker looks again afterwards only if the work says
   * something changed: waking on every finished task would spin on a paused request.
   */
  private spawn(work: () => Promise<boolean>): void {
    const task = work()
      .catch((error: unknown) => {
        const kind = failureKind(error);
        if (kind === 'other') {
          this.log.error('pool worker task failed', { error: error instanceof Error ? error.stack : String(error) });
          return true;
        }
        this.log.warn('pool worker task interrupted', { error: String(error) });
        // Whatever was not taken is looked at again, once connected: looking again at once
        // would spin while the connection is down, each attempt failing at once.
        if (kind !== 'closed') {
          void this.context.zk.client.whenConnected().then(
            () => setTimeout(() => this.wake(), RETRY_FIRST_MS).unref(),
            () => undefined,
          );
        }
        return false;
      })
      .then((changed) => {
        this.tasks.delete(task);
        if (changed) this.wake();
      });
    this.tasks.add(task);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.woken = false;
      try {
        await this.iteration();
      } catch (error) {
        this.log.error('pool worker iteration failed', { error: error instanceof Error ? error.stack : String(error) });
      }
      if (!this.running) break;
      if (this.woken) await new Promise((resolve) => setImmediate(resolve));
      else await this.sleep(this.context.timings.poolWorkerFallbackMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }

  private current(): { runtime: ProviderRuntime; pool: ConfigPool } {
    const runtime = this.context.provider(this.providerName);
    const pool = runtime?.config.pools.get(this.poolName);
    if (!runtime || !pool) throw new Error(`pool ${this.providerName}/${this.poolName} is no longer configured`);
    return { runtime, pool };
  }

  private async iteration(): Promise<void> {
    const { runtime, pool } = this.current();
    if (Date.now() - this.gaugesAt >= this.context.timings.statsIntervalMs) {
      this.gaugesAt = Date.now();
      this.emitConfigGauges(runtime);
    }
    let paused = false;
    for (const processor of this.processors.values()) {
      if (processor.paused) paused = true;
      // A paused processor looks again at every change: quota or a node may have come free.
      // One being polled keeps its attention for when that poll ends.
      if ((processor.paused || this.attention.has(processor)) && !this.polling.has(processor)) {
        this.attention.delete(processor);
        this.poll(processor, runtime);
      }
    }
    this.paused = paused;
    this.unhealthy = !(this.context.health?.admitsRequests(this.providerName) ?? true);
    await this.updateComponent(runtime, pool);
    if (this.paused) {
      this.explainPausedBehind(pool);
      return;
    }
    await this.assignRequests(runtime, pool);
  }

  /** Requests this pool could serve that wait for it to take new ones. */
  private waitingHere(pool: ConfigPool): NodeRequest[] {
    return [...this.context.requests.values()].filter(
      (request) =>
        request.state === 'requested' &&
        !request.declinedBy.includes(this.id) &&
        !this.processors.has(request.id) &&
        request.nodeTypes.every((label) => pool.labels.has(label)),
    );
  }

  private explainPausedBehind(pool: ConfigPool): void {
    if (!this.context.explain) return;
    const blocker = [...this.processors.values()].find((processor) => processor.paused);
    if (blocker) this.explainer.pausedBehind(this.waitingHere(pool).map((request) => request.id), blocker.request.id);
  }

  /**
   * Whether the provider's circuit breaker lets this request in: always without a breaker or
   * while it is closed; once open, only as the one probe when it is due. Otherwise the worker
   * wakes when the probe is.
   */
  private breakerAdmits(breaker: ProviderBreaker | undefined): boolean {
    if (!breaker || breaker.admitsRequests) return true;
    if (breaker.takeProbe()) {
      this.log.info('letting one request through as a probe of the provider', { failuresInARow: breaker.snapshot().consecutiveFailures });
      return true;
    }
    if (!this.probeTimer) {
      const { nextProbeAt, probeIntervalMs } = breaker.snapshot();
      const inMs = nextProbeAt === undefined ? probeIntervalMs : Math.max(0, nextProbeAt - Date.now());
      this.probeTimer = setTimeout(() => {
        this.probeTimer = undefined;
        this.wake();
      }, inMs + 10);
      this.probeTimer.unref();
    }
    return false;
  }

  private poll(processor: RequestProcessor, runtime: ProviderRuntime): void {
    if (this.retrying.get(processor)?.timer) return; // its back-off is running
    this.polling.add(processor);
    const wasPaused = processor.paused;
    const newsBefore = this.news;
    this.spawn(async () => {
      let changed: boolean;
      try {
        if (await processor.poll()) {
          this.forget(processor, runtime);
          return true;
        }
        this.retrying.delete(processor);
        changed = processor.paused !== wasPaused;
      } catch (error) {
        await this.failed(processor, runtime, error);
        return true;
      } finally {
        this.polling.delete(processor);
      }
      // A node freed (or a launch finished) while this poll was looking elsewhere would
      // otherwise wait for the next change, or the fallback pass, to be seen.
      return changed || this.attention.has(processor) || (processor.paused && this.news !== newsBefore);
    });
  }

  private forget(processor: RequestProcessor, runtime: ProviderRuntime | undefined): void {
    if (this.processors.get(processor.request.id) !== processor) return;
    this.processors.delete(processor.request.id);
    this.attention.delete(processor);
    const retry = this.retrying.get(processor);
    if (retry?.timer) clearTimeout(retry.timer);
    this.retrying.delete(processor);
    if (runtime) runtime.activeRequests--;
  }

  /**
   * A processor's step failed. It is never left holding locks: connection trouble is waited
   * out (polled again, backing off); a lost session or lock ends it without writing; anything
   * else declines the request and releases what it holds, as a failed accept does.
   */
  private async failed(processor: RequestProcessor, runtime: ProviderRuntime, error: unknown): Promise<void> {
    switch (failureKind(error)) {
      case 'lost':
        this.abandon(processor, String(error));
        return;
      case 'closed':
        return; // stopping: stop() releases it
      case 'transient': {
        const previous = this.retrying.get(processor);
        const delayMs = previous ? Math.min(RETRY_MAX_MS, previous.delayMs * 2) : RETRY_FIRST_MS;
        this.log.warn('node request handling interrupted by connection trouble; trying again', { request: processor.request.id, inMs: delayMs, error: String(error) });
        const entry = { delayMs, timer: undefined as NodeJS.Timeout | undefined };
        entry.timer = setTimeout(() => {
          entry.timer = undefined;
          this.wake(processor);
        }, delayMs);
        this.retrying.set(processor, entry);
        return;
      }
      case 'other':
        this.log.error('handling the request failed; declining it', { request: processor.request.id, error: error instanceof Error ? error.stack : String(error) });
        try {
          await processor.declineAndRelease(`error while handling: ${String(error)}`);
        } catch (declineError) {
          // Nothing more may be written: at least let go of the locks.
          this.abandon(processor, `declining failed: ${String(declineError)}`);
          return;
        }
        this.forget(processor, runtime);
    }
  }

  /** Ends a processor without writes (see RequestProcessor.abandon). */
  private abandon(processor: RequestProcessor, reason: string): void {
    const runtime = this.context.provider(this.providerName);
    this.forget(processor, runtime);
    void processor.abandon(reason).finally(() => this.wake());
  }

  private async updateComponent(runtime: ProviderRuntime, pool: ConfigPool): Promise<void> {
    const wanted = {
      supported_labels: [...pool.labels.keys()].sort(),
      priority: effectivePriority(runtime.config, pool),
      // A sick provider's pool says it is paused, so other pools stop leaving requests to it.
      paused: this.paused || this.unhealthy,
    };
    const content = this.registration.component.content;
    const same =
      JSON.stringify(content.supported_labels) === JSON.stringify(wanted.supported_labels) &&
      content.priority === wanted.priority &&
      content.paused === wanted.paused;
    if (!same) await this.registration.update(wanted);
  }

  /** `nodepool.provider.<p>.max_servers` and `nodepool.tenant_limits.*` (observability §2.3). */
  private emitConfigGauges(runtime: ProviderRuntime): void {
    const stats = this.context.stats;
    if (!stats.enabled) return;
    let maxServers = 0;
    for (const pool of runtime.config.pools.values()) if (pool.maxServers !== 0) maxServers += pool.maxServers;
    stats.gauge(`nodepool.provider.${this.providerName}.max_servers`, maxServers);
    for (const limit of this.context.config().tenantResourceLimits.values()) {
      const tenant = limit.tenantName.replace(/[.:]/g, '_');
      stats.gauge(`nodepool.tenant_limits.${tenant}.cores`, limit.maxCores);
      stats.gauge(`nodepool.tenant_limits.${tenant}.instances`, limit.maxServers);
      stats.gauge(`nodepool.tenant_limits.${tenant}.ram`, limit.maxRam);
    }
  }

  // ---- taking requests -------------------------------------------------------------------

  private async assignRequests(runtime: ProviderRuntime, pool: ConfigPool): Promise<void> {
    const ourLabels = pool.labels;
    const lacking = (request: NodeRequest): number => request.nodeTypes.filter((label) => !ourLabels.has(label)).length;
    if (this.taking.size >= MAX_TAKING) {
      this.heldBackByCap = true;
      return;
    }
    const requests = [...this.context.requests.values()]
      .filter(
        (request) =>
          request.state === 'requested' && !request.declinedBy.includes(this.id) && !this.processors.has(request.id) && !this.taking.has(request.id),
      )
      // Requests we can serve whole come first, then the priority order of spec §5.2.
      .sort((a, b) => lacking(a) - lacking(b) || compareRequests(a, b));

    const otherPools = this.context.components.all('pool').filter((component) => component.id !== this.id && component.id !== undefined);
    const breaker = this.context.health?.breaker(this.providerName);
    for (const [index, request] of requests.entries()) {
      if (!this.running || this.paused) return;
      if (this.taking.size >= MAX_TAKING) {
        this.heldBackByCap = true;
        return;
      }
      const maxConcurrency = runtime.config.maxConcurrency;
      if (maxConcurrency > 0 && runtime.activeRequests + this.taking.size >= maxConcurrency) {
        const servable = requests.slice(index).filter((waiting) => lacking(waiting) === 0);
        this.explainer.maxConcurrency(servable.map((waiting) => waiting.id), runtime.activeRequests + this.taking.size, maxConcurrency);
        return;
      }
      const leftTo = this.leftToOthers(request, runtime, pool, otherPools);
      if (leftTo !== undefined) {
        this.explainer.notServed(request.id, request.nodeTypes.filter((label) => !ourLabels.has(label)), leftTo);
        continue;
      }
      if (this.deferForTenantQuota(request, runtime)) continue;
      const reasons = await this.declineReasons(request, runtime, pool);
      if (this.taking.has(request.id) || this.processors.has(request.id)) continue;
      // Declining is a verdict on the pool, not on the cloud's health: it goes ahead.
      if (reasons.length === 0 && !this.breakerAdmits(breaker)) {
        this.explainer.providerUnhealthy([request.id], breaker!.snapshot());
        continue;
      }
      this.taking.add(request.id);
      this.spawn(async () => {
        try {
          await this.take(request, runtime, pool, reasons);
        } finally {
          this.taking.delete(request.id);
        }
        // A request taken may be complete already; requests held back may now be taken.
        const heldBack = this.heldBackByCap;
        this.heldBackByCap = false;
        return heldBack || this.attention.size > 0;
      });
    }
  }

  /**
   * Spec §5.5 steps 1–4: another pool is the better (or equal, preferred) home. Says which, in
   * words for the explanation; undefined when this pool should look at the request.
   */
  private leftToOthers(request: NodeRequest, runtime: ProviderRuntime, pool: ConfigPool, otherPools: readonly Component[]): string | undefined {
    const candidates = otherPools.filter(
      (component) => !request.declinedBy.includes(component.id!) && request.nodeTypes.every((label) => component.supportedLabels.includes(label)),
    );
    if (candidates.length === 0) return undefined;
    if (request.provider && request.provider !== this.providerName && candidates.some((c) => c.providerName === request.provider)) {
      return `a pool of provider ${request.provider} (the request's preferred provider)`;
    }
    const ourPriority = effectivePriority(runtime.config, pool);
    const better = candidates.find((candidate) => candidate.priority < ourPriority && !candidate.paused);
    if (better) return `a pool of provider ${better.providerName ?? '?'} (priority ${better.priority}, ours ${ourPriority})`;
    return request.nodeTypes.some((label) => !pool.labels.has(label)) ? 'pools that have every label' : undefined;
  }

  /** Spec §5.5 step 5: a request whose tenant is at its limits waits, undeclined. */
  private deferForTenantQuota(request: NodeRequest, runtime: ProviderRuntime): boolean {
    const limit = request.tenantName ? this.context.config().tenantResourceLimits.get(request.tenantName) : undefined;
    if (!limit) return false;
    let needed = sumQuota([]);
    for (const label of request.nodeTypes) needed = needed.add(labelQuota(runtime.provider, label));
    const used = sumQuota([...this.context.nodes.values()].filter((node) => node.tenantName === limit.tenantName && node.allocatedTo !== request.id));
    if (used.add(needed).fitsWithin(tenantLimits(limit))) return false;
    this.log.debug('deferring request: tenant at its resource limits', { request: request.id, tenant: limit.tenantName });
    this.explainer.tenantQuota(request.id, limit.tenantName);
    return true;
  }

  /** Spec §5.5 step 6: reasons this pool can never serve the request. */
  private async declineReasons(request: NodeRequest, runtime: ProviderRuntime, pool: ConfigPool): Promise<string[]> {
    const reasons: string[] = [];
    const missing = request.nodeTypes.filter((label) => !pool.labels.has(label));
    if (missing.length > 0) reasons.push(`node type(s) [${[...new Set(missing)].join(',')}] not available`);
    else if (!this.imagesAvailable(request, runtime, pool)) reasons.push('images are not available');
    else if (pool.maxServers <= 0 || !(await this.couldEverFit(request, runtime, pool))) reasons.push('it would exceed quota');
    if (reasons.length === 0 && request.requestor === MIN_READY_REQUESTOR) {
      const poolNodes = [...this.context.nodes.values()].filter((node) => node.provider === this.providerName && node.pool === this.poolName);
      if (poolNodes.length >= pool.maxServers) reasons.push('provider cannot satisfy min-ready');
    }
    return reasons;
  }

  private imagesAvailable(request: NodeRequest, runtime: ProviderRuntime, pool: ConfigPool): boolean {
    return request.nodeTypes.every((name) => {
      const label = pool.labels.get(name)!;
      if (label.diskimage) {
        return this.context.images.uploads({ image: label.diskimage, provider: this.providerName }).some((upload) => upload.state === 'ready');
      }
      return runtime.provider.labelReady?.(name) ?? true;
    });
  }

  /** Whether the whole request fits the pool's and the cloud's limits at all, ignoring current use. */
  private async couldEverFit(request: NodeRequest, runtime: ProviderRuntime, pool: ConfigPool): Promise<boolean> {
    let needed = sumQuota([]);
    for (const label of request.nodeTypes) needed = needed.add(labelQuota(runtime.provider, label));
    if (!needed.fitsWithin(poolLimits(pool))) return false;
    if (!runtime.provider.getQuotaLimits || pool.ignoreProviderQuota) return true;
    try {
      return needed.fitsWithin(await runtime.provider.getQuotaLimits());
    } catch (error) {
      // Unknown limits are no reason to decline; launching will tell.
      this.log.warn('could not read the provider quota', { error: String(error) });
      this.context.health?.recordApiError(this.providerName, `could not read the provider quota: ${String(error)}`);
      return true;
    }
  }

  /** Spec §5.5 steps 8–10: lock, re-check, then decline or accept. */
  private async take(request: NodeRequest, runtime: ProviderRuntime, pool: ConfigPool, reasons: string[]): Promise<void> {
    const { zk } = this.context;
    if (reasons.length === 0) {
      // The common case, a request nobody has locked yet: lock it and mark it pending in one
      // transaction, which only succeeds if our cached copy is current (so the decision holds).
      const candidate = request.clone();
      const handler = runtime.provider.getRequestHandler(pool, candidate);
      if (this.declineReasonsOfHandler(candidate, handler).length === 0 && this.running) {
        candidate.setState('pending');
        const outcome = await zk.lockAndStoreFreshRequest(candidate);
        if (outcome === 'changed') return; // the cache brings the news, and us back here
        if (outcome === 'stored') {
          await this.run(new RequestProcessor(this.context, this, candidate, handler, this.log), runtime, { alreadyStored: true });
          return;
        }
      }
    }
    try {
      await zk.lockNodeRequest(request);
    } catch (error) {
      if (error instanceof LockUnavailableError) return;
      throw error;
    }
    // Until a processor has it, the lock is ours to give back, whatever goes wrong.
    let handedOver = false;
    try {
      const fresh = await zk.getNodeRequest(request.id);
      if (!fresh || fresh.state !== 'requested' || fresh.declinedBy.includes(this.id)) return;
      const handler = runtime.provider.getRequestHandler(pool, fresh);
      const processor = new RequestProcessor(this.context, this, fresh, handler, this.log);
      const allReasons = reasons.length > 0 ? reasons : this.declineReasonsOfHandler(fresh, handler);
      if (allReasons.length > 0) {
        handedOver = true;
        await processor.decline(allReasons.join(', '));
        return;
      }
      if (!this.running) return;
      handedOver = true;
      await this.run(processor, runtime);
    } finally {
      if (!handedOver) {
        await zk.unlockNodeRequest(request.id).catch((error: unknown) => this.log.warn('could not unlock node request', { request: request.id, error: String(error) }));
      }
    }
  }

  /** The handler's own reasons to decline (spec §5.5 step 6, the driver's part). */
  private declineReasonsOfHandler(request: NodeRequest, handler: NodeRequestHandler): string[] {
    const reasons = [...(handler.getDeclinedReasons?.() ?? [])];
    if (reasons.length === 0 && !request.reuse && !handler.launch) reasons.push('this pool only hands out existing nodes');
    return reasons;
  }

  /** Accepts a locked request and starts filling it. */
  private async run(processor: RequestProcessor, runtime: ProviderRuntime, options: { alreadyStored?: boolean } = {}): Promise<void> {
    const { request } = processor;
    this.processors.set(request.id, processor);
    runtime.activeRequests++;
    try {
      await processor.accept(options);
    } catch (error) {
      // Connection trouble: its back-off timer polls it again, which finishes accepting.
      await this.failed(processor, runtime, error);
      return;
    }
    if (processor.paused) this.paused = true;
    // Everything may be done already (reused nodes): let the next iteration complete it.
    this.attention.add(processor);
  }
}
