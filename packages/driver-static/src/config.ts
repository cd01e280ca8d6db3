import {
  commonPoolKeys,
  defaultConnectionPort,
  readCommonPoolFields,
  readCommonProviderFields,
  readEntries,
  readInteger,
  readString,
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
  // Deprecated spelling of connection-port: 9.0.0's load still reads it, its schema does not.
  'ssh-port': s.loadOnly(s.int),
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
  const connectionType = readString(entry['connection-type']) ?? 'ssh';
  const hostKey = entry['host-key'];
  return {
    name: entry.name as string,
    labels: splitLabels(entry.labels),
    username: (entry.username as string | undefined) ?? 'zuul',
    timeout: readInteger(entry.timeout, 5),
    hostKeyChecking: (entry['host-key-checking'] as boolean | undefined) ?? true,
    hostKeys: typeof hostKey === 'string' ? [hostKey] : ((hostKey as string[] | undefined) ?? []),
    connectionType,
    connectionPort: readInteger(entry['connection-port']) ?? readInteger(entry['ssh-port']) ?? defaultConnectionPort(connectionType),
    shellType: (entry['shell-type'] as string | undefined) ?? null,
    maxParallelJobs: readInteger(entry['max-parallel-jobs'], 1),
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
  };
}

export function parseStaticConfig(entry: Entry, context: ConfigContext): StaticProviderConfig {
  const pools = new Map<string, StaticPoolConfig>();
  readEntries(entry.pools).forEach((poolEntry, poolIndex) => {
    const nodes = readEntries(poolEntry.nodes).map(parseNode);
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
      ...readCommonPoolFields(poolEntry),
      labels,
      nodes,
    });
  });
  return {
    ...readCommonProviderFields(entry),
    driver: 'static',
    pools,
    manageImages: false,
    diskimages: [],
    raw: entry,
  };
}
