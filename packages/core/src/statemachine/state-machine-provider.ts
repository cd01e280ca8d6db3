import { randomInt } from 'node:crypto';
import type { Adapter, AdapterContext, ImageUploadOptions, Instance, StateMachine, StateMachineDriver } from '../driver/adapter.js';
import type { ProviderContext } from '../driver/driver.js';
import type { NodeRequestHandler } from '../driver/node-request-handler.js';
import type { CloudImage, Provider } from '../driver/provider.js';
import type { ConfigPool } from '../driver/provider-config.js';
import { QuotaInformation } from '../driver/quota-information.js';
import type { StateMachineLabel, StateMachinePool, StateMachineProviderConfig } from '../driver/state-machine-config.js';
import { LaunchTimeoutError, NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import { noStats, type Stats } from '../stats/stats.js';
import type { Node } from '../zk/node.js';
import type { NodeRequest } from '../zk/node-request.js';
import { SharedInstanceListing } from './instance-listing.js';
import { PacedRateLimiter } from './rate-limiter.js';
import { StateMachineHandler } from './state-machine-handler.js';

/** Knobs of the kit (not in nodepool.yaml); tests shorten them. */
export interface StateMachineTimings {
  /** Instance listings are at least this far apart. */
  listingIntervalMs: number;
  /** Provider quota limits are read again after this long (and after every quota error). */
  quotaCacheMs: number;
}

export const DEFAULT_STATE_MACHINE_TIMINGS: StateMachineTimings = {
  listingIntervalMs: 1_000,
  quotaCacheMs: 300_000,
};

/** Nodepool's metadata tags, the only link from cloud resources back to ZooKeeper. */
export function nodeMetadata(provider: string, pool: string, nodeId: string): Record<string, string> {
  return { nodepool_node_id: nodeId, nodepool_pool_name: pool, nodepool_provider_name: provider };
}

/**
 * Runs a state-machine driver: the shared half of aws, azure, gce, ibmvpc, openstack and
 * metastatic in the original. The adapter talks to the cloud; this class owns rate limits, the
 * shared instance listing, launch retries and timeouts, key scans, quota and leak cleanup.
 */
export class StateMachineProvider implements Provider {
  readonly name: string;
  readonly adapter: Adapter<StateMachineLabel>;
  readonly listing: SharedInstanceListing;
  readonly stats: Stats;
  readonly log: Logger;
  readonly timings: StateMachineTimings;
  private readonly abort = new AbortController();
  private readonly labelQuotas = new Map<string, QuotaInformation>();
  private quotaLimits: { value: QuotaInformation; at: number } | undefined;
  private azs: (string | undefined)[] | undefined;
  /** Resources seen leaked on the previous pass, by type and ID: deleted if seen again. */
  private suspects = new Set<string>();

  constructor(
    readonly config: StateMachineProviderConfig,
    driver: StateMachineDriver<StateMachineProviderConfig, StateMachineLabel>,
    readonly context: ProviderContext & { stats?: Stats; timings?: Partial<StateMachineTimings> },
  ) {
    this.name = config.name;
    this.stats = context.stats ?? noStats;
    this.log = context.log;
    this.timings = { ...DEFAULT_STATE_MACHINE_TIMINGS, ...context.timings };
    const adapterContext: AdapterContext = {
      rateLimits: { mutating: new PacedRateLimiter(config.rate), readOnly: new PacedRateLimiter(config.rate * 10) },
      log: context.log,
      ...(context.stats ? { stats: context.stats } : {}),
    };
    this.adapter = driver.createAdapter(config, adapterContext);
    this.listing = new SharedInstanceListing(this.adapter, this.timings.listingIntervalMs, context.log);
  }

  /** Aborted when the provider stops. */
  get stopping(): AbortSignal {
    return this.abort.signal;
  }

  async start(): Promise<void> {
    await Promise.all([this.refreshLabelQuotas(), this.availabilityZones()]).catch((error: unknown) =>
      this.log.warn('could not read quotas or zones yet', { error: String(error) }),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('the provider is stopping'));
    await this.adapter.stop?.();
  }

  labelReady(label: string): boolean {
    const configLabel = this.findLabel(label);
    return configLabel ? (this.adapter.labelReady?.(configLabel) ?? true) : false;
  }

  getRequestHandler(pool: ConfigPool, request: NodeRequest): NodeRequestHandler {
    return new StateMachineHandler(this, pool as StateMachinePool, request);
  }

  // ---- images (nodepool-builder, alien-image-list) -------------------------------------

  async uploadImage(options: ImageUploadOptions): Promise<string> {
    if (!this.adapter.uploadImage) throw new Error(`provider ${this.name} (driver ${this.config.driver}) cannot upload images`);
    return this.adapter.uploadImage(options);
  }

  async deleteImage(externalId: string): Promise<void> {
    if (!this.adapter.deleteImage) throw new Error(`provider ${this.name} (driver ${this.config.driver}) cannot delete images`);
    try {
      await this.adapter.deleteImage(externalId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  async listAlienImages(knownIds: ReadonlySet<string>): Promise<CloudImage[]> {
    if (!this.adapter.listImages) return [];
    return (await this.adapter.listImages())
      .filter((image) => image.metadata.nodepool_build_id !== undefined && image.metadata.nodepool_provider_name === this.name && !knownIds.has(image.id))
      .map(({ id, name }) => ({ id, name }));
  }

  /** Deletes a node's instance (and what belongs to it): the delete machine, to completion. */
  async cleanupNode(node: Node): Promise<void> {
    if (!node.externalId) return;
    await this.deleteInstance(node.externalId, this.log.child({ node: node.id }));
  }

  /** Runs a delete machine to completion; an instance already gone counts as deleted. */
  async deleteInstance(externalId: string, log: Logger): Promise<void> {
    const machine = this.adapter.getDeleteStateMachine(externalId, { instances: this.listing, log });
    try {
      await this.runMachine(machine, Date.now() + 600_000, this.abort.signal);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  /**
   * Advances a machine until it yields its result. The machine waits on the shared listing
   * itself, so there is no sleeping here; between steps the event loop gets its turn.
   */
  async runMachine<T>(
    machine: StateMachine<T>,
    deadline: number | (() => number),
    signal: AbortSignal,
    onExternalId?: (id: string) => Promise<void>,
    onState?: (state: string) => void,
  ): Promise<T> {
    const deadlineNow = typeof deadline === 'number' ? () => deadline : deadline;
    let knownId = machine.externalId;
    let knownState: string | undefined;
    for (;;) {
      signal.throwIfAborted();
      if (onState && machine.state !== knownState) {
        knownState = machine.state;
        onState(knownState);
      }
      const result = await machine.advance();
      const done = result !== undefined || machine.complete;
      if (machine.externalId && machine.externalId !== knownId) {
        knownId = machine.externalId;
        // A machine done already hands its result over now; the ID travels with it.
        if (!done) await onExternalId?.(knownId);
      }
      if (done) return result as T;
      if (Date.now() > deadlineNow()) throw new LaunchTimeoutError(`timed out in state "${machine.state}"`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Leak cleanup by metadata: resources tagged for this provider whose node or upload Nodepool
   * no longer knows are deleted — but only when seen so on two passes in a row, so that a launch
   * in flight is never mistaken for a leak.
   */
  async cleanupLeakedResources(): Promise<void> {
    const nodes = await this.context.zk.nodeCache();
    const images = await this.context.zk.imageCache();
    const knownUploads = new Set(images.uploads({ provider: this.name }).map((upload) => upload.id));
    const resources = await this.adapter.listResources({ instances: this.listing });
    const suspects = new Set<string>();
    for (const resource of resources) {
      const tags = resource.metadata;
      if (tags.nodepool_provider_name !== this.name) continue;
      const nodeId = tags.nodepool_node_id;
      const uploadId = tags.nodepool_upload_id;
      const leaked = (nodeId !== undefined && !nodes.get(nodeId)) || (uploadId !== undefined && !knownUploads.has(uploadId));
      if (!leaked) continue;
      const key = `${resource.type}:${String(resource.id ?? resource.externalId ?? JSON.stringify(tags))}`;
      if (!this.suspects.has(key)) {
        suspects.add(key);
        continue;
      }
      try {
        await this.adapter.deleteResource(resource);
        this.log.info('deleted leaked resource', { type: resource.type, node: nodeId, upload: uploadId });
        this.stats.increment(`nodepool.provider.${this.name}.leaked.${resource.type}s`);
      } catch (error) {
        if (!(error instanceof NotFoundError)) this.log.warn('could not delete leaked resource', { type: resource.type, error: String(error) });
      }
    }
    this.suspects = suspects;
  }

  // ---- quota -------------------------------------------------------------------------------

  async getQuotaLimits(): Promise<QuotaInformation> {
    if (!this.adapter.getQuotaLimits) return QuotaInformation.unlimited();
    if (!this.quotaLimits || Date.now() - this.quotaLimits.at > this.timings.quotaCacheMs) {
      this.quotaLimits = { value: await this.adapter.getQuotaLimits(), at: Date.now() };
    }
    return this.quotaLimits.value;
  }

  /** After a quota error the cloud knows better than our cache. */
  invalidateQuota(): void {
    this.quotaLimits = undefined;
  }

  getQuotaForLabel(label: string): QuotaInformation {
    return this.labelQuotas.get(label) ?? new QuotaInformation({ instances: 1 });
  }

  /**
   * Instances in the provider's account that are not this provider's nodes. They change
   * slowly: a listing up to ten intervals old (at least 10 s) will do, so launches rarely wait.
   */
  async getUnmanagedQuotaUsed(): Promise<QuotaInformation> {
    let used = new QuotaInformation();
    for (const instance of await this.listing.recent(Math.max(10 * this.timings.listingIntervalMs, 10_000))) {
      if (instance.metadata.nodepool_provider_name === this.name) continue;
      used = used.add(instanceQuota(instance));
    }
    return used;
  }

  private async refreshLabelQuotas(): Promise<void> {
    if (!this.adapter.getQuotaForLabel) return;
    for (const pool of this.config.pools.values()) {
      for (const label of pool.labels.values()) this.labelQuotas.set(label.name, await this.adapter.getQuotaForLabel(label));
    }
  }

  /** The zones to keep node sets in; cached for the provider's life. */
  async availabilityZones(): Promise<(string | undefined)[]> {
    this.azs ??= (await this.adapter.getAZs?.()) ?? [undefined];
    return this.azs.length > 0 ? this.azs : [undefined];
  }

  /** A zone for a new node set: one of the pool's `availabilityZones` if it has any, else of the cloud's. */
  async pickZone(pool?: StateMachinePool): Promise<string | undefined> {
    const zones = pool?.availabilityZones?.length ? pool.availabilityZones : await this.availabilityZones();
    return zones[randomInt(zones.length)];
  }

  findLabel(name: string): StateMachineLabel | undefined {
    for (const pool of this.config.pools.values()) {
      const label = pool.labels.get(name);
      if (label) return label;
    }
    return undefined;
  }
}

function instanceQuota(instance: Instance): QuotaInformation {
  return instance.getQuotaInformation?.() ?? new QuotaInformation({ instances: 1 });
}
