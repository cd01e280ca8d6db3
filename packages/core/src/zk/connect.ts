import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import { formatServer, ZooKeeperClient, type ZooKeeperLogger } from '@nodepool/zookeeper';
import type { NodepoolConfig, ZooKeeperServerConfig } from '../config/nodepool-config.js';

/** The part of a loaded nodepool.yaml (secure file applied) that says how to reach ZooKeeper. */
export type ZooKeeperSettings = Pick<NodepoolConfig, 'zookeeperServers' | 'zookeeperTls' | 'zookeeperTimeout'>;

export interface ConnectToZooKeeperOptions {
  /** Give up connecting after this long. Default: twice the session timeout, at least 5 s. */
  connectTimeoutMs?: number;
  logger?: ZooKeeperLogger;
}

/**
 * The connect string for `zookeeper-servers`: `host:port,host:port/chroot`, IPv6 hosts in
 * brackets, the chroot once at the end (every path of the protocol is relative to it).
 *
 * Differs from Nodepool: it appends each entry's chroot to that entry's `host:port`, and kazoo
 * takes everything after the first "/" as the chroot, so a chroot given on more than one entry
 * (or on any but the last) silently yields a chroot such as `/np,zk2:2281/np` and one server.
 * Here every entry may name the chroot, as long as they name the same one.
 *
 * @throws Error when there are no servers, or entries name different chroots.
 */
export function zooKeeperConnectString(servers: readonly ZooKeeperServerConfig[]): string {
  if (servers.length === 0) throw new Error('the configuration names no zookeeper-servers');
  const chroots = [...new Set(servers.map((server) => server.chroot).filter((chroot): chroot is string => !!chroot && chroot !== '/'))];
  if (chroots.length > 1) {
    throw new Error(`zookeeper-servers name different chroots (${chroots.join(', ')}); a connection has one chroot`);
  }
  const chroot = chroots[0] ?? '';
  if (chroot !== '' && !chroot.startsWith('/')) throw new Error(`the zookeeper-servers chroot ${JSON.stringify(chroot)} must start with "/"`);
  return servers.map((server) => formatServer(server)).join(',') + chroot;
}

/**
 * TLS options for the client from `zookeeper-tls` (the PEM files read), or undefined for a
 * plain connection when it is absent. Nodepool requires all three of `ca`, `cert` and `key`.
 *
 * @throws Error naming the missing setting or the file that cannot be read.
 */
export async function zooKeeperTlsOptions(tls: ZooKeeperSettings['zookeeperTls']): Promise<ConnectionOptions | undefined> {
  if (!tls) return undefined;
  const keys = ['ca', 'cert', 'key'] as const;
  const missing = keys.filter((key) => !tls[key]);
  if (missing.length > 0) throw new Error(`zookeeper-tls needs ca, cert and key; missing: ${missing.join(', ')}`);
  // In order, so that of several unreadable files the error always names the first.
  const contents: string[] = [];
  for (const name of keys) {
    try {
      contents.push(await readFile(tls[name]!, 'utf8'));
    } catch (error) {
      throw new Error(`cannot read the zookeeper-tls ${name} file ${tls[name]}: ${(error as Error).message}`);
    }
  }
  const [ca, cert, key] = contents as [string, string, string];
  // The certificate chain is verified against the CA, but not the server's host name: kazoo
  // (the original's client) does not check it either, so a deployment's certificates that work
  // there must work here. Differs from Node's default.
  return { ca, cert, key, checkServerIdentity: () => undefined };
}

/**
 * A client connected (session established) to the configured ZooKeeper: servers and chroot
 * from `zookeeper-servers`, TLS from `zookeeper-tls`, session timeout `zookeeper-timeout`.
 * The caller closes it.
 *
 * @throws ZooKeeperConnectError (naming every server tried) when no server accepts a session
 * in time; Error for unusable settings.
 */
export async function connectToZooKeeper(settings: ZooKeeperSettings, options: ConnectToZooKeeperOptions = {}): Promise<ZooKeeperClient> {
  const client = await zooKeeperClientFor(settings, options.logger);
  // On failure connect() closes the client itself.
  await client.connect(options.connectTimeoutMs);
  return client;
}

/** A client for the configured ZooKeeper, not yet connected (see `connectToZooKeeper`). */
export async function zooKeeperClientFor(settings: ZooKeeperSettings, logger?: ZooKeeperLogger): Promise<ZooKeeperClient> {
  return new ZooKeeperClient({
    servers: zooKeeperConnectString(settings.zookeeperServers),
    sessionTimeoutMs: Math.round(settings.zookeeperTimeout * 1000),
    tls: await zooKeeperTlsOptions(settings.zookeeperTls),
    logger,
  });
}
