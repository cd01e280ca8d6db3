import { normaliseChroot } from './paths.js';

/** One ZooKeeper server address. */
export interface ServerAddress {
  host: string;
  port: number;
}

/** The client port ZooKeeper listens on unless told otherwise. */
export const DEFAULT_PORT = 2181;

/**
 * Parses a connect string such as `zk1:2181,zk2:2181,[::1]:2281/nodepool`: a comma-separated
 * host list with optional ports, then an optional chroot.
 */
export function parseConnectString(connectString: string): { servers: ServerAddress[]; chroot: string } {
  const slash = connectString.indexOf('/');
  const hostPart = slash === -1 ? connectString : connectString.slice(0, slash);
  const chroot = normaliseChroot(slash === -1 ? undefined : connectString.slice(slash));
  const servers = hostPart
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => parseHostPort(entry, connectString));
  if (servers.length === 0) {
    throw new TypeError(`ZooKeeper connect string ${JSON.stringify(connectString)} names no server`);
  }
  return { servers, chroot };
}

function parseHostPort(entry: string, whole: string): ServerAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(entry);
  const match = bracketed ?? plain;
  if (!match || !match[1]) {
    throw new TypeError(`bad server ${JSON.stringify(entry)} in ZooKeeper connect string ${JSON.stringify(whole)}`);
  }
  const port = match[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`bad port in ${JSON.stringify(entry)} of ZooKeeper connect string ${JSON.stringify(whole)}`);
  }
  return { host: match[1], port };
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatServer(server: ServerAddress): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}
