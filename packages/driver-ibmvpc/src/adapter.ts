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
import type { VpcApi } from './client/vpc-api.js';
import { IbmVpcCloud, type IbmVpcCloudOptions, type IbmVpcSetup } from './cloud.js';
import type { IbmVpcLabelConfig, IbmVpcProviderConfig } from './config.js';
import { IbmVpcCreateStateMachine, type IbmVpcLaunchPlan } from './create-state-machine.js';
import { IbmVpcDeleteStateMachine } from './delete-state-machine.js';
import { FloatingIpSnapshot } from './floating-ips.js';
import { findImage } from './image-lookup.js';
import { deleteImage, uploadImage, type ImageUploadTimings } from './image-upload.js';
import { toInstance, type IbmVpcResource } from './instance.js';
import { deleteLeakResource, listLeakResources } from './leak-resources.js';
import { quotaFromProfile } from './quota.js';
import { imageResourceGroupName, metadataFromNames, poolResourceGroupName } from './resource-names.js';

/** Knobs of the adapter that are not in nodepool.yaml (tests shorten them). */
export interface IbmVpcAdapterOptions extends IbmVpcCloudOptions {
  readonly imageUpload?: ImageUploadTimings;
}

/**
 * The ibmvpc driver's adapter: VPC instances with their floating IPs, and custom images staged
 * through Cloud Object Storage, through the driver's own client on `ibm-cloud-sdk-core` and
 * `ibm-cos-sdk`. Nodepool's metadata lives in names (`np<node id>`, `npimage<upload id>`) and
 * resource groups (`np_<provider>_<pool>`, `npimages_<provider>`), as in Nodepool 9.0.0. Launch
 * retries, timeouts, key scans, quota caching and leak bookkeeping are the kit's; one instance
 * listing (with the floating IPs) per interval serves every node in flight.
 */
export class IbmVpcAdapter implements Adapter<IbmVpcLabelConfig> {
  readonly cloud: IbmVpcCloud;
  private readonly log: Logger;
  private readonly floatingIps = new FloatingIpSnapshot();

  constructor(
    private readonly config: IbmVpcProviderConfig,
    context: AdapterContext,
    private readonly options: IbmVpcAdapterOptions = {},
  ) {
    this.log = context.log;
    this.cloud = new IbmVpcCloud(config, context, options);
  }

  getCreateStateMachine(options: CreateStateMachineOptions<IbmVpcLabelConfig>): StateMachine<Instance> {
    const { label, hostname, instances, log } = options;
    const pool = this.config.pools.get(label.poolName);
    if (!pool) throw new Error(`label ${label.name} names pool ${label.poolName}, which provider ${this.config.name} does not have`);
    let plan: Promise<IbmVpcLaunchPlan> | undefined;
    return new IbmVpcCreateStateMachine({
      vpcApi: () => this.vpcApi(),
      plan: () => (plan ??= this.launchPlan(label, options.imageExternalId)),
      label,
      pool,
      hostname,
      floatingIps: this.floatingIps,
      instances,
      log,
    });
  }

  getDeleteStateMachine(externalId: string, options: { instances: InstanceListing; log: Logger }): StateMachine<void> {
    return new IbmVpcDeleteStateMachine(externalId, { vpcApi: () => this.vpcApi(), floatingIps: this.floatingIps, ...options });
  }

  /**
   * Every instance of the region with its resource group's metadata, its profile's quota and the
   * floating IP of its name bound to its primary interface: one paged instance listing and one
   * paged floating IP listing, which also serves the machines waiting on floating IPs.
   */
  async listInstances(): Promise<Instance[]> {
    const setup = await this.cloud.ready();
    const [vms, fips] = await Promise.all([setup.vpcApi.listInstances(), setup.vpcApi.listFloatingIps()]);
    this.floatingIps.update(fips);
    const fipsByName = new Map(fips.map((fip) => [fip.name, fip]));
    const instances: Instance[] = [];
    for (const vm of vms) {
      const group = await setup.groups.nameOf(vm.resource_group);
      instances.push(
        toInstance(vm, {
          region: this.config.region,
          metadata: metadataFromNames(vm.name, group),
          floatingIp: fipsByName.get(vm.name) ?? null,
          quota: quotaFromProfile(setup.profiles.get(vm.profile.name)),
        }),
      );
    }
    return instances;
  }

