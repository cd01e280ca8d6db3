import { lookup } from 'node:dns/promises';
import { NodepoolError, scanHostKeys, waitForPort } from '@nodepool/core';
import type { StaticNodeConfig } from './config.js';

/** The scanned host keys do not include every configured `host-key`. */
export class HostKeyMismatchError extends NodepoolError {
  constructor(
    readonly host: string,
    readonly scannedKeys: readonly string[],
  ) {
    super(`${host}: host key mismatch (the host offers ${scannedKeys.map((key) => key.split(' ')[0]).join(', ') || 'no keys'})`);
  }
}

/** Connection types that speak SSH, so their host keys can be scanned. */
const SSH_CONNECTION_TYPES: ReadonlySet<string> = new Set(['ssh', 'network_cli']);

/**
 * Checks a configured host before nodes are registered for it, as the original's `checkHost`,
 * and resolves with the host keys to put on its nodes:
 *
 * - `ssh`/`network_cli` with `host-key-checking: false`: the configured `host-key`s, unchecked
 *   (the host is not even contacted);
 * - `ssh`/`network_cli`: the keys a scan finds, which must include every configured `host-key`;
 * - any other type (`winrm`): none, once the port accepts a TCP connection.
 *
 * Waits up to the host's `timeout` for it to answer.
 *
 * @throws HostUnreachableError when the host did not answer in time.
 * @throws HostKeyMismatchError when a configured key is not among the scanned ones.
 */
export async function checkHost(host: StaticNodeConfig, signal?: AbortSignal): Promise<string[]> {
  const speaksSsh = SSH_CONNECTION_TYPES.has(host.connectionType);
  if (speaksSsh && !host.hostKeyChecking) return [...host.hostKeys];
  const options = { timeoutMs: host.timeout * 1000, signal };
  if (!speaksSsh) {
    await waitForPort(host.name, host.connectionPort, options);
    return [];
  }
  const keys = await scanHostKeys(host.name, host.connectionPort, options);
  const scanned = new Set(keys.map(comparable));
  if (!host.hostKeys.every((key) => scanned.has(comparable(key)))) throw new HostKeyMismatchError(host.name, keys);
  return keys;
}

/**
 * Whether a ready node's host still answers, as the original's liveness check: its port accepts
 * a connection within the host's `timeout`. Hosts without host key checking count as alive
 * without being contacted (they may sit on a network the launcher cannot reach).
 */
export async function isHostAlive(host: StaticNodeConfig, signal?: AbortSignal): Promise<boolean> {
  if (!host.hostKeyChecking) return true;
  try {
    await waitForPort(host.name, host.connectionPort, { timeoutMs: host.timeout * 1000, signal });
    return true;
  } catch {
    return false;
  }
}

/** The address of a host name, for `public_ipv4`/`public_ipv6` (the original's `set_node_ip`). */
export async function resolveAddress(name: string): Promise<{ publicIpv4: string | null; publicIpv6: string | null }> {
  const { address, family } = await lookup(name);
  return family === 6 ? { publicIpv4: null, publicIpv6: address } : { publicIpv4: address, publicIpv6: null };
}

/** A key as compared with the scanned ones: type and key data. */
function comparable(key: string): string {
  // Differs from Nodepool: a trailing comment (as copied from a .pub file) does not make a
  // configured key mismatch.
  return key.trim().split(/\s+/).slice(0, 2).join(' ');
}
