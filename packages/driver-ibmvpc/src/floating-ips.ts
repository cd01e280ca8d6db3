import type { InstanceListing } from '@nodepool/core';
import type { FloatingIp } from './client/vpc-models.js';
import type { IbmVpcInstanceView } from './instance.js';

/**
 * The region's floating IPs as of the kit's shared listing: each instance listing lists them too
 * (the original reads both to build its instances), so a machine waiting on a floating IP asks
 * for a listing that started after it asked and reads the floating IPs it brought.
 */
export class FloatingIpSnapshot {
  private latest: readonly FloatingIp[] = [];

  /** Called by the listing with what it read. */
  update(floatingIps: readonly FloatingIp[]): void {
    this.latest = floatingIps;
  }

  /** Floating IPs as of a listing made after this call. */
  async fresh(instances: InstanceListing): Promise<readonly FloatingIp[]> {
    await instances.all();
    return this.latest;
  }
}

/** The instance as it is with `fip` bound to its primary interface. */
export function withFloatingIp(view: IbmVpcInstanceView, fip: FloatingIp | null): IbmVpcInstanceView {
  if (!fip) return view;
  return { ...view, floatingIp: fip, publicIpv4: fip.address, interfaceIp: fip.address };
}
