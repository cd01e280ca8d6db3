import type { Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import { QuotaInformation, type Instance, type Resource } from '@nodepool/core';
import type { Market } from './quota.js';
import { toTagRecord } from './tags.js';

/**
 * An EC2 instance as core sees it, plus what the create and delete machines read from the
 * kit's shared listing (which hands back the objects `listInstances` made).
 */
export interface AwsInstanceView extends Instance {
  /** EC2's state name: `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`. */
  readonly state: string;
  /** Why it is in that state (`Server.SpotInstanceTermination: …`), if EC2 says. */
  readonly stateReason: string | null;
  readonly instanceType: string;
  readonly market: Market;
  /** The dedicated host it runs on, if any. */
  readonly hostId: string | null;
}

/** The kinds of leak-cleanup resource; `id` is what deleting one takes. */
export type AwsResourceType = 'instance' | 'volume' | 'ami' | 'snapshot' | 'object' | 'host';

export type AwsResource = Resource & {
  readonly type: AwsResourceType;
  readonly id: string;
};

/** States of an instance that is gone or going: it no longer runs anything. */
const ENDING = new Set(['shutting-down', 'terminated']);

/**
 * EC2's description of an instance as core's `Instance`. The interface address is the public
 * IPv4, else the public IPv6 (of the first network interface), else the private IPv4, as in
 * Nodepool; the kit prefers the private one for pools with `use-internal-ip`. `quota` is what
 * it uses while it runs; a terminated instance uses nothing.
 */
export function toInstance(raw: Ec2Instance, options: { region: string; quota: QuotaInformation }): AwsInstanceView {
  const state = raw.State?.Name ?? 'pending';
  const nic = raw.NetworkInterfaces?.find((candidate) => candidate.Attachment?.DeviceIndex === 0) ?? raw.NetworkInterfaces?.[0];
  const publicIpv4 = raw.PublicIpAddress ?? null;
  const publicIpv6 = nic?.Ipv6Addresses?.[0]?.Ipv6Address ?? null;
  const privateIpv4 = raw.PrivateIpAddress ?? null;
  const quota = state === 'terminated' ? new QuotaInformation() : options.quota;
  return {
    externalId: raw.InstanceId ?? '',
    state,
    stateReason: raw.StateReason ? `${raw.StateReason.Code ?? ''}: ${raw.StateReason.Message ?? ''}` : null,
    instanceType: raw.InstanceType ?? '',
    market: raw.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
    ready: state === 'running',
    deleted: ENDING.has(state),
    interfaceIp: publicIpv4 ?? publicIpv6 ?? privateIpv4,
    publicIpv4,
    publicIpv6,
    privateIpv4,
    cloud: 'AWS',
    region: options.region,
    az: raw.Placement?.AvailabilityZone ?? null,
    hostId: raw.Placement?.HostId ?? null,
    metadata: toTagRecord(raw.Tags),
    getQuotaInformation: () => quota,
  };
}

/** Whether `instance` came from `toInstance` (and so has EC2's state). */
export function isAwsInstanceView(instance: Instance | undefined): instance is AwsInstanceView {
  return typeof (instance as Partial<AwsInstanceView> | undefined)?.state === 'string';
}

/** The same instance, using `quota` (a launch knows its label's volumes, which a listing does not). */
export function withQuota(instance: AwsInstanceView, quota: QuotaInformation): AwsInstanceView {
  return { ...instance, getQuotaInformation: () => quota };
}
