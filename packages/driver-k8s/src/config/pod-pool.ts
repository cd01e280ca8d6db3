import {
  commonPoolKeys,
  readCommonPoolFields,
  readEntries,
  readInteger,
  readIntegerMap,
  schema as s,
  type ConfigEntry,
  type ConfigLabel,
  type ConfigPool,
  type KeySpec,
  type Schema,
} from '@nodepool/core';

/** The pool's `default-label-*` values, applied to labels that do not set their own. */
export interface PodPoolDefaults {
  readonly cpu: number | undefined;
  readonly memory: number | undefined;
  readonly storage: number | undefined;
  readonly cpuLimit: number | undefined;
  readonly memoryLimit: number | undefined;
  readonly storageLimit: number | undefined;
  readonly extraResources: Readonly<Record<string, number>>;
}

/** Quota limits of a provider; each pool starts from these. */
export interface PodQuotaLimits {
  /** Pods (or namespaces, projects) at once; Infinity when not set. */
  readonly maxServers: number;
  readonly maxCores: number;
  /** MiB. */
  readonly maxRam: number;
  /** Limits of other resources (see labels' `extraResources`); a missing one is unlimited. */
  readonly maxResources: Readonly<Record<string, number>>;
}

/** A pool of any of the three drivers. */
export interface PodPoolConfig<L extends ConfigLabel> extends ConfigPool<L> {
  readonly maxCores: number;
  readonly maxRam: number;
  readonly maxResources: Readonly<Record<string, number>>;
  readonly labelDefaults: PodPoolDefaults;
}

/** Pool keys of all three drivers; each adds its own `labels` schema. */
export const podPoolKeys: Record<string, Schema | KeySpec> = {
  ...commonPoolKeys,
  name: s.required(s.str),
  'max-cores': s.int,
  'max-ram': s.int,
  'max-resources': s.mapOf(s.int),
  'default-label-cpu': s.int,
  'default-label-memory': s.int,
  'default-label-storage': s.int,
  'default-label-cpu-limit': s.int,
  'default-label-memory-limit': s.int,
  'default-label-storage-limit': s.int,
  'default-label-extra-resources': s.mapOf(s.int),
};

/** Provider keys of all three drivers, besides `pools`, `context` and the max-servers spelling. */
export const podProviderKeys: Record<string, Schema | KeySpec> = {
  'launch-retries': s.int,
  'max-cores': s.int,
  'max-ram': s.int,
  'max-resources': s.mapOf(s.int),
};

/** The provider-level limits, `maxServers` read from the key the driver names it by. */
export function parseQuotaLimits(entry: ConfigEntry, maxServersKeys: readonly string[]): PodQuotaLimits {
  const key = maxServersKeys.find((candidate) => entry[candidate] !== undefined);
  return {
    maxServers: key === undefined ? Infinity : readInteger(entry[key], Infinity),
    maxCores: readInteger(entry['max-cores'], Infinity),
    maxRam: readInteger(entry['max-ram'], Infinity),
    maxResources: readIntegerMap(entry['max-resources']),
  };
}

export interface ParsePoolsOptions<L extends ConfigLabel> {
  readonly limits: PodQuotaLimits;
  /**
   * Whether a pool without `max-servers` takes the provider's (openshift and openshiftpods)
   * rather than Infinity (kubernetes, whose provider limit applies to all pools together).
   */
  readonly poolsInheritMaxServers: boolean;
  readonly parseLabel: (entry: ConfigEntry, defaults: PodPoolDefaults) => L;
}

/** The pools of a provider entry, keyed by name, in configuration order. */
export function parsePodPools<L extends ConfigLabel>(entry: ConfigEntry, options: ParsePoolsOptions<L>): Map<string, PodPoolConfig<L>> {
  const { limits } = options;
  const pools = new Map<string, PodPoolConfig<L>>();
  for (const poolEntry of readEntries(entry.pools)) {
    const labelDefaults: PodPoolDefaults = {
      cpu: readInteger(poolEntry['default-label-cpu']),
      memory: readInteger(poolEntry['default-label-memory']),
      storage: readInteger(poolEntry['default-label-storage']),
      cpuLimit: readInteger(poolEntry['default-label-cpu-limit']),
      memoryLimit: readInteger(poolEntry['default-label-memory-limit']),
      storageLimit: readInteger(poolEntry['default-label-storage-limit']),
      // Differs from Nodepool: 9.0.0 reads the misspelled 'default-label-extra_resources', which
      // the schema rejects, so the documented key is accepted and then ignored there.
      extraResources: readIntegerMap(poolEntry['default-label-extra-resources']),
    };
    const labels = new Map<string, L>();
    for (const labelEntry of readEntries(poolEntry.labels)) {
      const label = options.parseLabel(labelEntry, labelDefaults);
      labels.set(label.name, label);
    }
    const name = poolEntry.name as string;
    pools.set(name, {
      name,
      ...readCommonPoolFields(poolEntry, options.poolsInheritMaxServers ? limits.maxServers : Infinity),
      maxCores: readInteger(poolEntry['max-cores'], limits.maxCores),
      maxRam: readInteger(poolEntry['max-ram'], limits.maxRam),
      maxResources: { ...limits.maxResources, ...readIntegerMap(poolEntry['max-resources']) },
      labels,
      labelDefaults,
    });
  }
  return pools;
}
