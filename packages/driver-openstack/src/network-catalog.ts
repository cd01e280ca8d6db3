import { TtlCache, type Logger } from '@nodepool/core';
import type { Neutron, NeutronNetwork } from './client/neutron.js';
import type { NetworkRoles } from './server-addresses.js';

/**
 * The cloud's networks, listed once and kept (again after Nova refused a launch with 400, or
 * after `ttlMs`): names to IDs for `networks:`, which networks route outwards (for addresses), and
 * where floating IPs come from.
 */
export class NetworkCatalog {
  private readonly networks: TtlCache<NeutronNetwork[]>;

  constructor(
    neutron: Pick<Neutron, 'listNetworks'>,
    private readonly providerName: string,
    private readonly log: Logger,
    ttlMs = 3600_000,
  ) {
    this.networks = new TtlCache(() => neutron.listNetworks(), ttlMs);
  }

  /** The ID of the network named (or with the ID) `nameOrId`. */
  async idOf(nameOrId: string): Promise<string> {
    const networks = await this.networks.get();
    const found = networks.find((network) => network.id === nameOrId) ?? networks.find((network) => network.name === nameOrId);
    if (!found) throw new Error(`Unable to find network ${nameOrId} in provider ${this.providerName}`);
    return found.id;
  }

  /**
   * Which networks are external (`router:external`, or provider networks) and which internal.
   * A cloud whose networks cannot be listed has neither (addresses then go by network names).
   */
  async roles(): Promise<NetworkRoles> {
    let networks: NeutronNetwork[];
    try {
      networks = await this.networks.get();
    } catch (error) {
      this.log.warn('could not list networks; telling public from private addresses by network names', { error: String(error) });
      return { external: new Set(), internal: new Set() };
    }
    const isExternal = (network: NeutronNetwork) => network['router:external'] === true || !!network['provider:physical_network'];
    return {
      external: new Set(networks.filter(isExternal).map((network) => network.name)),
      internal: new Set(networks.filter((network) => !isExternal(network)).map((network) => network.name)),
    };
  }

  /** The first external network: where a floating IP is allocated from; null if there is none. */
  async floatingNetworkId(): Promise<string | null> {
    return (await this.networks.get()).find((network) => network['router:external'] === true)?.id ?? null;
  }

  invalidate(): void {
    this.networks.invalidate();
  }
}
