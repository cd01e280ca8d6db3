import {
  QuotaInformation,
  type Adapter,
  type AdapterContext,
  type CreateStateMachineOptions,
  type ImageUploadOptions,
  type Instance,
  type InstanceListing,
  type Logger,
  type Resource,
  type StateMachine,
} from '@nodepool/core';
import { AwsClient, type AwsClientOptions } from './client.js';
import type { AwsLabelConfig, AwsProviderConfig } from './config.js';
import { AwsCreateStateMachine } from './create-state-machine.js';
import { DedicatedHosts } from './dedicated-hosts.js';
import { AwsDeleteStateMachine } from './delete-state-machine.js';
import { ImageCatalog } from './image-catalog.js';
import { ImageImporter, type ImageImportTimings } from './image-import.js';
import { toInstance, type AwsResource } from './instance.js';
import { InstanceTypeCatalog } from './instance-types.js';
import { LeakResources } from './leak-resources.js';
import { hostQuotaCode, instanceQuotaCode, instanceTypeQuota, volumeQuota, volumeQuotaCodes, type Market } from './quota.js';
import { nodeTags, toTagRecord } from './tags.js';
import { TerminateBatcher } from './terminate-batcher.js';

/** Knobs of the adapter that are not in nodepool.yaml (tests shorten them). */
export interface AwsAdapterOptions extends AwsClientOptions {
  readonly imageImport?: ImageImportTimings;
  /** How often a machine waiting for a dedicated host looks again. Default 1 s. */
  readonly hostPollMs?: number;
}

/** Service Quotas counts EBS storage in TiB; Nodepool counts volumes in GiB. */
const GIB_PER_TIB = 1024;

/**
 * The aws driver's adapter: EC2 instances, AMIs, snapshots, volumes, dedicated hosts and the
 * image bucket, through the real SDK v3 clients. Launch retries, timeouts, key scans, quota
 * caching and leak bookkeeping are the kit's; instance listings are the kit's shared listing.
 */
export class AwsAdapter implements Adapter<AwsLabelConfig> {
  readonly client: AwsClient;
  private readonly log: Logger;
  private readonly images: ImageCatalog;
  private readonly instanceTypes: InstanceTypeCatalog;
  private readonly terminator: TerminateBatcher;
  private readonly hosts: DedicatedHosts;
  private readonly leaks: LeakResources;
  private readonly importer: ImageImporter;
  private readonly usesDedicatedHosts: boolean;

  constructor(
    private readonly config: AwsProviderConfig,
    context: AdapterContext,
    options: AwsAdapterOptions = {},
  ) {
    this.log = context.log;
    this.client = new AwsClient(config, context.rateLimits, context.log, options);
    this.images = new ImageCatalog(this.client, config.cloudImages);
    this.instanceTypes = new InstanceTypeCatalog(this.client, context.log);
    this.terminator = new TerminateBatcher(this.client);
    this.hosts = new DedicatedHosts(this.client, options.hostPollMs);
    this.usesDedicatedHosts = this.labels().some((label) => label.dedicatedHost);
    this.leaks = new LeakResources(this.client, this.terminator, this.hosts, {
      providerName: config.name,
      bucket: config.objectStorage?.bucketName ?? null,
      dedicatedHosts: this.usesDedicatedHosts,
      log: context.log,
    });
    this.importer = new ImageImporter(this.client, config, context.log, options.imageImport);
  }

  getCreateStateMachine(options: CreateStateMachineOptions<AwsLabelConfig>): StateMachine<Instance> {
    const { label, hostname, metadata, request, instances, log } = options;
    const pool = this.config.pools.get(label.poolName);
    if (!pool) throw new Error(`label ${label.name} names pool ${label.poolName}, which provider ${this.config.name} does not have`);
    return new AwsCreateStateMachine({
      client: this.client,
      hosts: this.hosts,
      resolveImage: () => this.images.bootImage(label, options.imageExternalId),
      quota: (market) => this.labelQuota(label, market),
      label,
      pool,
      hostname,
      tags: nodeTags(label, request, metadata, hostname, log),
      instances,
      log,
    });
  }

  getDeleteStateMachine(externalId: string, options: { instances: InstanceListing; log: Logger }): StateMachine<void> {
    return new AwsDeleteStateMachine(externalId, { terminator: this.terminator, hosts: this.hosts, dedicatedHosts: this.usesDedicatedHosts, ...options });
  }

