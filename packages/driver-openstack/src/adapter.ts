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
  TtlCache,
} from '@nodepool/core';
import type { CinderVolume } from './client/cinder.js';
import { loadCloudConfig, type CloudConfig, type CloudConfigSources } from './client/cloud-config.js';
import type { NeutronFloatingIp } from './client/neutron.js';
import { EndpointNotFoundError } from './client/openstack-errors.js';
import { OpenStackClient, type OpenStackClientOptions } from './client/openstack-client.js';
import type { OpenStackLabelConfig, OpenStackProviderConfig } from './config.js';
import { OpenStackCreateStateMachine } from './create-state-machine.js';
import { floatingIpsOf, OpenStackDeleteStateMachine } from './delete-state-machine.js';
import { FlavorCatalog } from './flavor-catalog.js';
import { ImageCatalog } from './image-catalog.js';
import { uploadToGlance, type ImageUploadTimings } from './image-upload.js';
import { isServerView, toInstance, type OpenStackResource, type OpenStackServerView } from './instance.js';
import { serverCreateRequest } from './launch-request.js';
import { NetworkCatalog } from './network-catalog.js';
import { NetworkLeaks } from './network-leaks.js';
import { quotaFromFlavor, quotaFromLimits } from './quota.js';
import { serverAddresses } from './server-addresses.js';
import { serverMetadata } from './server-metadata.js';
import { SharedListing } from './shared-listing.js';

/** Knobs of the adapter that are not in nodepool.yaml or clouds.yaml (tests shorten them). */
export interface OpenStackAdapterOptions extends OpenStackClientOptions {
  /** Where clouds.yaml is looked for; default openstacksdk's places. */
  readonly cloudConfig?: CloudConfigSources;
  readonly imageUpload?: ImageUploadTimings;
  /** Floating IP listings (for deletions and cleanup) are at least this far apart. Default 1 s. */
  readonly floatingIpListingIntervalMs?: number;
  /** How long a volume listing serves the quota of servers with volumes. Default 60 s. */
  readonly volumeCacheMs?: number;
}

/**
 * The openstack driver's adapter: Nova servers with their floating IPs (Neutron) and boot
 * volumes (Cinder), and Glance images, through the driver's own REST client. Launch retries,
 * timeouts, key scans, quota caching and leak bookkeeping are the kit's; server listings are the
 * kit's shared listing, and floating IP listings are shared likewise.
 */
export class OpenStackAdapter implements Adapter<OpenStackLabelConfig> {
  readonly cloud: CloudConfig;
  readonly client: OpenStackClient;
  private readonly log: Logger;
  private readonly flavors: FlavorCatalog;
  private readonly images: ImageCatalog;
  private readonly networks: NetworkCatalog;
  private readonly floatingIps: SharedListing<NeutronFloatingIp>;
  private readonly volumes: TtlCache<CinderVolume[]>;
  private readonly networkLeaks: NetworkLeaks;
  /** Whether any pool gives its servers floating IPs. */
  private readonly autoFloatingIp: boolean;

  constructor(
    private readonly config: OpenStackProviderConfig,
    context: AdapterContext,
    private readonly options: OpenStackAdapterOptions = {},
  ) {
    this.log = context.log;
    this.cloud = loadCloudConfig(config.cloud, config.regionName, options.cloudConfig);
    if (this.cloud.cacert && !process.env.NODE_EXTRA_CA_CERTS) {
      this.log.warn('clouds.yaml names a cacert, which Node.js takes from NODE_EXTRA_CA_CERTS; start the launcher with NODE_EXTRA_CA_CERTS set to it', { cloud: this.cloud.name, cacert: this.cloud.cacert });
    }
    if (!this.cloud.verify) this.log.warn('clouds.yaml turns TLS verification off, which this driver does not do per cloud; it verifies', { cloud: this.cloud.name });
    this.client = new OpenStackClient(this.cloud, { rateLimits: context.rateLimits, log: context.log, stats: context.stats, provider: config.name }, options);
    this.flavors = new FlavorCatalog(this.client.nova);
    this.images = new ImageCatalog(this.client.glance, context.log);
    this.networks = new NetworkCatalog(this.client.neutron, config.name, context.log);
    this.floatingIps = new SharedListing(() => this.client.neutron.listFloatingIps(), options.floatingIpListingIntervalMs ?? 1_000);
    this.volumes = new TtlCache(() => this.listVolumes(), options.volumeCacheMs ?? 60_000);
    this.autoFloatingIp = [...config.pools.values()].some((pool) => pool.autoFloatingIp);
    this.networkLeaks = new NetworkLeaks(this.client.neutron, {
      providerName: config.name,
      portCleanupIntervalMs: config.portCleanupInterval * 1000,
      cleanFloatingIps: config.cleanFloatingIps === true,
      log: context.log,
      stats: context.stats,
    });
  }

