import type { Instance, QuotaInformation, Resource } from '@nodepool/core';
import { interfaceAddress, type FloatingIp, type VpcInstance } from './client/vpc-models.js';

/**
 * A VPC instance as core sees it (external ID: its name, `np<node id>`, as Nodepool 9.0.0 keeps
 * it), plus what the create and delete machines read from the kit's shared listing.
 */
export interface IbmVpcInstanceView extends Instance {
  /** The VPC's ID of the instance (deletions take it). */
  readonly instanceId: string;
  /** `pending`, `starting`, `running`, `deleting`, `failed`, … */
  readonly status: string;
  /** Why it failed, when the VPC says. */
  readonly statusReasons: string | null;
  /** Its primary network interface, to which a floating IP is bound. */
  readonly networkInterfaceId: string;
  /** The floating IP bound to that interface, if any. */
  readonly floatingIp: FloatingIp | null;
}

/** The kinds of leak-cleanup resource; `id` is what deleting one takes. */
export type IbmVpcResourceType = 'instance' | 'floatingip' | 'image' | 'object';

export type IbmVpcResource = Resource & {
  readonly type: IbmVpcResourceType;
  readonly id: string;
  readonly name: string;
};

/**
 * The instance as core's `Instance`, as the original builds it: the interface address is the
 * floating IP when one is bound to its primary interface, else the private address; cloud `IBM`,
 * the provider's region, the instance's zone; metadata from its name and resource group.
 */
export function toInstance(
  vm: VpcInstance,
  options: { readonly region: string; readonly metadata: Readonly<Record<string, string>>; readonly floatingIp: FloatingIp | null; readonly quota: QuotaInformation },
): IbmVpcInstanceView {
  const nic = vm.primary_network_interface;
  const privateIpv4 = interfaceAddress(nic);
  const fip = options.floatingIp?.target?.id === nic.id ? options.floatingIp : null;
  const publicIpv4 = fip?.address ?? null;
  const { quota } = options;
  return {
    externalId: vm.name,
    instanceId: vm.id,
    status: vm.status,
    statusReasons: vm.status_reasons?.length ? vm.status_reasons.map((reason) => `${reason.code}: ${reason.message}`).join('; ') : null,
    networkInterfaceId: nic.id,
    floatingIp: fip,
    ready: vm.status === 'running',
    failed: vm.status === 'failed',
    deleted: vm.status === 'deleting',
    interfaceIp: publicIpv4 ?? privateIpv4,
    publicIpv4,
    publicIpv6: null,
    privateIpv4,
    cloud: 'IBM',
    region: options.region,
    az: vm.zone.name,
    metadata: options.metadata,
    getQuotaInformation: () => quota,
  };
}

/** Whether `instance` came from `toInstance` (and so has the VPC's status). */
export function isIbmVpcInstanceView(instance: Instance | undefined): instance is IbmVpcInstanceView {
  return typeof (instance as Partial<IbmVpcInstanceView> | undefined)?.instanceId === 'string';
}
