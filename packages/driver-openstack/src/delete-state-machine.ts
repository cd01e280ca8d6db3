import { NotFoundError, type InstanceListing, type Logger, type StateMachine } from '@nodepool/core';
import type { Neutron, NeutronFloatingIp } from './client/neutron.js';
import type { Nova } from './client/nova.js';
import { isServerView, type OpenStackServerView } from './instance.js';
import type { SharedListing } from './shared-listing.js';

export type OpenStackDeleteState = 'start' | 'deleting floating ips' | 'deleting server' | 'waiting for deletion' | 'complete';

export interface OpenStackDeleteStateMachineOptions {
  readonly nova: Pick<Nova, 'deleteServer'>;
  readonly neutron: Pick<Neutron, 'deleteFloatingIp'>;
  /** The shared floating IP listing; null when the cloud has no floating IPs to look for. */
  readonly floatingIps: SharedListing<NeutronFloatingIp> | null;
  /**
   * Whether the provider attaches floating IPs itself: then one may be on the server before
   * Nova shows it, and the listing is consulted whatever the server shows. Otherwise only a
   * server showing a floating IP costs a listing (as the original looks only then).
   */
  readonly autoFloatingIp: boolean;
  readonly instances: InstanceListing;
  readonly log: Logger;
}

/**
 * Deletes one node's server: first the floating IPs on it (Neutron would keep them, detached,
 * after the server's port is gone), then the server (its boot volume goes with it), then waits
 * until the shared listing no longer shows it. A server Nova no longer knows is done.
 */
export class OpenStackDeleteStateMachine implements StateMachine<void> {
  state: OpenStackDeleteState = 'start';
  private server: OpenStackServerView | undefined;

  constructor(
    readonly externalId: string,
    private readonly options: OpenStackDeleteStateMachineOptions,
  ) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<void> {
    const { log } = this.options;
    if (this.state === 'start') {
      const server = await this.options.instances.get(this.externalId);
      this.server = isServerView(server) ? server : undefined;
      const lookForFloatingIps = this.server && (this.options.autoFloatingIp || this.server.addresses.floating.length > 0);
      this.state = this.options.floatingIps && lookForFloatingIps ? 'deleting floating ips' : 'deleting server';
    }

    if (this.state === 'deleting floating ips') {
      const fips = floatingIpsOf(this.server!, await this.options.floatingIps!.fresh());
      for (const fip of fips) {
        try {
          await this.options.neutron.deleteFloatingIp(fip.id);
          log.debug('floating IP deleted', { serverId: this.externalId, floatingIp: fip.floating_ip_address });
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
        }
      }
      this.state = 'deleting server';
    }

    if (this.state === 'deleting server') {
      try {
        await this.options.nova.deleteServer(this.externalId);
        this.state = 'waiting for deletion';
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        log.debug('Nova server already gone', { serverId: this.externalId });
        this.state = 'complete';
      }
    }

    if (this.state === 'waiting for deletion') {
      const server = await this.options.instances.get(this.externalId);
      if (!server || server.deleted) this.state = 'complete';
    }
  }
}

/**
 * The floating IPs on a server: those Nova shows on it, those Neutron says are on its port
 * (`port_details`), and those bound to one of its fixed addresses that Nova does not show yet
 * (one attached just before a launch failed).
 */
export function floatingIpsOf(server: OpenStackServerView, fips: readonly NeutronFloatingIp[]): NeutronFloatingIp[] {
  const shown = new Set(server.addresses.floating);
  const fixed = new Set(server.addresses.fixedIpv4);
  return fips.filter((fip) => {
    const details = (fip as NeutronFloatingIp & { port_details?: { device_id?: string } | null }).port_details;
    if (shown.has(fip.floating_ip_address)) return true;
    if (details) return details.device_id === server.externalId;
    return fip.port_id !== null && fip.fixed_ip_address !== null && fixed.has(fip.fixed_ip_address);
  });
}
