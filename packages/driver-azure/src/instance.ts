import { QuotaInformation, type Instance, type Resource } from '@nodepool/core';
import type { NetworkInterface, PublicIPAddress, VirtualMachine } from './client.js';

/** A VM as core sees it, plus what the machines read from the kit's shared listing. */
export interface AzureInstanceView extends Instance {
  /** `Creating`, `Updating`, `Succeeded`, `Failed`, `Deleting`. */
  readonly provisioningState: string;
  /** The OS disk's name, and whether Azure deletes it with the VM. */
  readonly osDiskName: string | null;
  readonly osDiskDeletedWithVm: boolean;
}

/** Leak-cleanup resources of the azure driver, by name in the provider's resource group. */
export type AzureResourceType = 'instance' | 'nic' | 'pip' | 'disk' | 'image';
export type AzureResource = Resource & { readonly type: AzureResourceType; readonly id: string };

/** Tags as Nodepool's metadata (string values only). */
export function tagRecord(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(tags ?? {}).filter(([, value]) => typeof value === 'string'));
}

/**
 * A VM as core's `Instance`, as 9.0.0 reads it: the name is the external ID, `location` the
 * region, the first zone the availability zone. Addresses come from its NIC and public IPs
 * when given (the create machine has them; a listing does not): interface address public IPv4,
 * else public IPv6, else private IPv4, else private IPv6. A VM being deleted uses no quota.
 */
export function toInstance(vm: VirtualMachine, quota: QuotaInformation, network: { nic?: NetworkInterface; publicIpv4?: PublicIPAddress; publicIpv6?: PublicIPAddress } = {}): AzureInstanceView {
  let privateIpv4: string | null = null;
  let privateIpv6: string | null = null;
  for (const config of network.nic?.ipConfigurations ?? []) {
    if (config.privateIPAddressVersion === 'IPv4') privateIpv4 = config.privateIPAddress ?? null;
    if (config.privateIPAddressVersion === 'IPv6') privateIpv6 = config.privateIPAddress ?? null;
  }
  const publicIpv4 = network.publicIpv4?.ipAddress ?? null;
  const publicIpv6 = network.publicIpv6?.ipAddress ?? null;
  const state = vm.provisioningState ?? 'Creating';
  const osDisk = vm.storageProfile?.osDisk;
  const uses = state === 'Deleting' ? new QuotaInformation() : quota;
  return {
    externalId: vm.name ?? '',
    provisioningState: state,
    osDiskName: osDisk?.name ?? null,
    osDiskDeletedWithVm: osDisk?.deleteOption === 'Delete',
    ready: state === 'Succeeded',
    deleted: state === 'Deleting',
    failed: state === 'Failed',
    interfaceIp: publicIpv4 ?? publicIpv6 ?? privateIpv4 ?? privateIpv6,
    publicIpv4,
    publicIpv6,
    privateIpv4,
    cloud: 'Azure',
    region: vm.location ?? null,
    az: vm.zones?.[0] ?? '',
    metadata: tagRecord(vm.tags),
    getQuotaInformation: () => uses,
  };
}

export function isAzureInstanceView(instance: Instance | undefined): instance is AzureInstanceView {
  return typeof (instance as Partial<AzureInstanceView> | undefined)?.provisioningState === 'string';
}
