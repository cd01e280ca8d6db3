import { stat } from 'node:fs/promises';
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
import { SimClient, type SimClientOptions } from './client.js';
import type { SimLabelConfig, SimProviderConfig } from './config.js';
import { isSimInstanceView, toInstance, toResource, type SimInstanceView } from './instance.js';
import { SimCreateStateMachine, SimDeleteStateMachine } from './state-machines.js';

/** Cloud objects carrying this tag are Nodepool's (the tag keys are Nodepool's own). */
const PROVIDER_TAG = 'nodepool_provider_name';

/**
 * The sim driver's adapter: talks to a simulated cloud (`nodepool-sim-cloud`) and nothing
 * else. Launch retries, timeouts, key scans, quota caching and leak bookkeeping are the kit's.
 */
export class SimAdapter implements Adapter<SimLabelConfig> {
  private readonly client: SimClient;
  private readonly log: Logger;

  constructor(
    private readonly config: SimProviderConfig,
    context: AdapterContext,
    options: SimClientOptions = {},
  ) {
    this.log = context.log;
    this.client = new SimClient(config.endpoint, context.rateLimits, context.log, options);
  }

  getCreateStateMachine(options: CreateStateMachineOptions<SimLabelConfig>): StateMachine<Instance> {
    const { label, hostname, metadata, az, instances, log } = options;
    return new SimCreateStateMachine({
      client: this.client,
      resolveImage: () => this.resolveImage(label, options.imageExternalId),
      hostname,
      flavor: label.flavor,
      az,
      metadata,
      instances,
      log,
    });
  }

  getDeleteStateMachine(externalId: string, options: { instances: InstanceListing; log: Logger }): StateMachine<void> {
    return new SimDeleteStateMachine(externalId, { client: this.client, ...options });
  }

  async listInstances(): Promise<Instance[]> {
    return (await this.client.listInstances()).map(toInstance);
  }

  /** Instances (not already being deleted) and images tagged with a Nodepool provider name. */
  async listResources({ instances }: { instances: InstanceListing }): Promise<Resource[]> {
    const [listed, images] = await Promise.all([instances.all(), this.client.listImages()]);
    return [
      ...listed
        .filter((instance): instance is SimInstanceView => isSimInstanceView(instance) && instance.status !== 'deleting' && PROVIDER_TAG in instance.metadata)
        .map((instance) => toResource('instance', { id: instance.externalId, name: instance.name, metadata: instance.metadata })),
      ...images.filter((image) => PROVIDER_TAG in image.metadata).map((image) => toResource('image', image)),
    ];
  }

  async deleteResource(resource: Resource): Promise<void> {
    const { id, type } = resource;
    if (typeof id !== 'string') throw new TypeError(`not a sim resource (no id): ${JSON.stringify(resource)}`);
    try {
      if (type === 'instance') await this.client.deleteInstance(id);
      else if (type === 'image') await this.client.deleteImage(id);
      else throw new TypeError(`sim resources are instances and images, not ${type}`);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  async getQuotaLimits(): Promise<QuotaInformation> {
    const { limits } = await this.client.getQuota();
    // Unlimited (null) and any resource the cloud does not count are Infinity.
    return new QuotaInformation({ cores: limits.cores ?? Infinity, instances: limits.instances ?? Infinity, ram: limits.ram ?? Infinity }, Infinity);
  }

  async getQuotaForLabel(label: SimLabelConfig): Promise<QuotaInformation> {
    const flavor = (await this.client.flavors.get()).get(label.flavor) ?? (await this.client.flavors.refresh()).get(label.flavor);
    if (!flavor) {
      const known = [...(this.client.flavors.peek()?.keys() ?? [])].join(', ');
      throw new Error(`flavor ${label.flavor} of label ${label.name} is not offered by the sim cloud at ${this.config.endpoint} (it has: ${known})`);
    }
    return new QuotaInformation({ cores: flavor.cores, instances: 1, ram: flavor.ram });
  }

  async getAZs(): Promise<(string | undefined)[]> {
    return [...(await this.client.zones.get())];
  }

  /**
   * Whether the label's cloud image exists, from the image list fetched at most every ten
   * seconds in the background. Diskimage labels are core's to judge (a ready upload exists).
   */
  labelReady(label: SimLabelConfig): boolean {
    if (label.cloudImage === undefined) return true;
    const image = this.config.cloudImages.get(label.cloudImage);
    if (!image) return false;
    if (this.client.images.isStale()) {
      this.client.images.refresh().catch((error: unknown) => this.log.warn('listing sim cloud images failed', { error: String(error) }));
    }
    const images = this.client.images.peek();
    // Unknown until the first listing: a launch finds out, where declining would fail the request.
    if (images === undefined) return true;
    return images.some((candidate) => (image.imageId === null ? candidate.name === image.name : candidate.id === image.imageId));
  }

  /**
   * Uploads a built image as Glance takes one: an image record created `queued` with the
   * metadata and the build's checksums, then its file streamed; the cloud checks the bytes
   * against the checksums. A failed file upload deletes the record again.
   */
  async uploadImage(options: {
    imageName: string;
    filename: string;
    imageFormat: string;
    metadata: Readonly<Record<string, string>>;
    md5?: string;
    sha256?: string;
  }): Promise<string> {
    await stat(options.filename);
    const image = await this.client.createImage({
      name: options.imageName,
      format: options.imageFormat,
      metadata: options.metadata,
      md5: options.md5 ?? null,
      sha256: options.sha256 ?? null,
      upload: true,
    });
    try {
      await this.client.uploadImageFile(image.id, options.filename);
    } catch (error) {
      await this.client.deleteImage(image.id).catch((deleteError: unknown) =>
        this.log.warn('could not delete an image whose upload failed; leak cleanup will', { image: image.id, error: String(deleteError) }),
      );
      throw error;
    }
    return image.id;
  }

  async deleteImage(externalId: string): Promise<void> {
    await this.client.deleteImage(externalId);
  }

  async listImages(): Promise<{ id: string; name: string; metadata: Readonly<Record<string, string>> }[]> {
    return (await this.client.listImages()).map(({ id, name, metadata }) => ({ id, name, metadata }));
  }

  // ---- local implementation -----------------------------------------------------------------

  /** The image to boot: an upload's ID from the kit, a cloud image's `image-id`, or found by name. */
  private async resolveImage(label: SimLabelConfig, imageExternalId: string | undefined): Promise<string | null> {
    if (imageExternalId !== undefined) return imageExternalId;
    if (label.cloudImage === undefined) {
      throw new Error(`label ${label.name} boots diskimage ${label.diskimage ?? '(none)'}, but no upload of it was given`);
    }
    const image = this.config.cloudImages.get(label.cloudImage);
    if (!image) throw new Error(`cloud-image ${label.cloudImage} of label ${label.name} is not defined in provider ${this.config.name}`);
    if (image.imageId !== null) return image.imageId;
    const byName = (images: readonly { id: string; name: string }[]): string | undefined => images.findLast((candidate) => candidate.name === image.name)?.id;
    const id = byName(await this.client.images.get()) ?? byName(await this.client.images.refresh());
    if (id === undefined) throw new Error(`the sim cloud at ${this.config.endpoint} has no image named ${image.name} (cloud-image of label ${label.name})`);
    return id;
  }
}