  getCreateStateMachine(options: CreateStateMachineOptions<OpenStackLabelConfig>): StateMachine<Instance> {
    const { label, hostname, metadata, request, instances, log, az } = options;
    const pool = this.config.pools.get(label.poolName);
    if (!pool) throw new Error(`label ${label.name} names pool ${label.poolName}, which provider ${this.config.name} does not have`);
    const image = this.bootImage(label, options.imageExternalId);
    const serverMeta = serverMetadata({ providerName: this.config.name, imageName: image.name, label, request, nodepoolMetadata: metadata, log });
    const { nova, neutron, cinder } = this.client;
    return new OpenStackCreateStateMachine({
      nova,
      neutron,
      cinder,
      prepare: async () => {
        const [flavor, imageId, networkIds, autoNetworks] = await Promise.all([
          this.flavors.find(label),
          image.resolveId(),
          Promise.all(label.networks.map((network) => this.networks.idOf(network))),
          nova.takesAutoNetworks(),
        ]);
        return {
          request: serverCreateRequest({ hostname, label, pool, flavorId: flavor.id, imageId, configDrive: image.configDrive, networkIds, autoNetworks, az, metadata: serverMeta }),
          quota: quotaFromFlavor(flavor, label.bootFromVolume ? { volumeSize: label.volumeSize } : null),
        };
      },
      autoFloatingIp: pool.autoFloatingIp && this.cloud.floatingIpSource !== null && !this.cloud.private,
      floatingNetworkId: () => this.networks.floatingNetworkId(),
      volumeMetadata: metadata,
      onBadRequest: () => this.invalidateCaches(),
      hostname,
      instances,
      log,
    });
  }

  getDeleteStateMachine(externalId: string, options: { instances: InstanceListing; log: Logger }): StateMachine<void> {
    const { nova, neutron } = this.client;
    return new OpenStackDeleteStateMachine(externalId, { nova, neutron, floatingIps: this.cloud.floatingIpSource === null ? null : this.floatingIps, autoFloatingIp: this.autoFloatingIp, ...options });
  }

  /**
   * Every server of the project (one paged `GET /servers/detail`), with what it uses: its
   * flavor's cores and RAM (embedded in the server, else from the flavor list) and, for servers
   * with volumes, their count and size (from a volume listing kept a minute).
   */
  async listInstances(): Promise<Instance[]> {
    const servers = await this.client.nova.listServers();
    const roles = await this.networks.roles();
    const sizes = servers.some((server) => (server['os-extended-volumes:volumes_attached'] ?? []).length > 0) ? await this.volumeSizes() : new Map<string, number>();
    const instances: Instance[] = [];
    for (const server of servers) {
      const flavor = server.flavor?.vcpus !== undefined ? { vcpus: server.flavor.vcpus, ram: server.flavor.ram ?? 0 } : await this.flavors.byId(server.flavor?.id ?? '').catch(() => undefined);
      const volumeSizes = (server['os-extended-volumes:volumes_attached'] ?? []).map((volume) => sizes.get(volume.id)).filter((size): size is number => size !== undefined);
      const quota = flavor ? quotaFromFlavor(flavor, null, volumeSizes) : new QuotaInformation({ instances: 1 });
      const addresses = serverAddresses(server, roles, { private: this.cloud.private, forceIpv4: this.cloud.forceIpv4 });
      instances.push(toInstance(server, { cloud: this.cloud.name, region: this.cloud.regionName, addresses, quota }));
    }
    return instances;
  }