  /**
   * Every instance of the region, terminated ones included (as `deleted`, using no quota) so that
   * a machine can tell an ended instance from one EC2 does not list yet. One DescribeInstances,
   * plus one DescribeInstanceTypes the first time a type is seen.
   */
  async listInstances(): Promise<Instance[]> {
    const raw = await this.client.describeInstances();
    await this.instanceTypes.load(raw.map((instance) => instance.InstanceType ?? '').filter(Boolean));
    return raw.map((instance) => {
      const figures = this.instanceTypes.peek(instance.InstanceType ?? '');
      const market: Market = instance.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand';
      const quota = figures ? instanceTypeQuota(figures, market, instance.Placement?.Tenancy === 'host') : new QuotaInformation({ instances: 1 });
      return toInstance(instance, { region: this.config.regionName, quota });
    });
  }

  listResources(options: { instances: InstanceListing }): Promise<Resource[]> {
    return this.leaks.list(options.instances);
  }

  deleteResource(resource: Resource): Promise<void> {
    return this.leaks.delete(resource as AwsResource);
  }

  /**
   * The account's vCPU quotas (on-demand and spot, per instance family) and dedicated-host
   * quotas from Service Quotas, and its EBS storage and IOPS quotas when a label sizes its
   * volumes. Everything else is unlimited.
   */
  async getQuotaLimits(): Promise<QuotaInformation> {
    const wanted = new Set<string>();
    let volumes = false;
    for (const label of this.labels()) {
      for (const market of this.markets(label)) {
        const code = label.dedicatedHost ? hostQuotaCode(label.instanceType) : instanceQuotaCode(label.instanceType, market);
        if (code === null) this.log.warn('no EC2 quota code is known for this instance type', { instanceType: label.instanceType, market });
        else wanted.add(code);
      }
      if (label.volumeSize !== null) volumes = true;
    }
    const limits: Record<string, number> = {};
    for (const [code, value] of await this.client.listServiceQuotas('ec2')) if (wanted.has(code)) limits[code] = value;
    if (volumes) {
      const storage = new Set(this.labels().map((label) => volumeQuotaCodes(label.volumeType ?? 'gp2')?.storage));
      for (const [code, value] of await this.client.listServiceQuotas('ebs')) limits[code] = storage.has(code) ? value * GIB_PER_TIB : value;
    }
    return new QuotaInformation(limits, Infinity);
  }

  getQuotaForLabel(label: AwsLabelConfig): Promise<QuotaInformation> {
    return this.labelQuota(label, label.useSpot ? 'spot' : 'on-demand');
  }

  async uploadImage(options: ImageUploadOptions): Promise<string> {
    return this.importer.upload(options);
  }

  /** Deregisters the AMI, then deletes its snapshots. */
  async deleteImage(externalId: string): Promise<void> {
    const [image] = await this.client.describeImages({ imageIds: [externalId] });
    const snapshots = (image?.BlockDeviceMappings ?? []).map((mapping) => mapping.Ebs?.SnapshotId).filter((id): id is string => id !== undefined);
    await this.client.deregisterImage(externalId);
    for (const snapshotId of snapshots) await this.client.deleteSnapshot(snapshotId).catch((error: unknown) => this.log.warn('could not delete the snapshot of a deleted AMI; leak cleanup will', { snapshotId, error: String(error) }));
  }

  /** The account's own AMIs, for `nodepool alien-image-list`. */
  async listImages(): Promise<{ id: string; name: string; metadata: Readonly<Record<string, string>> }[]> {
    return (await this.client.describeImages({ owners: ['self'] })).map((image) => ({ id: image.ImageId ?? '', name: image.Name ?? '', metadata: toTagRecord(image.Tags) }));
  }

  async stop(): Promise<void> {
    this.client.destroy();
  }

  // ---- local implementation -----------------------------------------------------------------

  private labels(): AwsLabelConfig[] {
    return [...this.config.pools.values()].flatMap((pool) => [...pool.labels.values()]);
  }

  /** The markets a label's instances may be bought on. */
  private markets(label: AwsLabelConfig): Market[] {
    if (!label.useSpot) return ['on-demand'];
    return label.fallbackToOnDemand ? ['spot', 'on-demand'] : ['spot'];
  }

  /** The instance type's cores, RAM and vCPUs against its family's quota, and the label's volume. */
  private async labelQuota(label: AwsLabelConfig, market: Market): Promise<QuotaInformation> {
    const figures = await this.instanceTypes.get(label.instanceType);
    if (!figures) throw new Error(`instance-type ${label.instanceType} of label ${label.name} is not offered by EC2 in ${this.config.regionName}`);
    const quota = instanceTypeQuota(figures, market, label.dedicatedHost);
    return label.volumeSize === null ? quota : quota.add(volumeQuota(label.volumeType ?? 'gp2', label.volumeSize, label.iops));
  }
}
