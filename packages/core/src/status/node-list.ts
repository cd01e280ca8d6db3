import { formatAge } from './format-age.js';
import { columns, row, type StatusListing } from './status-listing.js';
import type { StatusSource } from './status-source.js';

/** Every column of `/node-list` and `nodepool list --detail`, in the original's order. */
export const NODE_LIST_COLUMNS = columns(
  ['id', 'ID'],
  ['provider', 'Provider'],
  ['label', 'Label'],
  ['server_id', 'Server ID'],
  ['public_ipv4', 'Public IPv4'],
  ['ipv6', 'IPv6'],
  ['state', 'State'],
  ['age', 'Age'],
  ['locked', 'Locked'],
  ['pool', 'Pool'],
  ['hostname', 'Hostname'],
  ['private_ipv4', 'Private IPv4'],
  ['AZ', 'AZ'],
  ['username', 'Username'],
  ['connection_port', 'Port'],
  ['launcher', 'Launcher'],
  ['allocated_to', 'Allocated To'],
  ['hold_job', 'Hold Job'],
  ['comment', 'Comment'],
  ['user_data', 'User Data'],
  ['driver_data', 'Driver Data'],
);

/** The columns `nodepool list` shows without `--detail`. */
export const NODE_LIST_SUMMARY_FIELDS = ['id', 'provider', 'label', 'server_id', 'public_ipv4', 'ipv6', 'state', 'age', 'locked'] as const;

export interface NodeListOptions {
  /** Only this node (no rows when it does not exist). */
  readonly nodeId?: string | undefined;
  /** Epoch seconds ages are measured to; default now. */
  readonly now?: number | undefined;
}

/**
 * Nodes, sorted by ID (the original lists them in ZooKeeper's order). The age is already
 * formatted (`DD:HH:MM:SS`) even in JSON, as in the original; `locked` is `locked` while the
 * node's lock has a contender.
 */
export async function nodeList(source: StatusSource, options: NodeListOptions = {}): Promise<StatusListing> {
  const now = options.now ?? Date.now() / 1000;
  const nodes = options.nodeId ? [await source.node(options.nodeId)].filter((node) => node !== undefined) : await source.nodes();
  nodes.sort((a, b) => compareIds(a.id, b.id));
  const rows = await Promise.all(
    nodes.map(async (node) =>
      row(NODE_LIST_COLUMNS, [
        node.id,
        node.provider,
        node.type,
        node.externalId,
        node.publicIpv4,
        node.publicIpv6,
        node.state,
        formatAge(node.stateTime, now),
        (await source.isNodeLocked(node.id)) ? 'locked' : 'unlocked',
        node.pool,
        node.hostname,
        node.privateIpv4,
        node.az,
        node.username,
        node.connectionPort,
        node.launcher,
        node.allocatedTo,
        node.holdJob,
        node.comment,
        node.userData,
        node.driverData,
      ]),
    ),
  );
  return { columns: NODE_LIST_COLUMNS, rows };
}

/** Sequence IDs compare as numbers (a wrapped one is negative), anything else as text. */
export function compareIds(a: string, b: string): number {
  const left = Number(a);
  const right = Number(b);
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b) && left !== right) return left - right;
  return a < b ? -1 : a > b ? 1 : 0;
}