  /**
   * Nodepool's resources for leak cleanup: servers (from the kit's shared listing), volumes and
   * Glance images carrying Nodepool's metadata. DOWN ports and unattached floating IPs carry
   * none; they are cleaned here by their state, as the original does.
   */
  async listResources(options: { instances: InstanceListing }): Promise<Resource[]> {
    // A kind that cannot be listed now is left for the next pass (its leaks wait a little longer).
    const unlisted = (kind: string) => (error: unknown) => {
      this.log.warn(`could not list ${kind} for leak cleanup`, { error: String(error) });
      return [];
    };
    const [servers, volumes, images] = await Promise.all([options.instances.all(), this.volumes.refresh().catch(unlisted('volumes')), this.listOwnImages().catch(unlisted('images'))]);
    await this.networkLeaks.cleanPorts().catch((error: unknown) => this.log.warn('port cleanup failed', { error: String(error) }));
    if (this.config.cleanFloatingIps) {
      await this.floatingIps
        .fresh()
        .then((fips) => this.networkLeaks.cleanFloatingIps(fips))
        .catch((error: unknown) => this.log.warn('floating IP cleanup failed', { error: String(error) }));
    }
    const ours = (resource: OpenStackResource) => resource.metadata.nodepool_provider_name !== undefined;
    return [
      ...servers.filter(isServerView).filter((server) => !server.deleted).map((server): OpenStackResource => ({ type: 'instance', id: server.externalId, metadata: server.metadata, server })),
      // An attached volume goes with its server; only a detached one can be a leak of its own.
      ...volumes
        .filter((volume) => (volume.status === 'available' || volume.status === 'error') && (volume.attachments ?? []).length === 0)
        .map((volume): OpenStackResource => ({ type: 'volume', id: volume.id, metadata: volume.metadata ?? {} })),
      ...images.map((image): OpenStackResource => ({ type: 'image', id: image.id, metadata: image.metadata })),
    ].filter(ours);
  }

  async deleteResource(resource: Resource): Promise<void> {
    const { type, id } = resource as OpenStackResource;
    this.log.info(`Deleting leaked ${type}: ${id}`);
    switch (type) {
      case 'instance': {
        const server = (resource as OpenStackResource & { server?: OpenStackServerView }).server;
        if (server && this.cloud.floatingIpSource !== null) {
          for (const fip of floatingIpsOf(server, await this.floatingIps.fresh())) await this.client.neutron.deleteFloatingIp(fip.id).catch(ignoreNotFound);
        }
        return this.client.nova.deleteServer(id);
      }
      case 'volume':
        return this.client.cinder.deleteVolume(id);
      case 'image':
        return this.client.glance.deleteImage(id);
    }
  }

  /** Nova's instance, core and RAM limits, and Cinder's volume and GiB limits when the cloud has Cinder. */
  async getQuotaLimits(): Promise<QuotaInformation> {
    const [compute, volume] = await Promise.all([
      this.client.nova.limits(),
      this.client.cinder.limits().catch((error: unknown) => {
        if (error instanceof EndpointNotFoundError) return null;
        throw error;
      }),
    ]);
    return quotaFromLimits(compute, volume);
  }

  /** One instance, the flavor's cores and RAM, and the boot volume. Also looks the label's cloud image up, so that `labelReady` knows. */
  async getQuotaForLabel(label: OpenStackLabelConfig): Promise<QuotaInformation> {
    const cloudImage = label.cloudImage ? this.config.cloudImages.get(label.cloudImage) : undefined;
    if (cloudImage && !cloudImage.imageId) await this.images.find(cloudImage.externalName).catch((error: unknown) => this.log.warn('could not look up a cloud image', { image: cloudImage.externalName, error: String(error) }));
    const flavor = await this.flavors.find(label);
    return quotaFromFlavor(flavor, label.bootFromVolume ? { volumeSize: label.volumeSize } : null);
  }

  /** Nova's available zones; none (one unnamed zone) if Nova lists none, as the original. */
  async getAZs(): Promise<(string | undefined)[]> {
    const zones = await this.client.nova.availabilityZones().catch((error: unknown) => {
      this.log.warn('could not list availability zones', { error: String(error) });
      return [];
    });
    return zones.length > 0 ? zones : [undefined];
  }

  /** A cloud image given by ID is taken on trust; one given by name must exist (looked up again every five minutes while missing). */
  labelReady(label: OpenStackLabelConfig): boolean {
    if (!label.cloudImage) return true;
    const cloudImage = this.config.cloudImages.get(label.cloudImage);
    if (!cloudImage) return false;
    if (cloudImage.imageId) return true;
    const ready = this.images.exists(cloudImage.externalName);
    if (!ready) this.log.warn(`Provider ${this.config.name} is configured to use ${cloudImage.externalName} as the cloud-image for label ${label.name} and that cloud-image could not be found in the cloud.`);
    return ready;
  }

