import {
  Node,
  noStats,
  PacedRateLimiter,
  QuotaError,
  QuotaInformation,
  type ConfigPool,
  type LaunchContext,
  type Logger,
  type NodeRequest,
  type NodeRequestHandler,
  type Provider,
  type ProviderContext,
  type Stats,
} from '@nodepool/core';
import { ApiCalls } from './client/api-calls.js';
import { loadKubeAccess, type KubeAccess } from './client/kube-access.js';
import type { PodLabelSettings, PodPoolConfig, PodProviderConfig } from './config/index.js';
import { DEFAULT_DRIVER_OPTIONS, type K8sDriverOptions } from './driver-options.js';
import { isNotFound } from './errors.js';
import { labelQuota } from './label-quota.js';
import { PodRequestHandler } from './pod-request-handler.js';

/** A label of any of the three drivers, as the runtime sees it. */
export type PodLabel = PodLabelSettings & { readonly name: string; readonly type: string; readonly imagePullSecrets?: readonly unknown[] };

/** Something of this provider's in the cluster that may have leaked: its external ID and node. */
export interface OwnedResource {
  readonly externalId: string;
  readonly nodeId: string;
}

/** What one launch attempt is given. */
export interface LaunchAttempt {
  readonly node: Node;
  readonly pool: PodPoolConfig<PodLabel>;
  readonly label: PodLabel;
  readonly context: LaunchContext;
  readonly signal: AbortSignal;
}

/**
 * What the kubernetes, openshift and openshiftpods providers share, after 9.0.0's own Provider
 * and NodeLauncher (they are not state-machine drivers there): the cluster configuration, the
 * rate-limited API calls, launches with `launch-retries` attempts (a failed attempt's namespace,
 * project or pod deleted and waited for first), deletion, quota by label, and leak cleanup of
 * what carries this provider's name but has no node.
 */
export abstract class PodProvider<C extends PodProviderConfig<PodLabel> = PodProviderConfig<PodLabel>> implements Provider {
  readonly name: string;
  protected readonly log: Logger;
  protected readonly stats: Stats;
  protected readonly options: Required<Omit<K8sDriverOptions, 'env'>> & Pick<K8sDriverOptions, 'env'>;
  protected readonly calls: ApiCalls;
  private readonly stopping = new AbortController();
  private access: KubeAccess | undefined;
  private accessError: Error | undefined;

  constructor(
    readonly config: C,
    protected readonly context: ProviderContext,
    options: K8sDriverOptions = {},
  ) {
    this.name = config.name;
    this.log = context.log;
    this.stats = context.stats ?? noStats;
    this.options = { ...DEFAULT_DRIVER_OPTIONS, ...options };
    // These drivers have no `rate`: calls are not paced, but a 429 still backs every call off.
    this.calls = new ApiCalls({ mutating: new PacedRateLimiter(Infinity), readOnly: new PacedRateLimiter(Infinity) }, this.log, { timeoutMs: this.options.apiTimeoutMs });
  }

  /** The cluster's context, as the driver names it (`connection.cloud`). */
  protected abstract get contextName(): string | null;

  /** Builds the API clients once the cluster configuration is loaded. */
  protected abstract connect(access: KubeAccess): Promise<void>;

  /** One launch attempt: make the node's namespace, project or pod and fill in the node. */
  protected abstract launchAttempt(attempt: LaunchAttempt, access: KubeAccess): Promise<void>;

  /** Starts deleting what `externalId` names (already gone counts as done). */
  protected abstract deleteResource(externalId: string): Promise<void>;

  /** Resolves once what `externalId` names is gone. */
  protected abstract waitGone(externalId: string, signal: AbortSignal): Promise<void>;

  /** What the cluster holds that this provider made (by its names and labels). */
  protected abstract listOwned(): Promise<OwnedResource[]>;

  /** Whether a failed attempt means the cluster is at quota (openshift: "exceeded quota"). */
  protected isQuotaFailure(_error: unknown): boolean {
    return false;
  }

  /**
   * Loads the cluster configuration. A failure is logged, not thrown (as 9.0.0, whose provider
   * then cannot launch): launches fail with it, and nothing else is attempted.
   */
  async start(): Promise<void> {
    try {
      const access = await loadKubeAccess(this.contextName, this.options.env);
      await this.connect(access);
      this.access = access;
      this.log.info('connected to the cluster configuration', { provider: this.name, host: this.access.host, source: this.access.source });
    } catch (error) {
      this.accessError = error as Error;
      this.log.error("couldn't load the cluster configuration", { provider: this.name, context: this.contextName, error: String(error) });
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('the provider is stopping'));
  }

