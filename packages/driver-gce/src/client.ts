import { ImagesClient, InstancesClient, MachineTypesClient, RegionsClient, ZoneOperationsClient, type protos } from '@google-cloud/compute';
import type { AdapterContext, Logger, RateLimiter } from '@nodepool/core';
import type { GceProviderConfig } from './config.js';
import { isThrottling, translateGceError } from './gce-errors.js';

export type GceInstanceData = protos.google.cloud.compute.v1.IInstance;
export type GceOperation = protos.google.cloud.compute.v1.IOperation;
export type GceMachineType = protos.google.cloud.compute.v1.IMachineType;
export type GceImage = protos.google.cloud.compute.v1.IImage;
export type GceRegion = protos.google.cloud.compute.v1.IRegion;

export interface GceClientOptions {
  /** Throttled answers in a row a call rides out, each after backing the limiter off; default 10. */
  readonly maxThrottleRetries?: number;
  /** Per request; default 60 s. */
  readonly requestTimeoutMs?: number;
}

/** Which of the kit's limiters a call goes through. */
export type CallKind = 'read' | 'write';

/**
 * A thin client of the Compute Engine API v1: `@google-cloud/compute`'s clients over its REST
 * transport, sharing one credentials object from Google's usual chain
 * (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud's application default credentials, the metadata
 * server). Every call goes through the kit's limiters; a throttled one (403/429
 * `rateLimitExceeded`) backs its limiter off, so every caller pauses, and is sent again. Errors
 * become core's here (`translateGceError`) and nowhere else.
 */
export class GceClient {
  readonly instances: InstancesClient;
  private readonly operations: ZoneOperationsClient;
  private readonly machineTypes: MachineTypesClient;
  private readonly images: ImagesClient;
  private readonly regions: RegionsClient;
  private readonly maxThrottleRetries: number;
  private readonly timeout: number;
  readonly project: string;
  readonly zone: string;
  readonly region: string;

  constructor(
    config: Pick<GceProviderConfig, 'project' | 'zone' | 'region' | 'endpointUrl'>,
    private readonly rateLimits: AdapterContext['rateLimits'],
    private readonly log: Logger,
    options: GceClientOptions = {},
  ) {
    this.project = config.project;
    this.zone = config.zone;
    this.region = config.region;
    this.maxThrottleRetries = options.maxThrottleRetries ?? 10;
    this.timeout = options.requestTimeoutMs ?? 60_000;
    const endpoint = config.endpointUrl === null ? {} : endpointOptions(config.endpointUrl);
    // REST transport (fallback), as the Compute API is served; one auth object for all.
    this.instances = new InstancesClient({ fallback: true, ...endpoint });
    const shared = { fallback: true, ...endpoint, auth: this.instances.auth } as const;
    this.operations = new ZoneOperationsClient(shared);
    this.machineTypes = new MachineTypesClient(shared);
    this.images = new ImagesClient(shared);
    this.regions = new RegionsClient(shared);
  }

  /**
   * Sends one request through the `kind` limiter. A throttled answer backs the limiter off and
   * the request is sent again, up to `maxThrottleRetries` times; other errors are translated.
   */
  async call<T>(kind: CallKind, name: string, send: () => Promise<T>): Promise<T> {
    const limiter: RateLimiter = kind === 'read' ? this.rateLimits.readOnly : this.rateLimits.mutating;
    for (let attempt = 0; ; attempt++) {
      try {
        return await limiter.run(send);
      } catch (error) {
        if (isThrottling(error) && attempt < this.maxThrottleRetries) {
          this.log.debug('GCE throttled a call; backing off', { call: name, attempt });
          limiter.backOff();
          continue;
        }
        throw translateGceError(name, error);
      }
    }
  }

  /** Closes the clients' connections. */
  async close(): Promise<void> {
    await Promise.all([this.instances, this.operations, this.machineTypes, this.images, this.regions].map((client) => client.close().catch(() => undefined)));
  }

  // ---- instances ------------------------------------------------------------------------------

  /** Every instance of the zone, all pages. */
  async listInstances(): Promise<GceInstanceData[]> {
    const [items] = await this.call('read', 'instances.list', () =>
      this.instances.list({ project: this.project, zone: this.zone, maxResults: 500 }, { autoPaginate: true, timeout: this.timeout }),
    );
    return items;
  }

  /** Starts creating an instance; the answer is the zone operation. */
  async insertInstance(body: GceInstanceData, requestId: string): Promise<GceOperation> {
    const [operation] = await this.call('write', 'instances.insert', () =>
      this.instances.insert({ project: this.project, zone: this.zone, instanceResource: body, requestId }, { timeout: this.timeout }),
    );
    return operation.latestResponse as GceOperation;
  }

  /** Starts deleting an instance; a 404 is a `NotFoundError`. */
  async deleteInstance(name: string): Promise<GceOperation> {
    const [operation] = await this.call('write', 'instances.delete', () => this.instances.delete({ project: this.project, zone: this.zone, instance: name }, { timeout: this.timeout }));
    return operation.latestResponse as GceOperation;
  }

  // ---- zone operations ------------------------------------------------------------------------

  async getOperation(name: string): Promise<GceOperation> {
    const [operation] = await this.call('read', 'zoneOperations.get', () => this.operations.get({ project: this.project, zone: this.zone, operation: name }, { timeout: this.timeout }));
    return operation;
  }

  // ---- machine types, images, regions ---------------------------------------------------------

  async getMachineType(name: string): Promise<GceMachineType> {
    const [machineType] = await this.call('read', 'machineTypes.get', () =>
      this.machineTypes.get({ project: this.project, zone: this.zone, machineType: name }, { timeout: this.timeout }),
    );
    return machineType;
  }

  /** The newest image of a family that is not deprecated. */
  async getImageFromFamily(project: string, family: string): Promise<GceImage> {
    const [image] = await this.call('read', 'images.getFromFamily', () => this.images.getFromFamily({ project, family }, { timeout: this.timeout }));
    return image;
  }

  async getRegion(): Promise<GceRegion> {
    const [region] = await this.call('read', 'regions.get', () => this.regions.get({ project: this.project, region: this.region }, { timeout: this.timeout }));
    return region;
  }
}

/** `apiEndpoint`, `port` and `protocol` of the clients for an endpoint URL. */
function endpointOptions(url: string): { apiEndpoint: string; port: number; protocol: string } {
  const parsed = new URL(url);
  const protocol = parsed.protocol.replace(':', '');
  const port = parsed.port === '' ? (protocol === 'https' ? 443 : 80) : Number(parsed.port);
  return { apiEndpoint: parsed.hostname.replace(/^\[|\]$/g, ''), port, protocol };
}
