import { QuotaInformation, type Instance, type Resource } from '@nodepool/core';
import type { SimImage, SimInstance, SimInstanceStatus } from './cloud/api-types.js';

/**
 * An instance of the simulated cloud as core sees it, plus the cloud's `status`, which the
 * create machine reads from the kit's shared listing (the listing hands back the objects
 * `listInstances` made).
 */
export interface SimInstanceView extends Instance {
  readonly status: SimInstanceStatus;
  /** The cloud's name for it (`np<node id>` for Nodepool's). */
  readonly name: string;
  /** The flavor name. */
  readonly flavor: string;
  readonly driverData: { readonly sshPort: number };
}

/** A resource of the simulated cloud for leak cleanup; `id` is what deleting it takes. */
export type SimResource = Resource & {
  readonly type: 'instance' | 'image';
  readonly id: string;
  readonly name: string;
};

/** The cloud's JSON for an instance, as core's `Instance`. */
export function toInstance(raw: SimInstance): SimInstanceView {
  const quota = new QuotaInformation({ cores: raw.cores, instances: 1, ram: raw.ram });
  return {
    externalId: raw.id,
    name: raw.name,
    status: raw.status,
    flavor: raw.flavor,
    ready: raw.status === 'running',
    deleted: raw.status === 'deleting',
    interfaceIp: raw.addresses.public,
    publicIpv4: raw.addresses.public,
    publicIpv6: null,
    privateIpv4: raw.addresses.private,
    cloud: 'sim',
    region: raw.region,
    az: raw.az,
    hostId: null,
    metadata: { ...raw.metadata },
    driverData: { sshPort: raw.sshPort },
    // The simulated instance says where its SSH answers: that is the port to scan and to use.
    connectionPort: raw.sshPort,
    // What it takes from the cloud's quota, whoever made it (unmanaged instances count too).
    getQuotaInformation: () => quota,
  };
}

/** Whether `instance` came from `toInstance` (and so has the cloud's status). */
export function isSimInstanceView(instance: Instance): instance is SimInstanceView {
  return typeof (instance as Partial<SimInstanceView>).status === 'string';
}

/** An instance or an image as a leak-cleanup resource. */
export function toResource(type: SimResource['type'], raw: Pick<SimInstance | SimImage, 'id' | 'name' | 'metadata'>): SimResource {
  return { type, id: raw.id, name: raw.name, metadata: { ...raw.metadata } };
}
