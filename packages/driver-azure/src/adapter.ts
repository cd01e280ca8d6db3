import {
  NotFoundError,
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
import type { ImageReference } from '@azure/arm-compute';
import { readAuthFile } from './auth.js';
import { AzureClient, type AzureClientOptions, type Image } from './client.js';
import type { AzureCloudImageConfig, AzureLabelConfig, AzureProviderConfig } from './config.js';
import { AzureCreateStateMachine } from './create-state-machine.js';
import { AzureDeleteStateMachine } from './delete-state-machine.js';
import { uploadImage } from './image-upload.js';
import { tagRecord, toInstance, type AzureResource } from './instance.js';
import { SkuCatalog } from './skus.js';
import { nodeTags, type BootImage } from './vm-request.js';

/** Knobs of the adapter that are not in nodepool.yaml (tests shorten them). */
export type AzureAdapterOptions = AzureClientOptions;

/** 9.0.0's cache of the resource group's image listing, for `image-filter`. */
const IMAGE_LISTING_TTL_MS = 10_000;

/**
 * The azure driver's adapter: VMs with their NICs and public IPs in the provider's resource
 * group, through the Azure SDK for JavaScript. Launch retries, timeouts, key scans, quota caching
 * and leak bookkeeping are the kit's; VM state comes from the kit's shared listing.
 */
export class AzureAdapter implements Adapter<AzureLabelConfig> {
  readonly client: AzureClient;
  private readonly log: Logger;
  private readonly skus: SkuCatalog;
  private readonly resourceGroup: string;
  private prepared: Promise<{ subnetId: string }> | undefined;
  private readonly diskimageIds = new Map<string, Promise<string>>();
  private imageListing: { at: number; images: Promise<Image[]> } | undefined;

  constructor(
    private readonly config: AzureProviderConfig,
    context: AdapterContext,
    options: AzureAdapterOptions = {},
  ) {
    this.log = context.log;
    this.resourceGroup = config.resourceGroup;
    this.client = new AzureClient(readAuthFile(config.authPath), context.rateLimits, context.log, options);
    this.skus = new SkuCatalog(this.client, config.location);
  }

  getCreateStateMachine(options: CreateStateMachineOptions<AzureLabelConfig>): StateMachine<Instance> {
    const { label, hostname, metadata, request, instances, log } = options;
    const pool = this.config.pools.get(label.poolName);
    if (!pool) throw new Error(`label ${label.name} names pool ${label.poolName}, which provider ${this.config.name} does not have`);
    const image = this.bootImage(label, options.imageExternalId);
    return new AzureCreateStateMachine({
      client: this.client,
      resourceGroup: this.resourceGroup,
      location: this.config.location,
      hostname,
      label,
      pool,
      image,
      prepare: async () => {
        const [{ subnetId }, imageReference] = await Promise.all([this.prepare(), this.imageReference(label, options.imageExternalId)]);
        return { subnetId, imageReference };
      },
      tags: nodeTags(label, request, metadata, log),
      quota: () => this.skus.quota(label.hardwareProfile.vmSize),
      instances,
      log,
    });
  }

  getDeleteStateMachine(externalId: string, options: { instances: InstanceListing; log: Logger }): StateMachine<void> {
    return new AzureDeleteStateMachine(externalId, { client: this.client, resourceGroup: this.resourceGroup, ...options });
  }

  /** The resource group's VMs: one listing (all pages); what each uses comes from the SKUs read once. */
  async listInstances(): Promise<Instance[]> {
    const [vms] = await Promise.all([this.client.listVirtualMachines(this.resourceGroup), this.skus.load().catch(() => undefined)]);
    return vms.map((vm) => toInstance(vm, this.skus.peek(vm.hardwareProfile?.vmSize ?? '')));
  }

  /**
   * As 9.0.0: the VMs (from the kit's listing), NICs, public IPs, disks and images of the
   * resource group, with their tags.
   */
  async listResources(options: { instances: InstanceListing }): Promise<Resource[]> {
    const group = this.resourceGroup;
    const [vms, nics, pips, disks, images] = await Promise.all([
      options.instances.all(),
      this.client.listNetworkInterfaces(group),
      this.client.listPublicIpAddresses(group),
      this.client.listDisks(group),
      this.client.listImages(group),
    ]);
    const resources: AzureResource[] = vms.map((vm) => ({ type: 'instance', id: vm.externalId, metadata: vm.metadata }));
    const add = (type: AzureResource['type'], items: { name?: string; tags?: Record<string, string> }[]) => {
      for (const item of items) if (item.name) resources.push({ type, id: item.name, metadata: tagRecord(item.tags) });
    };
    add('nic', nics);
    add('pip', pips);
    add('disk', disks);
    add('image', images);
    return resources;
  }

  /** Starts deleting a leaked resource (as 9.0.0, its end is not waited for: the next pass sees it). */
  async deleteResource(resource: Resource): Promise<void> {
    const { type, id } = resource as AzureResource;
    this.log.info('deleting leaked Azure resource', { type, name: id });
    const group = this.resourceGroup;
    try {
      if (type === 'instance') await this.client.deleteVirtualMachine(group, id);
      else if (type === 'nic') await this.client.deleteNetworkInterface(group, id);
      else if (type === 'pip') await this.client.deletePublicIpAddress(group, id);
      else if (type === 'disk') await this.client.deleteDisk(group, id);
      else await this.client.deleteImage(group, id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  /** The location's `cores` and `virtualMachines` limits from compute usages; anything else unlimited. */
  async getQuotaLimits(): Promise<QuotaInformation> {
    const limits: Record<string, number> = {};
    for (const usage of await this.client.listUsages(this.config.location)) {
      if (usage.name?.value === 'cores') limits.cores = Number(usage.limit);
      else if (usage.name?.value === 'virtualMachines') limits.instances = Number(usage.limit);
    }
    return new QuotaInformation(limits, Infinity);
  }

  /** The label's VM size: its vCPUs, memory and one instance (one instance when Azure does not list the size). */
  getQuotaForLabel(label: AzureLabelConfig): Promise<QuotaInformation> {
    return this.skus.quota(label.hardwareProfile.vmSize);
  }

  async uploadImage(options: ImageUploadOptions): Promise<string> {
    await this.prepareGroup();
    return uploadImage({ ...options, client: this.client, resourceGroup: this.resourceGroup, location: this.config.location, log: this.log });
  }

  async deleteImage(externalId: string): Promise<void> {
    await (await this.client.deleteImage(this.resourceGroup, externalId)).wait();
    this.log.info('deleted image', { image: externalId });
  }

  /** The resource group's images, for `nodepool alien-image-list`. */
  async listImages(): Promise<{ id: string; name: string; metadata: Readonly<Record<string, string>> }[]> {
    return (await this.client.listImages(this.resourceGroup)).map((image) => ({ id: image.name ?? '', name: image.name ?? '', metadata: tagRecord(image.tags) }));
  }

  // ---- local implementation -------------------------------------------------------------------------

  /** The image a label's VMs boot and the settings that go with it: its diskimage's, else its cloud image's. */
  private bootImage(label: AzureLabelConfig, imageExternalId: string | undefined): BootImage {
    const diskimage = label.diskimage ? this.config.providerDiskimages.get(label.diskimage) : undefined;
    if (diskimage && imageExternalId) return diskimage;
    const cloudImage = label.cloudImage ? this.config.cloudImages.get(label.cloudImage) : undefined;
    if (cloudImage) return cloudImage;
    if (diskimage) return diskimage;
    throw new Error(`label ${label.name} of provider ${this.config.name} has neither a cloud image nor a diskimage`);
  }

  /**
   * What the provider needs before its first VM, once: its resource group (created in
   * `resource-group-location` when missing) and its subnet (`subnet-id`, or looked up from
   * `network`), as 9.0.0 looks it up when it starts.
   */
  private prepare(): Promise<{ subnetId: string }> {
    this.prepared ??= (async () => {
      await this.prepareGroup();
      if (this.config.subnetId) return { subnetId: this.config.subnetId };
      const network = this.config.network;
      if (!network?.network) throw new Error(`provider ${this.config.name} has neither subnet-id nor network`);
      const subnet = await this.client.getSubnet(network.resourceGroup, network.network, network.subnet);
      if (!subnet.id) throw new Error(`Azure answered subnet ${network.subnet} of ${network.network} without an ID`);
      return { subnetId: subnet.id };
    })();
    this.prepared.catch(() => (this.prepared = undefined));
    return this.prepared;
  }

  private groupReady: Promise<void> | undefined;

  private prepareGroup(): Promise<void> {
    this.groupReady ??= this.client.ensureResourceGroup(this.resourceGroup, this.config.resourceGroupLocation);
    this.groupReady.catch(() => (this.groupReady = undefined));
    return this.groupReady;
  }

  /** The image reference of a launch, as 9.0.0 resolves it. */
  private async imageReference(label: AzureLabelConfig, imageExternalId: string | undefined): Promise<ImageReference> {
    if (label.diskimage && imageExternalId) {
      // The upload's image by name, looked up once.
      let id = this.diskimageIds.get(imageExternalId);
      if (!id) {
        id = this.client.getImage(this.resourceGroup, imageExternalId).then((image) => image.id ?? '');
        id.catch(() => this.diskimageIds.delete(imageExternalId));
        this.diskimageIds.set(imageExternalId, id);
      }
      return { id: await id };
    }
    const image = label.cloudImage ? this.config.cloudImages.get(label.cloudImage) : undefined;
    if (!image) throw new Error(`label ${label.name} has no image to boot`);
    if (image.imageFilter) return { id: await this.imageFromFilter(image) };
    if (image.imageReference) return { ...image.imageReference };
    if (image.imageId) return { id: image.imageId };
    const gallery = image.sharedGalleryImage ?? image.communityGalleryImage;
    if (gallery) {
      const id = `/Images/${gallery.name}/Versions/${gallery.version ?? 'latest'}`;
      return image.sharedGalleryImage ? { sharedGalleryImageId: `/SharedGalleries/${gallery.galleryName}${id}` } : { communityGalleryImageId: `/CommunityGalleries/${gallery.galleryName}${id}` };
    }
    throw new Error(`cloud image ${image.name} names no image`);
  }

  /**
   * `image-filter`: the resource group's provisioned images matching every given item (name,
   * location, tags), the last by name, as 9.0.0 picks it.
   */
  private async imageFromFilter(image: AzureCloudImageConfig): Promise<string> {
    const filter = image.imageFilter!;
    if (!this.imageListing || Date.now() - this.imageListing.at > IMAGE_LISTING_TTL_MS) {
      const images = this.client.listImages(this.resourceGroup);
      this.imageListing = { at: Date.now(), images };
      images.catch(() => (this.imageListing = undefined));
    }
    const matching = (await this.imageListing.images)
      .filter((each) => each.provisioningState === 'Succeeded')
      .filter((each) => filter.name === undefined || each.name === filter.name)
      .filter((each) => filter.location === undefined || each.location === filter.location)
      .filter((each) => Object.entries(filter.tags ?? {}).every(([key, value]) => each.tags?.[key] === value))
      .sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0));
    const found = matching[matching.length - 1];
    if (!found?.id) throw new Error(`no image of resource group ${this.resourceGroup} matches the image-filter of cloud image ${image.name}: ${JSON.stringify(filter)}`);
    return found.id;
  }
}
