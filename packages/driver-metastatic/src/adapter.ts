import {
  QuotaInformation,
  type Adapter,
  type AdapterContext,
  type CreateStateMachineOptions,
  type Instance,
  type InstanceListing,
  type Logger,
  type NodepoolZooKeeper,
  type Resource,
  type StateMachine,
} from '@nodepool/core';
import { BackingNodes } from './backing-nodes.js';
import type { MetastaticLabelConfig, MetastaticProviderConfig } from './config.js';
import { MetastaticCreateStateMachine } from './create-state-machine.js';
import { MetastaticDeleteStateMachine } from './delete-state-machine.js';
import { metastaticQuota } from './instance.js';

/** Knobs of the adapter that are not in nodepool.yaml (tests set them). */
export interface MetastaticAdapterOptions {
  /** The clock grace times are measured on (ms since the epoch). Default `Date.now`. */
  readonly now?: () => number;
  /** Longest wait of a launch for a change of its backing node request before looking again. Default 1 s. */
  readonly pollMs?: number;
}

/**
 * The metastatic driver's adapter. Its "cloud" is Nodepool itself: backing nodes are asked of
 * whichever launcher serves their label through node requests in ZooKeeper, so it takes the
 * launcher's ZooKeeper connection (as the original's driver hands its adapter the provider's).
 * Launch retries, timeouts and key scans (with `host-key-checking`) are the kit's.
 */
export class MetastaticAdapter implements Adapter<MetastaticLabelConfig> {
  readonly backing: BackingNodes;
  private readonly log: Logger;

  constructor(
    private readonly config: MetastaticProviderConfig,
    context: AdapterContext,
    zk: NodepoolZooKeeper,
    private readonly options: MetastaticAdapterOptions = {},
  ) {
    this.log = context.log;
    this.backing = new BackingNodes({
      providerName: config.name,
      zk,
      label: (name) => this.findLabel(name),
      now: options.now ?? Date.now,
      log: context.log,
    });
  }

  getCreateStateMachine(options: CreateStateMachineOptions<MetastaticLabelConfig>): StateMachine<Instance> {
    return new MetastaticCreateStateMachine({
      backing: this.backing,
      label: options.label,
      metadata: options.metadata,
      log: options.log,
      ...(this.options.pollMs === undefined ? {} : { pollMs: this.options.pollMs }),
    });
  }

  getDeleteStateMachine(externalId: string, _options: { instances: InstanceListing; log: Logger }): StateMachine<void> {
    return new MetastaticDeleteStateMachine(externalId, this.backing);
  }

  /** Nothing to list: metastatic nodes use no cloud quota of their own. */
  async listInstances(): Promise<Instance[]> {
    return [];
  }

  /**
   * Called for every leak-cleanup pass, which is the original's moment to release idle backing
   * nodes; there are no leaks of our own to report.
   */
  async listResources(_options: { instances: InstanceListing }): Promise<Resource[]> {
    await this.backing.sweep();
    return [];
  }

  async deleteResource(resource: Resource): Promise<void> {
    this.log.warn('unhandled request to delete a leaked resource', { type: resource.type });
  }

  async getQuotaLimits(): Promise<QuotaInformation> {
    return QuotaInformation.unlimited();
  }

  async getQuotaForLabel(_label: MetastaticLabelConfig): Promise<QuotaInformation> {
    return metastaticQuota();
  }

  /** A node on a backing node could not be reached: that backing node takes no more jobs. */
  async notifyNodescanFailure(_label: MetastaticLabelConfig, externalId: string): Promise<void> {
    await this.backing.fail(externalId);
  }

  private findLabel(name: string): MetastaticLabelConfig | undefined {
    for (const pool of this.config.pools.values()) {
      const label = pool.labels.get(name);
      if (label) return label;
    }
    return undefined;
  }
}
