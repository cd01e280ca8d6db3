import type { Instance, QuotaInformation, Resource } from '@nodepool/core';
import type { NovaServer } from './client/nova.js';
import type { ServerAddresses } from './server-addresses.js';

/**
 * A Nova server as core sees it, plus what the create and delete machines read from the kit's
 * shared listing (which hands back the objects `listInstances` made).
 */
export interface OpenStackServerView extends Instance {
  /** Nova's status: `BUILD`, `ACTIVE`, `ERROR`, `DELETED`, … */
  readonly status: string;
  /** Why an `ERROR` server failed, as Nova says. */
  readonly faultMessage: string | null;
  /** Nova's task state (`deleting` while a deletion is under way). */
  readonly taskState: string | null;
  readonly addresses: ServerAddresses;
  /** Volumes attached to it (a boot volume among them). */
  readonly volumeIds: readonly string[];
}

/** The kinds of leak-cleanup resource; `id` is what deleting one takes. */
export type OpenStackResourceType = 'instance' | 'volume' | 'image';

export type OpenStackResource = Resource & {
  readonly type: OpenStackResourceType;
  readonly id: string;
};

/**
 * Nova's description of a server as core's `Instance`: ready when `ACTIVE`, failed on `ERROR`,
 * deleted once `DELETED` or `SOFT_DELETED`; addresses as openstacksdk works them out; the cloud
 * and region as configured; `quota` what it uses.
 */
export function toInstance(server: NovaServer, options: { cloud: string; region: string | null; addresses: ServerAddresses; quota: QuotaInformation }): OpenStackServerView {
  const { addresses, quota } = options;
  const status = server.status.toUpperCase();
  return {
    externalId: server.id,
    status,
    faultMessage: server.fault?.message ?? null,
    taskState: server['OS-EXT-STS:task_state'] ?? null,
    ready: status === 'ACTIVE',
    failed: status === 'ERROR',
    deleted: status === 'DELETED' || status === 'SOFT_DELETED',
    interfaceIp: addresses.interfaceIp,
    publicIpv4: addresses.publicIpv4,
    publicIpv6: addresses.publicIpv6,
    privateIpv4: addresses.privateIpv4,
    addresses,
    cloud: options.cloud,
    region: options.region,
    az: server['OS-EXT-AZ:availability_zone'] || null,
    hostId: server.hostId || null,
    metadata: server.metadata ?? {},
    volumeIds: (server['os-extended-volumes:volumes_attached'] ?? []).map((volume) => volume.id),
    getQuotaInformation: () => quota,
  };
}

/** Whether `instance` came from `toInstance` (and so has Nova's status). */
export function isServerView(instance: Instance | undefined): instance is OpenStackServerView {
  return typeof (instance as Partial<OpenStackServerView> | undefined)?.status === 'string';
}

/** The same server, using `quota` (a launch knows its label's volume, which a listing may not). */
export function withQuota(instance: OpenStackServerView, quota: QuotaInformation): OpenStackServerView {
  return { ...instance, getQuotaInformation: () => quota };
}
