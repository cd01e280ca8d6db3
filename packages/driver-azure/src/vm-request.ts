import { randomInt } from 'node:crypto';
import { formatRequestTemplates, pythonStr, type Logger, type NodeRequest } from '@nodepool/core';
import type { ImageReference } from '@azure/arm-compute';
import type { NetworkInterface, PublicIPAddress, VirtualMachine } from './client.js';
import type { AzureCloudImageConfig, AzureDiskImageConfig, AzureLabelConfig, AzurePoolConfig } from './config.js';

/** The image a VM boots and the account settings that go with it. */
export type BootImage = AzureCloudImageConfig | AzureDiskImageConfig;

/** Resource names of a node's pieces, as 9.0.0 names them. */
export const names = {
  nic: (hostname: string) => `${hostname}-nic`,
  publicIp: (hostname: string, version: 'IPv4' | 'IPv6') => `${hostname}-pip-${version}`,
};

/**
 * The tags of every resource of a node, as 9.0.0 makes them: the label's `tags`, its
 * `dynamic-tags` formatted from the request (one that does not format is logged and left out),
 * then Nodepool's metadata. Values that are not strings are written as Python's `str()` would
 * (Azure takes strings only).
 */
export function nodeTags(label: Pick<AzureLabelConfig, 'tags' | 'dynamicTags'>, request: NodeRequest, metadata: Readonly<Record<string, string>>, log: Logger): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(label.tags)) tags[key] = pythonStr(value);
  Object.assign(tags, formatRequestTemplates(label.dynamicTags, request, log, 'dynamic tag'));
  return Object.assign(tags, metadata);
}

/** A random administrator password with lower- and upper-case letters and digits, as 9.0.0 makes one. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  for (;;) {
    const password = Array.from({ length: 64 }, () => alphabet[randomInt(alphabet.length)]).join('');
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /[0-9]/.test(password)) return password;
  }
}

/**
 * A public IP address of a node. Differs from Nodepool: always the Standard SKU, statically
 * allocated; 9.0.0 took Basic and dynamic addresses for IPv4-only pools, a SKU Azure has retired.
 */
export function publicIpBody(location: string, tags: Record<string, string>, version: 'IPv4' | 'IPv6'): PublicIPAddress {
  return { location, tags, sku: { name: 'Standard' }, publicIPAddressVersion: version, publicIPAllocationMethod: 'Static' };
}

/** The node's network interface: an IP configuration per enabled IP version, each with its public IP. */
export function nicBody(options: { location: string; tags: Record<string, string>; subnetId: string; pool: Pick<AzurePoolConfig, 'ipv4' | 'ipv6'>; publicIpv4Id?: string; publicIpv6Id?: string }): NetworkInterface {
  const config = (name: string, version: 'IPv4' | 'IPv6', publicId: string | undefined) => ({
    name,
    privateIPAddressVersion: version,
    subnet: { id: options.subnetId },
    ...(publicId ? { publicIPAddress: { id: publicId } } : {}),
  });
  const ipConfigurations = [];
  if (options.pool.ipv4) ipConfigurations.push(config('nodepool-v4-ip-config', 'IPv4', options.publicIpv4Id));
  if (options.pool.ipv6) ipConfigurations.push(config('nodepool-v6-ip-config', 'IPv6', options.publicIpv6Id));
  return { location: options.location, tags: options.tags, ipConfigurations };
}

/**
 * The VM, as 9.0.0 asks for it: computer name, the image's user with its SSH key (password
 * logins off) or password, custom and user data, the label's size, the image and the NIC as
 * primary. Ours on top: the OS disk is deleted with the VM, so a VM removed by leak cleanup
 * takes its disk along.
 */
export function vmBody(options: { location: string; tags: Record<string, string>; hostname: string; label: AzureLabelConfig; image: BootImage; imageReference: ImageReference; nicId: string }): VirtualMachine {
  const { label, image } = options;
  const osProfile: NonNullable<VirtualMachine['osProfile']> = { computerName: options.hostname };
  if (image.key) {
    osProfile.linuxConfiguration = { ssh: { publicKeys: [{ path: `/home/${image.username}/.ssh/authorized_keys`, keyData: image.key }] }, disablePasswordAuthentication: true };
  }
  if (image.username) osProfile.adminUsername = image.username;
  if (image.password) osProfile.adminPassword = image.password;
  else if (image.generatePassword) osProfile.adminPassword = generatePassword();
  if (label.customData) osProfile.customData = label.customData;
  return {
    location: options.location,
    tags: options.tags,
    osProfile,
    hardwareProfile: { vmSize: label.hardwareProfile.vmSize },
    storageProfile: { imageReference: options.imageReference, osDisk: { createOption: 'FromImage', deleteOption: 'Delete' } },
    networkProfile: { networkInterfaces: [{ id: options.nicId, primary: true }] },
    ...(label.userData ? { userData: label.userData } : {}),
  };
}
