import { ComputeManagementClient, type AccessUri, type Disk, type Image, type ResourceSku, type Usage, type VirtualMachine } from '@azure/arm-compute';
import { NetworkManagementClient, type NetworkInterface, type PublicIPAddress, type Subnet } from '@azure/arm-network';
import { ResourceManagementClient } from '@azure/arm-resources';
import { NotFoundError, type AdapterContext, type Logger, type RateLimiter } from '@nodepool/core';
import type { AzureAuth } from './auth.js';
import { readAzureError, throttleDelayMs, translateAzureError } from './azure-errors.js';

export type { Disk, Image, NetworkInterface, PublicIPAddress, ResourceSku, Subnet, Usage, VirtualMachine };

export interface AzureClientOptions {
  /** Throttled answers in a row a call rides out, each after backing the limiter off; default 10. */
  readonly maxThrottleRetries?: number;
  /** How often a long-running operation is polled when Azure names no `Retry-After`; default 2 s (the SDK's). */
  readonly lroPollMs?: number;
}

/** Which of the kit's limiters a call goes through. */
export type CallKind = 'read' | 'write';

/**
 * A long-running operation under way: `wait()` polls it to its end as the SDK does (the
 * `Azure-AsyncOperation` URL, honouring `Retry-After`), each poll through the read limiter.
 */
export interface Lro<T> {
  wait(): Promise<T>;
}

/**
 * A thin client of Azure Resource Manager: `@azure/arm-compute`, `@azure/arm-network` and
 * `@azure/arm-resources` sharing one credential. Every call goes through the kit's limiters;
 * the SDK's own retries are off so that a 429 backs the provider's limiter off for the time
 * Azure names (`Retry-After`), pausing every caller, before the call is sent again. Errors
 * become core's here (`translateAzureError`) and nowhere else.
 */
export class AzureClient {
  readonly compute: ComputeManagementClient;
  readonly network: NetworkManagementClient;
  readonly resources: ResourceManagementClient;
  private readonly maxThrottleRetries: number;
  private readonly lroPollMs: number;

  constructor(
    readonly auth: AzureAuth,
    private readonly rateLimits: AdapterContext['rateLimits'],
    private readonly log: Logger,
    options: AzureClientOptions = {},
  ) {
    this.maxThrottleRetries = options.maxThrottleRetries ?? 10;
    this.lroPollMs = options.lroPollMs ?? 2_000;
    const common = { endpoint: auth.endpoint, credentialScopes: [auth.scope], retryOptions: { maxRetries: 0 } };
    this.compute = new ComputeManagementClient(auth.credential, auth.subscriptionId, common);
    this.network = new NetworkManagementClient(auth.credential, auth.subscriptionId, common);
    this.resources = new ResourceManagementClient(auth.credential, auth.subscriptionId, common);
  }

  /**
   * Sends one request (or a paged listing) through the `kind` limiter. A throttled answer backs
   * the limiter off for its `Retry-After` and the request is sent again, up to
   * `maxThrottleRetries` times; a read that met no answer or a 5xx is tried twice more.
   */
  async call<T>(kind: CallKind, name: string, send: () => Promise<T>): Promise<T> {
    const limiter: RateLimiter = kind === 'read' ? this.rateLimits.readOnly : this.rateLimits.mutating;
    for (let attempt = 0, transient = 0; ; attempt++) {
      try {
        return await limiter.run(send);
      } catch (error) {
        const delay = throttleDelayMs(error);
        if (delay !== undefined && attempt < this.maxThrottleRetries) {
          this.log.debug('Azure throttled a call; backing off', { call: name, attempt, delayMs: delay });
          limiter.backOff(delay);
          continue;
        }
        const { status } = readAzureError(error);
        if (kind === 'read' && (status === 0 || status >= 500) && transient < 2) {
          transient++;
          limiter.backOff(1_000);
          continue;
        }
        throw translateAzureError(name, error);
      }
    }
  }

  private options(): { updateIntervalInMs: number } {
    return { updateIntervalInMs: this.lroPollMs };
  }

  /** Every item of a paged listing; none for a resource group that does not exist (yet). */
  private async all<T>(kind: CallKind, name: string, pages: () => AsyncIterable<T>): Promise<T[]> {
    try {
      return await this.call(kind, name, async () => {
        const items: T[] = [];
        for await (const item of pages()) items.push(item);
        return items;
      });
    } catch (error) {
      if (error instanceof NotFoundError && error.message.includes('ResourceGroupNotFound')) return [];
      throw error;
    }
  }

  /** A started compute operation (core-lro 3 pollers: the first request goes with `submitted()`). */
  private async computeLro<T>(name: string, start: () => { submitted(): Promise<void>; pollUntilDone(): Promise<T> }): Promise<Lro<T>> {
    const poller = await this.call('write', name, async () => {
      const started = start();
      await started.submitted();
      // Wrapped: the poller is itself a promise, which an async function would await.
      return { poller: started };
    });
    return { wait: () => this.call('read', `${name} (polling)`, () => poller.poller.pollUntilDone()) };
  }

  /** A started network operation (core-lro 2 pollers: `begin…` sends the first request). */
  private async networkLro<T>(name: string, start: () => Promise<{ pollUntilDone(): Promise<T> }>): Promise<Lro<T>> {
    const poller = await this.call('write', name, async () => ({ poller: await start() }));
    return { wait: () => this.call('read', `${name} (polling)`, () => poller.poller.pollUntilDone()) };
  }

  // ---- resource groups, subnets ------------------------------------------------------------------

