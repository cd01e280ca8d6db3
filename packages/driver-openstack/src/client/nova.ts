import { QuotaError } from '@nodepool/core';
import { OpenStackApiError } from './openstack-errors.js';
import type { OpenStackSession } from './session.js';

/** One address of a server on one network, as Nova's `addresses` lists it. */
export interface NovaAddress {
  readonly version: number;
  readonly addr: string;
  readonly 'OS-EXT-IPS:type'?: 'fixed' | 'floating';
  readonly 'OS-EXT-IPS-MAC:mac_addr'?: string;
}

/** A server as `GET /servers/detail` describes it (the fields the driver reads). */
export interface NovaServer {
  readonly id: string;
  readonly name: string;
  /** `BUILD`, `ACTIVE`, `ERROR`, `DELETED`, `SOFT_DELETED`, `SHUTOFF`, … */
  readonly status: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly hostId?: string;
  readonly addresses?: Readonly<Record<string, readonly NovaAddress[]>>;
  /** `{id}` before microversion 2.47; the flavor's figures from 2.47 on. */
  readonly flavor?: { readonly id?: string; readonly vcpus?: number; readonly ram?: number; readonly original_name?: string };
  readonly accessIPv4?: string;
  readonly accessIPv6?: string;
  readonly 'OS-EXT-AZ:availability_zone'?: string;
  readonly 'OS-EXT-STS:task_state'?: string | null;
  readonly 'os-extended-volumes:volumes_attached'?: readonly { readonly id: string; readonly delete_on_termination?: boolean }[];
  /** Why an `ERROR` server failed. */
  readonly fault?: { readonly code?: number; readonly message?: string; readonly created?: string };
}

/** A flavor as `GET /flavors/detail` describes it. */
export interface NovaFlavor {
  readonly id: string;
  readonly name: string;
  readonly vcpus: number;
  /** MiB. */
  readonly ram: number;
  readonly disk: number;
}

/** Nova's absolute limits; -1 is unlimited. */
export interface NovaLimits {
  readonly maxTotalInstances: number;
  readonly maxTotalCores: number;
  readonly maxTotalRAMSize: number;
}

/** The body of `POST /servers` (`server: {...}`), as Nova's schema names the fields. */
export type NovaServerCreate = Readonly<Record<string, unknown>>;

/** The microversion the driver asks for: flavors embedded in servers (2.47), as openstacksdk's newest for servers. */
const WANTED_MICROVERSION = [2, 73] as const;

/** Nova's messages that mean the project is out of quota (9.0.0 looks for the same words). */
export function isQuotaMessage(message: string): boolean {
  const text = message.toLowerCase();
  return text.includes('quota exceeded') || text.includes('number of ports exceeded');
}

/**
 * Nova (compute v2.1): servers (listed in full, created, deleted, console output), flavors,
 * limits and availability zones. Calls go at the newest microversion both sides speak, up to
 * 2.73.
 */
export class Nova {
  constructor(private readonly session: OpenStackSession) {}

  /** The microversion calls are sent at; null when Nova has none (2.1 without microversions). */
  async microversion(): Promise<string | null> {
    const max = (await this.session.root('compute')).maxMicroversion;
    if (!max) return null;
    const [major, minor] = max.split('.').map(Number) as [number, number];
    if (major > WANTED_MICROVERSION[0] || (major === WANTED_MICROVERSION[0] && minor >= WANTED_MICROVERSION[1])) return WANTED_MICROVERSION.join('.');
    return max;
  }

  /** Whether Nova takes `networks: auto` (microversion 2.37 on). */
  async takesAutoNetworks(): Promise<boolean> {
    const version = await this.microversion();
    return version !== null && Number(version.split('.')[1]) >= 37;
  }

  /** Every server of the project, all pages. */
  async listServers(): Promise<NovaServer[]> {
    const microversion = await this.microversion();
    const servers: NovaServer[] = [];
    let path = '/servers/detail';
    for (let pages = 0; pages < 10_000; pages++) {
      const answer = await this.session.call<{ servers?: NovaServer[]; servers_links?: { rel?: string; href?: string }[] }>('compute', { method: 'GET', path }, microversion);
      const page = answer.data.servers ?? [];
      servers.push(...page);
      const next = answer.data.servers_links?.find((link) => link.rel === 'next')?.href;
      if (!next || page.length === 0) break;
      path = next;
    }
    return servers;
  }

  /**
   * Creates a server; resolves its ID. A refusal for quota (Nova's "Quota exceeded", "Maximum
   * number of ports exceeded") is a `QuotaError`, so the launch is aborted and the pool pauses.
   */
  async createServer(server: NovaServerCreate): Promise<string> {
    try {
      const answer = await this.session.call<{ server?: { id?: string } }>('compute', { method: 'POST', path: '/servers', json: { server } }, await this.microversion());
      const id = answer.data.server?.id;
      if (!id) throw new OpenStackApiError('OpenStack compute.POST.servers: Nova answered without a server ID', answer.status, 'compute.POST.servers', 'no server ID');
      return id;
    } catch (error) {
      if (error instanceof OpenStackApiError && isQuotaMessage(error.detail)) throw new QuotaError(error.message, { cause: error });
      throw error;
    }
  }

  async deleteServer(id: string): Promise<void> {
    await this.session.call('compute', { method: 'DELETE', path: `/servers/${encodeURIComponent(id)}` }, await this.microversion());
  }

  /** The server's console log, or its last `length` lines. */
  async consoleOutput(id: string, length?: number): Promise<string> {
    const answer = await this.session.call<{ output?: string }>(
      'compute',
      { method: 'POST', path: `/servers/${encodeURIComponent(id)}/action`, json: { 'os-getConsoleOutput': { length: length ?? null } }, kind: 'read' },
      await this.microversion(),
    );
    return answer.data.output ?? '';
  }

  async listFlavors(): Promise<NovaFlavor[]> {
    const answer = await this.session.call<{ flavors?: NovaFlavor[] }>('compute', { method: 'GET', path: '/flavors/detail' }, await this.microversion());
    return answer.data.flavors ?? [];
  }

  async limits(): Promise<NovaLimits> {
    const answer = await this.session.call<{ limits?: { absolute?: NovaLimits } }>('compute', { method: 'GET', path: '/limits' }, await this.microversion());
    const absolute = answer.data.limits?.absolute;
    return { maxTotalInstances: absolute?.maxTotalInstances ?? -1, maxTotalCores: absolute?.maxTotalCores ?? -1, maxTotalRAMSize: absolute?.maxTotalRAMSize ?? -1 };
  }

  /** The names of the availability zones that are available. */
  async availabilityZones(): Promise<string[]> {
    const answer = await this.session.call<{ availabilityZoneInfo?: { zoneName: string; zoneState?: { available?: boolean } }[] }>('compute', { method: 'GET', path: '/os-availability-zone' }, await this.microversion());
    return (answer.data.availabilityZoneInfo ?? []).filter((zone) => zone.zoneState?.available).map((zone) => zone.zoneName);
  }
}
