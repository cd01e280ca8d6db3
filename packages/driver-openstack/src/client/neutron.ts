import type { OpenStackSession } from './session.js';

export interface NeutronNetwork {
  readonly id: string;
  readonly name: string;
  readonly 'router:external'?: boolean;
  readonly shared?: boolean;
  readonly 'provider:physical_network'?: string | null;
  readonly subnets?: readonly string[];
}

export interface NeutronPort {
  readonly id: string;
  readonly network_id: string;
  readonly device_id: string;
  readonly device_owner: string;
  readonly status: string;
  readonly fixed_ips: readonly { readonly subnet_id: string; readonly ip_address: string }[];
  readonly created_at?: string;
}

export interface NeutronFloatingIp {
  readonly id: string;
  readonly floating_ip_address: string;
  readonly floating_network_id: string;
  readonly port_id: string | null;
  readonly fixed_ip_address: string | null;
  readonly status: string;
}

type Filters = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Neutron (network v2.0): networks, ports and floating IPs; lists follow Neutron's paging. */
export class Neutron {
  constructor(private readonly session: OpenStackSession) {}

  listNetworks(filters: Filters = {}): Promise<NeutronNetwork[]> {
    return this.list<NeutronNetwork>('networks', filters);
  }

  listPorts(filters: Filters = {}): Promise<NeutronPort[]> {
    return this.list<NeutronPort>('ports', filters);
  }

  async deletePort(id: string): Promise<void> {
    await this.session.call('network', { method: 'DELETE', path: `/ports/${encodeURIComponent(id)}` });
  }

  listFloatingIps(filters: Filters = {}): Promise<NeutronFloatingIp[]> {
    return this.list<NeutronFloatingIp>('floatingips', filters);
  }

  /** Allocates a floating IP on `networkId`, associated with the port (and fixed address) given. */
  async createFloatingIp(request: { networkId: string; portId?: string; fixedIpAddress?: string }): Promise<NeutronFloatingIp> {
    const floatingip = {
      floating_network_id: request.networkId,
      ...(request.portId ? { port_id: request.portId } : {}),
      ...(request.fixedIpAddress ? { fixed_ip_address: request.fixedIpAddress } : {}),
    };
    const answer = await this.session.call<{ floatingip: NeutronFloatingIp }>('network', { method: 'POST', path: '/floatingips', json: { floatingip } });
    return answer.data.floatingip;
  }

  async deleteFloatingIp(id: string): Promise<void> {
    await this.session.call('network', { method: 'DELETE', path: `/floatingips/${encodeURIComponent(id)}` });
  }

  private async list<T>(collection: string, filters: Filters): Promise<T[]> {
    const items: T[] = [];
    let path = `/${collection}`;
    let query: Filters | undefined = filters;
    for (let pages = 0; pages < 10_000; pages++) {
      const answer = await this.session.call<Record<string, unknown>>('network', { method: 'GET', path, ...(query ? { query } : {}) });
      const page = (answer.data[collection] as T[] | undefined) ?? [];
      items.push(...page);
      const next = (answer.data[`${collection}_links`] as { rel?: string; href?: string }[] | undefined)?.find((link) => link.rel === 'next')?.href;
      if (!next || page.length === 0) break;
      // The next link carries the filters already.
      path = next;
      query = undefined;
    }
    return items;
  }
}
