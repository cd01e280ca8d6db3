import { LaunchStatusError, type Instance, type InstanceListing, type Logger, type QuotaInformation, type StateMachine } from '@nodepool/core';
import type { ImageReference } from '@azure/arm-compute';
import type { AzureClient, Lro, NetworkInterface, PublicIPAddress } from './client.js';
import type { AzureLabelConfig, AzurePoolConfig } from './config.js';
import { isAzureInstanceView, toInstance } from './instance.js';
import { names, nicBody, publicIpBody, vmBody, type BootImage } from './vm-request.js';

export type AzureCreateState = 'start' | 'creating public IPs' | 'creating nic' | 'creating vm' | 'waiting for vm' | 'complete';

export interface AzureCreateStateMachineOptions {
  readonly client: Pick<AzureClient, 'createPublicIpAddress' | 'createNetworkInterface' | 'createVirtualMachine' | 'getPublicIpAddress' | 'auth'>;
  readonly resourceGroup: string;
  readonly location: string;
  readonly hostname: string;
  readonly label: AzureLabelConfig;
  readonly pool: AzurePoolConfig;
  readonly image: BootImage;
  /** Resolves the image reference (and anything the provider must have first: its resource group, subnet, SKUs). */
  readonly prepare: () => Promise<{ imageReference: ImageReference; subnetId: string }>;
  readonly tags: Record<string, string>;
  readonly quota: () => Promise<QuotaInformation>;
  readonly instances: InstanceListing;
  readonly log: Logger;
  /** How long an accepted VM may be missing from listings; default 60 s. */
  readonly listingGraceMs?: number;
}

/**
 * Creates one node as 9.0.0 does: its public IPs (`<host>-pip-IPv4`/`-IPv6`, as the pool
 * asks), its NIC (`<host>-nic`), then the VM (`<host>`, the external ID from the start), all
 * tagged alike. The public IPs' and NIC's operations are polled as the SDK polls them; the VM's
 * progress is read from the kit's shared listing until it is `Succeeded` (`Failed` fails the
 * attempt, which the kit unwinds with the delete machine).
 */
export class AzureCreateStateMachine implements StateMachine<Instance> {
  state: AzureCreateState = 'start';
  externalId: string | undefined;
  private prepared: { imageReference: ImageReference; subnetId: string } | undefined;
  private publicIpv4: PublicIPAddress | undefined;
  private publicIpv6: PublicIPAddress | undefined;
  private nic: NetworkInterface | undefined;
  private acceptedAt = 0;
  private result: Instance | undefined;

  constructor(private readonly options: AzureCreateStateMachineOptions) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<Instance | undefined> {
    const { client, resourceGroup, location, hostname, tags, pool, log } = this.options;
    if (this.state === 'start') {
      this.prepared = await this.options.prepare();
      // Named before anything exists, so that whatever happens next can be found and deleted.
      this.externalId = hostname;
      this.state = 'creating public IPs';
      return undefined;
    }

    if (this.state === 'creating public IPs') {
      const create = (version: 'IPv4' | 'IPv6'): Promise<Lro<PublicIPAddress>> => client.createPublicIpAddress(resourceGroup, names.publicIp(hostname, version), publicIpBody(location, tags, version));
      const [v4, v6] = await Promise.all([pool.publicIpv4 ? create('IPv4') : undefined, pool.publicIpv6 ? create('IPv6') : undefined]);
      [this.publicIpv4, this.publicIpv6] = await Promise.all([v4?.wait(), v6?.wait()]);
      this.state = 'creating nic';
    }

    if (this.state === 'creating nic') {
      const lro = await client.createNetworkInterface(
        resourceGroup,
        names.nic(hostname),
        nicBody({ location, tags, subnetId: this.prepared!.subnetId, pool, publicIpv4Id: this.publicIpv4?.id, publicIpv6Id: this.publicIpv6?.id }),
      );
      this.nic = await lro.wait();
      this.state = 'creating vm';
    }

    if (this.state === 'creating vm') {
      const body = vmBody({ location, tags, hostname, label: this.options.label, image: this.options.image, imageReference: this.prepared!.imageReference, nicId: this.nic!.id! });
      await client.createVirtualMachine(resourceGroup, hostname, body);
      log.debug('Azure VM creation accepted', { hostname });
      this.acceptedAt = Date.now();
      this.state = 'waiting for vm';
    }

    if (this.state === 'waiting for vm') {
      const vm = await this.options.instances.get(hostname);
      if (!vm) {
        if (Date.now() - this.acceptedAt > (this.options.listingGraceMs ?? 60_000)) throw new LaunchStatusError(`Azure VM ${hostname} was accepted but is not listed`);
        return undefined;
      }
      const state = isAzureInstanceView(vm) ? vm.provisioningState : vm.ready ? 'Succeeded' : 'Creating';
      if (state === 'Failed') throw new LaunchStatusError(`Azure VM ${hostname} is in the Failed provisioning state`);
      if (state !== 'Succeeded') return undefined;
      // A dynamic address is given once the VM runs (an operator's own NIC settings); static ones are known.
      if (this.publicIpv4 && !this.publicIpv4.ipAddress) this.publicIpv4 = await client.getPublicIpAddress(resourceGroup, names.publicIp(hostname, 'IPv4'));
      if (this.publicIpv6 && !this.publicIpv6.ipAddress) this.publicIpv6 = await client.getPublicIpAddress(resourceGroup, names.publicIp(hostname, 'IPv6'));
      const quota = await this.options.quota();
      this.result = toInstance(
        { name: hostname, location, tags, provisioningState: state, zones: isAzureInstanceView(vm) && vm.az ? [vm.az] : undefined },
        quota,
        { ...(this.nic ? { nic: this.nic } : {}), ...(this.publicIpv4 ? { publicIpv4: this.publicIpv4 } : {}), ...(this.publicIpv6 ? { publicIpv6: this.publicIpv6 } : {}) },
      );
      this.state = 'complete';
    }

    return this.state === 'complete' ? this.result : undefined;
  }
}
