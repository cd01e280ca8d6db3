import { isIPv4 } from 'node:net';
import type { NovaAddress, NovaServer } from './client/nova.js';

/** Which of the cloud's networks route outwards, by name (openstacksdk's "interesting networks"). */
export interface NetworkRoles {
  /** `router:external` networks (or provider networks): their addresses are public. */
  readonly external: ReadonlySet<string>;
  /** The others: their addresses are private. */
  readonly internal: ReadonlySet<string>;
}

/** The addresses Nodepool records for a server. */
export interface ServerAddresses {
  readonly publicIpv4: string | null;
  readonly publicIpv6: string | null;
  readonly privateIpv4: string | null;
  /** What Zuul connects to. */
  readonly interfaceIp: string | null;
  /** Floating IPs Nova shows on the server. */
  readonly floating: readonly string[];
  /** Fixed IPv4 addresses. */
  readonly fixedIpv4: readonly string[];
}

/** IPv4 ranges Python's `ipaddress` calls private (openstacksdk skips them when it looks for a public address). */
const PRIVATE_V4: readonly [number, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['240.0.0.0', 4], ['255.255.255.255', 32],
].map(([base, bits]) => [toNumber(base as string), bits as number]);

function toNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

function isPrivateV4(address: string): boolean {
  const value = toNumber(address);
  return PRIVATE_V4.some(([base, bits]) => Math.floor(value / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** Addresses of one IP version (floating ones first), optionally of one network, type and MAC (openstacksdk's `find_nova_addresses`). */
function find(addresses: Readonly<Record<string, readonly NovaAddress[]>>, options: { network?: string; type?: 'fixed' | 'floating'; version?: number; mac?: string | undefined }): string[] {
  const floating: string[] = [];
  const fixed: string[] = [];
  for (const [network, list] of Object.entries(addresses)) {
    if (options.network !== undefined && network !== options.network) continue;
    for (const address of list) {
      if (options.type !== undefined && address['OS-EXT-IPS:type'] !== options.type) continue;
      if (options.mac !== undefined && address['OS-EXT-IPS-MAC:mac_addr'] !== options.mac) continue;
      if (address.version !== (options.version ?? 4)) continue;
      (address['OS-EXT-IPS:type'] === 'floating' ? floating : fixed).push(address.addr);
    }
  }
  return [...floating, ...fixed];
}

/**
 * A server's public and private addresses and the one to connect to, as openstacksdk's
 * `add_server_interfaces` (which Nodepool 9.0.0 relies on) works them out from Nova's
 * `addresses` and the cloud's networks:
 * - public IPv4: `accessIPv4`, an address on an external network, a floating IP, an address on
 *   a network named `public`, else any globally routable IPv4 address;
 * - public IPv6: `accessIPv6`, else any IPv6 address (none with `forceIpv4`);
 * - private IPv4: a fixed address on an internal network (the floating IP's port first), else
 *   on a network named `private`; none when the cloud is not `private` and has no internal network;
 * - interface: the private address for a `private` cloud; else the public IPv4, else the public
 *   IPv6. Differs from Nodepool: openstacksdk prefers IPv6 when the launcher's host has IPv6
 *   connectivity; we prefer IPv4 whenever there is a public one.
 * Nodepool then records the public IPv4 as the private one when there is no private address.
 */
export function serverAddresses(server: NovaServer, roles: NetworkRoles, options: { private: boolean; forceIpv4: boolean }): ServerAddresses {
  const addresses = server.addresses ?? {};
  const first = (list: string[]): string | null => list[0] ?? null;

  let publicIpv4: string | null = server.accessIPv4 || null;
  for (const network of roles.external) publicIpv4 ??= first(find(addresses, { network }));
  publicIpv4 ??= first(find(addresses, { type: 'floating' }));
  publicIpv4 ??= first(find(addresses, { network: 'public' }));
  if (publicIpv4 === null) {
    for (const list of Object.values(addresses)) {
      for (const address of list) if (publicIpv4 === null && isIPv4(address.addr) && !isPrivateV4(address.addr)) publicIpv4 = address.addr;
    }
  }

  const publicIpv6 = options.forceIpv4 ? null : server.accessIPv6 || first(find(addresses, { version: 6 }));

  const floatingInterface = Object.values(addresses).flat().find((address) => address['OS-EXT-IPS:type'] === 'floating');
  const mac = floatingInterface?.['OS-EXT-IPS-MAC:mac_addr'];
  let privateIpv4: string | null = null;
  for (const network of roles.internal) privateIpv4 ??= first(find(addresses, { network, type: 'fixed', mac }));
  for (const network of roles.internal) privateIpv4 ??= first(find(addresses, { network, mac }));
  privateIpv4 ??= first(find(addresses, { network: 'private', type: 'fixed', mac }));
  privateIpv4 ??= first(find(addresses, { network: 'private' }));

  const interfaceIp = options.private && privateIpv4 ? privateIpv4 : (publicIpv4 ?? publicIpv6);
  return {
    publicIpv4,
    publicIpv6,
    privateIpv4: privateIpv4 ?? publicIpv4,
    interfaceIp,
    floating: find(addresses, { type: 'floating' }),
    fixedIpv4: find(addresses, { type: 'fixed' }),
  };
}

/** Whether the server still wants a floating IP: it has a fixed address and no public or floating one. */
export function needsFloatingIp(addresses: ServerAddresses): boolean {
  return addresses.publicIpv4 === null && addresses.floating.length === 0 && addresses.fixedIpv4.length > 0;
}
