import {
  commonPoolKeys,
  schema as s,
  type ConfigContext,
  type ConfigLabel,
  type ConfigPool,
  type ProviderConfig,
} from '@nodepool/core';

/** One host of a static pool (Static Driver docs: `providers.[static].pools.nodes`). */
export interface StaticNodeConfig {
  /** Host name or address. */
  readonly name: string;
  readonly labels: readonly string[];
  readonly username: string;
  /** Seconds to wait for an SSH connection when checking the host. */
  readonly timeout: number;
  readonly hostKeyChecking: boolean;
  /** Known host keys; scanned from the host when empty and checking is on. */
  readonly hostKeys: readonly string[];
  readonly connectionType: string;
  readonly connectionPort: number;
  readonly shellType: string | null;
  /** Nodes registered for this host at once. */
  readonly maxParallelJobs: number;
  readonly pythonPath: string;
}

export interface StaticPoolConfig extends ConfigPool<ConfigLabel> {
  readonly nodes: readonly StaticNodeConfig[];
}

export type StaticProviderConfig = ProviderConfig<StaticPoolConfig>;

const stringOrList = s.any(s.str, s.list(s.str));

const node = s.mapping({
  name: s.required(s.str),
  labels: s.required(stringOrList),
  username: s.str,
  timeout: s.int,
  'host-key-checking': s.bool,
  'host-key': stringOrList,
  'connection-type': s.str,
  'connection-port': s.int,
  // Deprecated spelling of connection-port, still read.
  'ssh-port': s.int,
  'shell-type': s.str,
  'max-parallel-jobs': s.int,
  'python-path': s.str,
});

const pool = s.mapping({
  ...commonPoolKeys,
  name: s.str,
  nodes: s.list(node),
});

/** A static provider entry; no provider-level keys beyond pools. */
export const staticProviderSchema = s.mapping({
  pools: s.list(pool),
});

type Entry = Readonly<Record<string, unknown>>;

function splitLabels(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return Array.isArray(value) ? (value as string[]) : [];
}

function parseNode(entry: Entry): StaticNodeConfig {
  const connectionType = (entry['connection-type'] as string | undefined) ?? 'ssh';
  const hostKey = entry['host-key'];
  return {
    name: entry.name as string,
    labels: splitLabels(entry.labels),
    username: (entry.username as string | undefined) ?? 'zuul',
    timeout: (entry.timeout as number | undefined) ?? 5,
    hostKeyChecking: (entry['host-key-checking'] as boolean | undefined) ?? true,
    hostKeys: typeof hostKey === 'string' ? [hostKey] : ((hostKey as string[] | undefined) ?? []),
    connectionType,
    connectionPort: (entry['connection-port'] as number | undefined) ?? (entry['ssh-port'] as number | undefined) ?? (connectionType === 'winrm' ? 5986 : 22),
    shellType: (entry['shell-type'] as string | undefined) ?? null,
    maxParallelJobs: (entry['max-parallel-jobs'] as number | undefined) ?? 1,
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
  };
}

export function parseStaticConfig(entry: Entry, context: ConfigContext): StaticProviderConfig {
  const pools = new Map<string, StaticPoolConfig>();
  ((entry.pools as Entry[] | undefined) ?? []).forEach((poolEntry, poolIndex) => {
    const nodes = ((poolEntry.nodes as Entry[] | undefined) ?? []).map(parseNode);
    const seen = new Map<string, number>();
    nodes.forEach((host, nodeIndex) => {
      // The runtime tells hosts apart by name, port and user; two entries alike would fight.
      const key = `${host.name}:${host.connectionPort}:${host.username}`;
      if (seen.has(key)) context.report(['pools', poolIndex, 'nodes', nodeIndex, 'name'], `host ${host.name} (port ${host.connectionPort}, user ${host.username}) is listed twice`);
      seen.set(key, nodeIndex);
    });
    const labels = new Map<string, ConfigLabel>();
    for (const host of nodes) for (const name of host.labels) labels.set(name, { name });
    const name = (poolEntry.name as string | undefined) ?? '';
    pools.set(name, {
      name,
      maxServers: (poolEntry['max-servers'] as number | undefined) ?? Infinity,
      nodeAttributes: (poolEntry['node-attributes'] as Record<string, unknown> | undefined) ?? null,
      priority: poolEntry.priority as number | undefined,
      labels,
      nodes,
    });
  });
  return {
    name: entry.name as string,
    driver: 'static',
    maxConcurrency: (entry['max-concurrency'] as number | undefined) ?? -1,
    priority: entry.priority as number | undefined,
    pools,
    manageImages: false,
    diskimages: [],
    raw: entry,
  };
}