  async uploadImage(options: ImageUploadOptions): Promise<string> {
    return uploadToGlance(this.client.glance, { ...options, imageFormat: options.imageFormat || this.cloud.imageFormat }, this.log, this.options.imageUpload);
  }

  async deleteImage(externalId: string): Promise<void> {
    this.log.debug(`Deleting image ${externalId}`);
    await this.client.glance.deleteImage(externalId);
  }

  /** The project's own Glance images, for `nodepool alien-image-list`. */
  async listImages(): Promise<{ id: string; name: string; metadata: Readonly<Record<string, string>> }[]> {
    return this.listOwnImages();
  }

  async getConsoleLog(_label: OpenStackLabelConfig, externalId: string): Promise<string> {
    return this.client.nova.consoleOutput(externalId);
  }

  /** With `console-log: true`, the console of a server that failed its SSH check is logged, line by line. */
  async notifyNodescanFailure(label: OpenStackLabelConfig, externalId: string): Promise<void> {
    if (!label.consoleLog || !externalId) return;
    let output: string;
    try {
      output = await this.client.nova.consoleOutput(externalId);
    } catch (error) {
      this.log.warn('could not read the console log of a server that failed its SSH check', { serverId: externalId, error: String(error) });
      return;
    }
    this.log.info(`Console log from server ${externalId}:`, { serverId: externalId, label: label.name });
    for (const line of output.split('\n')) this.log.info(line.trimEnd(), { serverId: externalId });
  }

  // ---- local implementation -----------------------------------------------------------------

  /** What a label boots: its diskimage's upload (with the diskimage's settings) or its cloud image. */
  private bootImage(label: OpenStackLabelConfig, externalId: string | undefined): { name: string; configDrive: boolean | null; resolveId: () => Promise<string> } {
    if (label.diskimage) {
      const settings = this.config.diskimageSettings.get(label.diskimage);
      if (!externalId) throw new Error(`no upload of diskimage ${label.diskimage} to boot label ${label.name} from`);
      return { name: label.diskimage, configDrive: settings?.configDrive ?? null, resolveId: () => Promise.resolve(externalId) };
    }
    const cloudImage = this.config.cloudImages.get(label.cloudImage ?? '');
    if (!cloudImage) throw new Error(`label ${label.name} names cloud image ${label.cloudImage ?? ''}, which provider ${this.config.name} does not define`);
    return {
      name: cloudImage.name,
      configDrive: cloudImage.configDrive,
      // An ID is used as it is, without a lookup, as in the original.
      resolveId: async () => {
        if (cloudImage.imageId) return cloudImage.imageId;
        const image = await this.images.find(cloudImage.externalName);
        if (!image) throw new Error(`Unable to find image ${cloudImage.externalName} for label ${label.name} in provider ${this.config.name}`);
        return image.id;
      },
    };
  }

  private invalidateCaches(): void {
    this.flavors.invalidate();
    this.images.invalidate();
    this.networks.invalidate();
  }

  /** Volumes of the project; none when the cloud has no Cinder. */
  private async listVolumes(): Promise<CinderVolume[]> {
    try {
      return await this.client.cinder.listVolumes();
    } catch (error) {
      if (error instanceof EndpointNotFoundError) return [];
      throw error;
    }
  }

  private async volumeSizes(): Promise<Map<string, number>> {
    try {
      return new Map((await this.volumes.get()).map((volume) => [volume.id, volume.size]));
    } catch (error) {
      this.log.warn('could not list volumes; servers count without them', { error: String(error) });
      return new Map();
    }
  }

  /** The project's images with their string properties as metadata. */
  private async listOwnImages(): Promise<{ id: string; name: string; metadata: Record<string, string> }[]> {
    const projectId = await this.client.session.projectId();
    const images = await this.client.glance.listImages(projectId ? { owner: projectId } : {});
    return images
      .filter((image) => image.status !== 'deleted' && image.status !== 'pending_delete')
      .map((image) => ({
        id: image.id,
        name: image.name ?? '',
        metadata: Object.fromEntries(Object.entries(image).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
      }));
  }
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof NotFoundError)) throw error;
}