  getRequestHandler(pool: ConfigPool, request: NodeRequest): NodeRequestHandler {
    return new PodRequestHandler(this, pool as PodPoolConfig<PodLabel>, request);
  }

  /** What one node of a label uses (the first pool offering it; the handler writes the node's own pool's). */
  getQuotaForLabel(label: string): QuotaInformation {
    for (const pool of this.config.pools.values()) {
      const found = pool.labels.get(label);
      if (found) return labelQuota(found);
    }
    return new QuotaInformation({ instances: 1 });
  }

  /**
   * 9.0.0's NodeLauncher: up to `launch-retries` attempts; after a failed one, what it made is
   * deleted and waited for, and the node's external ID and address cleared, before the next.
   */
  async launch(node: Node, pool: PodPoolConfig<PodLabel>, label: PodLabel, context: LaunchContext): Promise<void> {
    const access = this.requireAccess();
    const signal = AbortSignal.any([context.signal, this.stopping.signal]);
    const retries = this.config.launchRetries;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.launchAttempt({ node, pool, label, context, signal }, access);
        return;
      } catch (error) {
        const final = attempt >= retries || signal.aborted;
        context.log.warn(`launch attempt ${attempt}/${retries} failed`, { node: node.id, error: String(error) });
        await this.unwind(node, context);
        if (this.isQuotaFailure(error)) {
          context.log.info('quota exceeded', { node: node.id });
          throw new QuotaError('Quota exceeded', { cause: error });
        }
        if (final) throw error;
      }
    }
  }

  /** Deletes a node's namespace, project or pod and waits until it is gone. */
  async cleanupNode(node: Node): Promise<void> {
    if (!node.externalId) return;
    this.requireAccess();
    await this.deleteResource(node.externalId);
    await this.waitGone(node.externalId, this.stopping.signal);
  }

  /**
   * Deletes what carries this provider's name but whose node ZooKeeper does not know (on the
   * first sighting, as 9.0.0: the node record is written before anything is made in the cluster,
   * so an unknown node is never a launch in flight). Counted as
   * `nodepool.provider.<name>.leaked.nodes`.
   */
  async cleanupLeakedResources(): Promise<void> {
    if (!this.access || this.stopping.signal.aborted) return;
    const nodes = await this.context.zk.nodeCache();
    for (const owned of await this.listOwned()) {
      if (nodes.get(owned.nodeId)) continue;
      // The cache may lag a node created a moment ago: ZooKeeper itself decides.
      if (await this.context.zk.getNode(owned.nodeId)) continue;
      this.log.warn('deleting leaked instance', { provider: this.name, externalId: owned.externalId, node: owned.nodeId });
      try {
        await this.deleteResource(owned.externalId);
        this.stats.increment(`nodepool.provider.${this.name}.leaked.nodes`);
      } catch (error) {
        this.log.warn('could not delete a leaked instance', { externalId: owned.externalId, error: String(error) });
      }
    }
  }

  /** After a failed attempt: delete what it made, wait for it to go, forget it on the node. */
  private async unwind(node: Node, context: LaunchContext): Promise<void> {
    if (!node.externalId) return;
    try {
      await this.deleteResource(node.externalId);
      await this.waitGone(node.externalId, this.stopping.signal);
      node.externalId = null;
      node.interfaceIp = null;
      await context.store().catch(() => undefined);
    } catch (error) {
      // The node keeps the ID: its deletion, or leak cleanup, finishes the job.
      context.log.warn('could not delete what a failed attempt made', { externalId: node.externalId, error: String(error) });
    }
  }

  private requireAccess(): KubeAccess {
    if (this.access) return this.access;
    throw this.accessError ?? new Error(`provider ${this.name} is not started`);
  }

  /** A deletion that counts "already gone" as done. */
  protected static async gone(deletion: Promise<unknown>): Promise<void> {
    try {
      await deletion;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Limits for waits of this provider. */
  protected limits(timeoutMs: number, signal: AbortSignal) {
    return { timeoutMs, pollMs: this.options.pollMs, signal };
  }
}
