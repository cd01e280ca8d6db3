import { TtlCache, type AdapterContext, type Logger } from '@nodepool/core';
import { Cos } from './client/cos.js';
import { loadIbmCloudCredentials, type IbmCloudCredentials } from './client/credentials.js';
import { IbmService } from './client/ibm-service.js';
import { ResourceApi } from './client/resource-api.js';
import { VpcApi } from './client/vpc-api.js';
import { VPC_API_VERSION, type Image, type InstanceProfile, type Key, type ResourceInstance, type Subnet, type Vpc } from './client/vpc-models.js';
import type { IbmVpcProviderConfig } from './config.js';
import { ResourceGroups } from './resource-groups.js';
import { poolResourceGroupName } from './resource-names.js';

/** IBM Cloud's own endpoints, used unless the credentials name others. */
export const IBM_CLOUD_ENDPOINTS = {
  resourceController: 'https://resource-controller.cloud.ibm.com',
  iam: 'https://iam.cloud.ibm.com',
  vpc: (region: string) => `https://${region}.iaas.cloud.ibm.com/v1`,
} as const;

/** Knobs that are not in nodepool.yaml (tests shorten them). */
export interface IbmVpcCloudOptions {
  /** Per request; default 60 s. */
  readonly timeoutMs?: number;
  /** How long an image listing (for `image-name` and `image-filter`) is kept. Default 10 s, as the original. */
  readonly imageListTtlMs?: number;
}

/** Everything read once when the provider first talks to the cloud. */
export interface IbmVpcSetup {
  readonly vpcApi: VpcApi;
  readonly resourceApi: ResourceApi;
  readonly credentials: IbmCloudCredentials;
  /** Cloud Object Storage, when the provider has `object-storage` (and the instance was found). */
  readonly cos: Cos | null;
  readonly vpc: Vpc;
  readonly groups: ResourceGroups;
  readonly profiles: ReadonlyMap<string, InstanceProfile>;
  readonly subnets: ReadonlyMap<string, Subnet>;
  readonly keys: ReadonlyMap<string, Key>;
  readonly storageInstance: ResourceInstance | null;
  /** The region's images, kept `imageListTtlMs`. */
  readonly images: TtlCache<Image[]>;
}

/**
 * The provider's way into IBM Cloud, set up on first use as the original's adapter sets itself
 * up: credentials, the VPC by name, the Cloud Object Storage instance (with `object-storage`),
 * the resource groups (a pool's created when missing), instance profiles, subnets (each pool's
 * must be in its zone) and SSH keys. A failed setup is tried again at the next use.
 */
export class IbmVpcCloud {
  private setup: Promise<IbmVpcSetup> | undefined;
  private readonly log: Logger;

  constructor(
    private readonly config: IbmVpcProviderConfig,
    private readonly context: AdapterContext,
    private readonly options: IbmVpcCloudOptions = {},
  ) {
    this.log = context.log;
  }

  ready(): Promise<IbmVpcSetup> {
    this.setup ??= this.connect().catch((error: unknown) => {
      this.setup = undefined;
      throw error;
    });
    return this.setup;
  }

  /** The setup if it is done, without waiting. */
  async peek(): Promise<IbmVpcSetup | undefined> {
    return this.setup ? this.setup.catch(() => undefined) : undefined;
  }

  private async connect(): Promise<IbmVpcSetup> {
    const { config, context } = this;
    const credentials = loadIbmCloudCredentials(config.credentialsFile);
    const common = { authenticator: () => credentials.authenticator(), rateLimits: context.rateLimits, log: context.log, stats: context.stats, provider: config.name, timeoutMs: this.options.timeoutMs };
    const vpcApi = new VpcApi(new IbmService({ ...common, serviceUrl: credentials.vpcUrl ?? IBM_CLOUD_ENDPOINTS.vpc(config.region), defaultQuery: { version: VPC_API_VERSION, generation: 2 } }));
    const resourceApi = new ResourceApi(
      new IbmService({ ...common, serviceUrl: credentials.resourceManagerUrl ?? IBM_CLOUD_ENDPOINTS.resourceController }),
      new IbmService({ ...common, serviceUrl: credentials.resourceControllerUrl ?? IBM_CLOUD_ENDPOINTS.resourceController }),
    );

    const vpc = (await vpcApi.listVpcs()).find((candidate) => candidate.name === config.vpc);
    if (!vpc) throw new Error(`Unable to find vpc ${config.vpc}`);

    let storageInstance: ResourceInstance | null = null;
    let cos: Cos | null = null;
    if (config.objectStorage) {
      const instances = await resourceApi.listResourceInstances(config.objectStorage.instanceName);
      // The CRN's fifth field is the service name.
      storageInstance = instances.find((instance) => instance.crn.split(':')[4] === 'cloud-object-storage') ?? null;
      if (storageInstance && credentials.apiKey !== null) {
        cos = new Cos({
          endpoint: config.objectStorage.endpoint,
          apiKey: credentials.apiKey,
          serviceInstanceId: storageInstance.crn,
          authEndpoint: `${(credentials.authUrl ?? IBM_CLOUD_ENDPOINTS.iam).replace(/\/+$/, '').replace(/\/identity\/token$/, '')}/identity/token`,
          rateLimits: context.rateLimits,
        });
      } else if (!storageInstance) {
        this.log.warn('the Cloud Object Storage instance of object-storage was not found', { instanceName: config.objectStorage.instanceName });
      }
    }

    const groups = new ResourceGroups(resourceApi, this.log);
    await groups.refresh();
    for (const pool of config.pools.values()) await groups.ensure(poolResourceGroupName(config.name, pool.name));

    const profiles = new Map((await vpcApi.listInstanceProfiles()).map((profile) => [profile.name, profile]));
    const subnets = new Map((await vpcApi.listSubnets()).map((subnet) => [subnet.name, subnet]));
    for (const pool of config.pools.values()) {
      const subnet = subnets.get(pool.subnet);
      if (!subnet) throw new Error(`Subnet ${pool.subnet} of pool ${pool.name} does not exist`);
      if (subnet.zone.name !== pool.zone) throw new Error(`Subnet ${pool.subnet} zone ${subnet.zone.name} does not match pool zone ${pool.zone}`);
    }
    const keys = new Map((await vpcApi.listKeys()).map((key) => [key.name, key]));
    const images = new TtlCache(() => vpcApi.listImages(), this.options.imageListTtlMs ?? 10_000);
    this.log.info('connected to IBM Cloud VPC', { vpc: vpc.name, region: config.region, profiles: profiles.size, subnets: subnets.size });
    return { vpcApi, resourceApi, credentials, cos, vpc, groups, profiles, subnets, keys, storageInstance, images };
  }
}
