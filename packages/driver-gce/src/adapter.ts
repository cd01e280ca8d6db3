import {
  NotFoundError,
  QuotaInformation,
  type Adapter,
  type AdapterContext,
  type CreateStateMachineOptions,
  type Instance,
  type InstanceListing,
  type Logger,
  type Resource,
  type StateMachine,
} from '@nodepool/core';
import { GceClient, type GceClientOptions } from './client.js';
import type { GceLabelConfig, GceProviderConfig } from './config.js';
import { GceCreateStateMachine } from './create-state-machine.js';
import { GceDeleteStateMachine } from './delete-state-machine.js';
import { ImageCatalog } from './image-catalog.js';
import { isGceInstanceView, toInstance, type GceResource } from './instance.js';
import { insertBody } from './launch-request.js';
import { MachineTypeCatalog } from './machine-types.js';

/** Knobs of the adapter that are not in nodepool.yaml (tests shorten them). */
export type GceAdapterOptions = GceClientOptions;

/**
 * The gce driver's adapter: Compute Engine instances in one zone through
 * `@google-cloud/compute`. Launch retries, timeouts, key scans, quota caching and leak
 * bookkeeping are the kit's; instance state comes from the kit's shared listing.
 */
export class GceAdapter implements Adapter<GceLabelConfig> {
  readonly client: GceClient;
  private readonly log: Logger;
  private readonly machineTypes: MachineTypeCatalog;
  private readonly images: ImageCatalog;

  constructor(
    private readonly config: GceProviderConfig,
    context: AdapterContext,
    options: GceAdapterOptions = {},
  ) {
    this.log = context.log;
    this.client = new GceClient(config, context.rateLimits, context.log, options);
    this.machineTypes = new MachineTypeCatalog(this.client);
    this.images = new ImageCatalog(this.client, config.project);
  }

  getCreateStateMachine(options: CreateStateMachineOptions<GceLabelConfig>): StateMachine<Instance> {
    const { label, hostname, metadata, instances, log } = options;
    const image = this.config.cloudImages.get(label.cloudImage);
    return new GceCreateStateMachine({
      client: this.client,
      hostname,
      instances,
      log,
      body: async () => {
        if (!image) throw new Error(`label ${label.name} names cloud image ${label.cloudImage}, which provider ${this.config.name} does not have`);
        const [sourceImage, machineType] = await Promise.all([this.images.sourceImage(image), this.machineTypes.get(label.instanceType)]);
        return insertBody({ hostname, zone: this.config.zone, label, image, sourceImage, machineTypeLink: machineType.selfLink, metadata });
      },
    });
  }

  getDeleteStateMachine(externalId: string, options: { instances: InstanceListing; log: Logger }): StateMachine<void> {
    return new GceDeleteStateMachine(externalId, { client: this.client, ...options });
  }

  /**
   * Every instance of the zone: one `instances.list` (all pages), plus one `machineTypes.get`
   * the first time a machine type is seen, for what the instance uses.
   */
  async listInstances(): Promise<Instance[]> {
    const raw = await this.client.listInstances();
    const typeName = (link: string | null | undefined) => (link ?? '').split('/').pop() ?? '';
    await this.machineTypes.load(raw.map((instance) => typeName(instance.machineType)));
    return raw.map((instance) => toInstance(instance, this.machineTypes.peek(typeName(instance.machineType))));
  }

  /** Instances that are not TERMINATED, from the kit's listing, as 9.0.0 lists them. */
  async listResources(options: { instances: InstanceListing }): Promise<Resource[]> {
    const resources: GceResource[] = [];
    for (const instance of await options.instances.all()) {
      if (isGceInstanceView(instance) && instance.status === 'TERMINATED') continue;
      resources.push({ type: 'instance', id: instance.externalId, metadata: instance.metadata });
    }
    return resources;
  }

  async deleteResource(resource: Resource): Promise<void> {
    const { id } = resource as GceResource;
    this.log.info('deleting leaked GCE instance', { instance: id });
    try {
      await this.client.deleteInstance(id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  /** The region's `CPUS` and `INSTANCES` quotas (their limits); anything else is unlimited. */
  async getQuotaLimits(): Promise<QuotaInformation> {
    const region = await this.client.getRegion();
    const limits: Record<string, number> = {};
    for (const quota of region.quotas ?? []) {
      if (quota.metric === 'CPUS') limits.cores = Number(quota.limit);
      else if (quota.metric === 'INSTANCES') limits.instances = Number(quota.limit);
    }
    return new QuotaInformation(limits, Infinity);
  }

  /** The label's machine type: its cores, one instance, its memory. */
  async getQuotaForLabel(label: GceLabelConfig): Promise<QuotaInformation> {
    return (await this.machineTypes.get(label.instanceType)).quota;
  }

  async stop(): Promise<void> {
    await this.client.close();
  }
}