  async listResources(options: { instances: InstanceListing }): Promise<Resource[]> {
    const setup = await this.cloud.ready();
    return listLeakResources(setup, { providerName: this.config.name, bucket: this.config.objectStorage?.bucketName ?? null, instances: options.instances, floatingIps: this.floatingIps, log: this.log });
  }

  async deleteResource(resource: Resource): Promise<void> {
    await deleteLeakResource(await this.cloud.ready(), resource as IbmVpcResource, this.config.objectStorage?.bucketName ?? null, this.log);
  }

  /** The `quota` the provider states (the VPC API reports none), unlimited where it states none. */
  async getQuotaLimits(): Promise<QuotaInformation> {
    const { quota } = this.config;
    return new QuotaInformation({ cores: quota.cores, instances: quota.instances, ram: quota.ram }, Infinity);
  }

  /** The label's profile: its vCPUs, its memory and one instance. */
  async getQuotaForLabel(label: IbmVpcLabelConfig): Promise<QuotaInformation> {
    const setup = await this.cloud.ready();
    return quotaFromProfile(setup.profiles.get(label.profile));
  }

  async uploadImage(options: ImageUploadOptions): Promise<string> {
    const { objectStorage } = this.config;
    if (!objectStorage) throw new Error(`provider ${this.config.name} has no object-storage to upload images through`);
    const setup = await this.cloud.ready();
    if (!setup.cos) throw new Error(`the Cloud Object Storage instance ${objectStorage.instanceName} was not found, or the credentials have no API key`);
    const settings = this.config.diskimageSettings.get(options.providerImage.name);
    if (!settings) throw new Error(`provider ${this.config.name} has no diskimage ${options.providerImage.name}`);
    return uploadImage(
      {
        vpcApi: setup.vpcApi,
        cos: setup.cos,
        groups: setup.groups,
        bucket: objectStorage.bucketName,
        groupName: imageResourceGroupName(this.config.name),
        operatingSystem: settings.operatingSystem,
        log: this.log,
        ...(this.options.imageUpload ? { timings: this.options.imageUpload } : {}),
      },
      options,
    );
  }

  async deleteImage(externalId: string): Promise<void> {
    const setup = await this.cloud.ready();
    await deleteImage({ vpcApi: setup.vpcApi, cos: setup.cos, bucket: this.config.objectStorage?.bucketName ?? null, log: this.log }, externalId);
  }

  // ---- local implementation ---------------------------------------------------------------

  private async vpcApi(): Promise<VpcApi> {
    return (await this.cloud.ready()).vpcApi;
  }

  /** The image, resource group, VPC, subnet and keys a launch of `label` uses. */
  private async launchPlan(label: IbmVpcLabelConfig, imageExternalId: string | undefined): Promise<IbmVpcLaunchPlan> {
    const setup: IbmVpcSetup = await this.cloud.ready();
    const pool = this.config.pools.get(label.poolName)!;
    const cloudImage = label.cloudImage ? this.config.cloudImages.get(label.cloudImage) : undefined;
    let image: IbmVpcLaunchPlan['image'];
    if (imageExternalId) image = { id: imageExternalId };
    else if (cloudImage) image = await findImage(cloudImage, () => setup.images.get());
    else throw new Error(`label ${label.name} has no image to boot`);
    const group = await setup.groups.ensure(poolResourceGroupName(this.config.name, pool.name));
    const subnet = setup.subnets.get(pool.subnet);
    if (!subnet) throw new Error(`Subnet ${pool.subnet} of pool ${pool.name} does not exist`);
    const keyIds = (cloudImage?.keys ?? []).map((name) => {
      const key = setup.keys.get(name);
      if (!key) throw new Error(`SSH key ${name} of cloud image ${cloudImage!.name} does not exist`);
      return key.id;
    });
    return { image, resourceGroupId: group.id, vpcId: setup.vpc.id, subnetId: subnet.id, keyIds };
  }
}