  /** Creates the resource group in `location` unless it exists. */
  async ensureResourceGroup(name: string, location: string): Promise<void> {
    const { body } = await this.call('read', 'resourceGroups.checkExistence', () => this.resources.resourceGroups.checkExistence(name));
    if (body) return;
    this.log.info('creating the resource group', { resourceGroup: name, location });
    await this.call('write', 'resourceGroups.createOrUpdate', () => this.resources.resourceGroups.createOrUpdate(name, { location }));
  }

  getSubnet(resourceGroup: string, network: string, subnet: string): Promise<Subnet> {
    return this.call('read', 'subnets.get', () => this.network.subnets.get(resourceGroup, network, subnet));
  }

  // ---- virtual machines -------------------------------------------------------------------------------

  listVirtualMachines(resourceGroup: string): Promise<VirtualMachine[]> {
    return this.all('read', 'virtualMachines.list', () => this.compute.virtualMachines.list(resourceGroup));
  }

  /**
   * Sends the VM's creation and returns once Azure accepted it; its progress is read from
   * listings, not from its operation.
   */
  async createVirtualMachine(resourceGroup: string, name: string, body: VirtualMachine): Promise<void> {
    await this.call('write', 'virtualMachines.createOrUpdate', () => this.compute.virtualMachines.createOrUpdate(resourceGroup, name, body, this.options()).submitted());
  }

  /** Starts deleting a VM; its end is read from listings. */
  async deleteVirtualMachine(resourceGroup: string, name: string): Promise<void> {
    await this.call('write', 'virtualMachines.delete', () => this.compute.virtualMachines.delete(resourceGroup, name, this.options()).submitted());
  }

  // ---- network interfaces, public IP addresses -----------------------------------------------------------

  listNetworkInterfaces(resourceGroup: string): Promise<NetworkInterface[]> {
    return this.all('read', 'networkInterfaces.list', () => this.network.networkInterfaces.list(resourceGroup));
  }

  createNetworkInterface(resourceGroup: string, name: string, body: NetworkInterface): Promise<Lro<NetworkInterface>> {
    return this.networkLro('networkInterfaces.createOrUpdate', () => this.network.networkInterfaces.beginCreateOrUpdate(resourceGroup, name, body, this.options()));
  }

  deleteNetworkInterface(resourceGroup: string, name: string): Promise<Lro<void>> {
    return this.networkLro('networkInterfaces.delete', () => this.network.networkInterfaces.beginDelete(resourceGroup, name, this.options()));
  }

  listPublicIpAddresses(resourceGroup: string): Promise<PublicIPAddress[]> {
    return this.all('read', 'publicIPAddresses.list', () => this.network.publicIPAddresses.list(resourceGroup));
  }

  createPublicIpAddress(resourceGroup: string, name: string, body: PublicIPAddress): Promise<Lro<PublicIPAddress>> {
    return this.networkLro('publicIPAddresses.createOrUpdate', () => this.network.publicIPAddresses.beginCreateOrUpdate(resourceGroup, name, body, this.options()));
  }

  getPublicIpAddress(resourceGroup: string, name: string): Promise<PublicIPAddress> {
    return this.call('read', 'publicIPAddresses.get', () => this.network.publicIPAddresses.get(resourceGroup, name));
  }

  deletePublicIpAddress(resourceGroup: string, name: string): Promise<Lro<void>> {
    return this.networkLro('publicIPAddresses.delete', () => this.network.publicIPAddresses.beginDelete(resourceGroup, name, this.options()));
  }

  // ---- disks, images ----------------------------------------------------------------------------------

  listDisks(resourceGroup: string): Promise<Disk[]> {
    return this.all('read', 'disks.list', () => this.compute.disks.listByResourceGroup(resourceGroup));
  }

  createDisk(resourceGroup: string, name: string, body: Disk): Promise<Lro<Disk>> {
    return this.computeLro('disks.createOrUpdate', () => this.compute.disks.createOrUpdate(resourceGroup, name, body, this.options()));
  }

  grantDiskAccess(resourceGroup: string, name: string, access: 'Read' | 'Write', durationInSeconds: number): Promise<Lro<AccessUri>> {
    return this.computeLro('disks.grantAccess', () => this.compute.disks.grantAccess(resourceGroup, name, { access, durationInSeconds }, this.options()));
  }

  revokeDiskAccess(resourceGroup: string, name: string): Promise<Lro<void>> {
    return this.computeLro('disks.revokeAccess', () => this.compute.disks.revokeAccess(resourceGroup, name, this.options()));
  }

  deleteDisk(resourceGroup: string, name: string): Promise<Lro<void>> {
    return this.computeLro('disks.delete', () => this.compute.disks.delete(resourceGroup, name, this.options()));
  }

  listImages(resourceGroup: string): Promise<Image[]> {
    return this.all('read', 'images.list', () => this.compute.images.listByResourceGroup(resourceGroup));
  }

  getImage(resourceGroup: string, name: string): Promise<Image> {
    return this.call('read', 'images.get', () => this.compute.images.get(resourceGroup, name));
  }

  createImage(resourceGroup: string, name: string, body: Image): Promise<Lro<Image>> {
    return this.computeLro('images.createOrUpdate', () => this.compute.images.createOrUpdate(resourceGroup, name, body, this.options()));
  }

  deleteImage(resourceGroup: string, name: string): Promise<Lro<void>> {
    return this.computeLro('images.delete', () => this.compute.images.delete(resourceGroup, name, this.options()));
  }

  // ---- SKUs, usages --------------------------------------------------------------------------------------

  /** The compute SKUs offered in `location`. */
  listSkus(location: string): Promise<ResourceSku[]> {
    return this.all('read', 'resourceSkus.list', () => this.compute.resourceSkus.list({ filter: `location eq '${location}'` }));
  }

  listUsages(location: string): Promise<Usage[]> {
    return this.all('read', 'usages.list', () => this.compute.usage.list(location));
  }
}
