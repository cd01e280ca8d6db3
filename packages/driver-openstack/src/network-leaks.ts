import { NotFoundError, type Logger, type Stats } from '@nodepool/core';
import type { Neutron, NeutronFloatingIp, NeutronPort } from './client/neutron.js';

export interface NetworkLeaksOptions {
  readonly providerName: string;
  /** `port-cleanup-interval` in ms; 0 turns port cleanup off. */
  readonly portCleanupIntervalMs: number;
  /** `clean-floating-ips`. */
  readonly cleanFloatingIps: boolean;
  readonly log: Logger;
  readonly stats?: Stats | undefined;
}

/**
 * The leaks Neutron keeps no Nodepool metadata on, found by their state as the original finds
 * them: ports in `DOWN` state owned by Nova (or by nobody) that are still `DOWN` when looked at
 * again `port-cleanup-interval` later, and — with `clean-floating-ips` — floating IPs attached to
 * nothing. Differs from Nodepool: a floating IP is deleted only when seen unattached on two
 * passes in a row (the original deletes it at once), so one being attached right now is spared.
 * Counted as `nodepool.provider.<name>.leaked.ports` and `.floatingips`.
 */
export class NetworkLeaks {
  private downPorts: Set<string> | undefined;
  private lastPortCheck = 0;
  private unattached = new Set<string>();

  constructor(
    private readonly neutron: Pick<Neutron, 'listPorts' | 'deletePort' | 'deleteFloatingIp'>,
    private readonly options: NetworkLeaksOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** One cleanup pass over ports; lists them only when a check is due. */
  async cleanPorts(): Promise<void> {
    const interval = this.options.portCleanupIntervalMs;
    if (interval <= 0) return;
    if (this.downPorts === undefined) {
      this.downPorts = new Set((await this.listDownPorts()).map((port) => port.id));
      this.lastPortCheck = this.now();
      return;
    }
    if (this.now() - this.lastPortCheck <= interval) return;
    const current = (await this.listDownPorts()).map((port) => port.id);
    let removed = 0;
    for (const id of current.filter((candidate) => this.downPorts!.has(candidate))) {
      try {
        await this.neutron.deletePort(id);
        removed++;
        this.options.log.debug('removed a DOWN port', { provider: this.options.providerName, port: id });
      } catch (error) {
        if (!(error instanceof NotFoundError)) this.options.log.warn('could not delete a DOWN port', { provider: this.options.providerName, port: id, error: String(error) });
      }
    }
    if (removed > 0) this.options.stats?.increment(`nodepool.provider.${this.options.providerName}.leaked.ports`, removed);
    this.lastPortCheck = this.now();
    // The ones still there (not deleted now) are the suspects of the next check.
    this.downPorts = new Set(current.filter((id) => !this.downPorts!.has(id)));
  }

  /** One cleanup pass over floating IPs (from a listing the caller shares). */
  async cleanFloatingIps(fips: readonly NeutronFloatingIp[]): Promise<void> {
    if (!this.options.cleanFloatingIps) return;
    const unattached = fips.filter((fip) => fip.port_id === null || fip.port_id === undefined);
    let removed = 0;
    for (const fip of unattached.filter((candidate) => this.unattached.has(candidate.id))) {
      try {
        await this.neutron.deleteFloatingIp(fip.id);
        removed++;
        this.options.log.info('deleted an unattached floating IP', { provider: this.options.providerName, floatingIp: fip.floating_ip_address });
      } catch (error) {
        if (!(error instanceof NotFoundError)) this.options.log.warn('could not delete an unattached floating IP', { provider: this.options.providerName, floatingIp: fip.floating_ip_address, error: String(error) });
      }
    }
    if (removed > 0) this.options.stats?.increment(`nodepool.provider.${this.options.providerName}.leaked.floatingips`, removed);
    this.unattached = new Set(unattached.filter((fip) => !this.unattached.has(fip.id)).map((fip) => fip.id));
  }

  /** DOWN ports that Nova owns (or nobody does): not a router's or DHCP's. */
  private async listDownPorts(): Promise<NeutronPort[]> {
    const ports = await this.neutron.listPorts({ status: 'DOWN' });
    return ports.filter((port) => !port.device_owner || port.device_owner.startsWith('compute:'));
  }
}
