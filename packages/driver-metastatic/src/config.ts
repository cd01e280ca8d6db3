import {
  commonPoolKeys,
  formatPath,
  readCommonPoolFields,
  readCommonProviderFields,
  readEntries,
  readInteger,
  schema as s,
  type ConfigContext,
  type ConfigLabel,
  type ConfigPath,
  type ConfigPool,
  type ProviderConfig,
} from '@nodepool/core';

/** A label served from backing nodes (`providers.[metastatic].pools.labels`). */
export interface MetastaticLabelConfig extends ConfigLabel {
  /** The label (of some other provider) whose nodes serve as backing nodes. */
  readonly backingLabel: string;
  /** Nodes of this label one backing node carries at once; default 1. */
  readonly maxParallelJobs: number;
  /** Seconds an idle backing node is kept for new requests; default 60. */
  readonly graceTime: number;
  /** Seconds a backing node is kept at least (minimum billing periods); default 0. */
  readonly minRetentionTime: number;
  /** Seconds after which a backing node is retired gracefully; null for no limit. */
  readonly maxAge: number | null;
  /** Check the backing node's SSH host key before handing out a node; default the pool's. */
  readonly hostKeyChecking: boolean;
}

export interface MetastaticPoolConfig extends ConfigPool<MetastaticLabelConfig> {
  /** Default false. */
  readonly hostKeyChecking: boolean;
}

export interface MetastaticProviderConfig extends ProviderConfig<MetastaticPoolConfig> {
  /** Operations per second; fixed at 1 (the original reads `rate` but its schema rejects it). */
  readonly rate: number;
  /** Default 3. */
  readonly launchRetries: number;
  /** Seconds; default 3600. */
  readonly launchTimeout: number;
  /** Seconds; default 120. */
  readonly bootTimeout: number;
}

// ---- schema (Nodepool metastatic/config.py getSchema) --------------------------------------

const label = s.mapping({
  name: s.required(s.str),
  'backing-label': s.required(s.str),
  'max-parallel-jobs': s.int,
  'grace-time': s.int,
  // Differs from Nodepool: 9.0.0 rejects the three below; they came with 11.0.0 (min-retention-time,
  // max-age) and 10.0.0 (host-key-checking, here and in the pool). Accepted so that
  // configurations written for later versions load.
  'min-retention-time': s.int,
  'max-age': s.int,
  'host-key-checking': s.bool,
});

const pool = s.mapping({
  ...commonPoolKeys,
  name: s.required(s.str),
  labels: s.required(s.list(label)),
  // Differs from Nodepool: added in 10.0.0 (see the label keys).
  'host-key-checking': s.bool,
});

/** A metastatic provider entry, without the keys core adds for every provider. */
export const metastaticProviderSchema = s.mapping({
  // Read by the original's load(); whether 9.0.0's schema had them is not known. Accepted.
  'boot-timeout': s.int,
  'launch-timeout': s.int,
  'launch-retries': s.int,
  pools: s.required(s.list(pool)),
});

// ---- building ------------------------------------------------------------------------------

type Entry = Readonly<Record<string, unknown>>;

/** The settings that describe a backing node; labels sharing a backing label must agree on them. */
const BACKING_SETTINGS = [
  ['max-parallel-jobs', 'maxParallelJobs'],
  ['grace-time', 'graceTime'],
  ['min-retention-time', 'minRetentionTime'],
  ['max-age', 'maxAge'],
] as const;

/**
 * Builds the typed config of a metastatic provider entry that passed `metastaticProviderSchema`.
 * Reports what the original's load raises for: labels sharing a backing label with different
 * backing settings, and a max-age below the min-retention-time.
 */
export function parseMetastaticConfig(entry: Entry, context: ConfigContext): MetastaticProviderConfig {
  const byBackingLabel = new Map<string, { label: MetastaticLabelConfig; path: ConfigPath }>();
  const pools = new Map<string, MetastaticPoolConfig>();
  readEntries(entry.pools).forEach((poolEntry, poolIndex) => {
    const hostKeyChecking = (poolEntry['host-key-checking'] as boolean | undefined) ?? false;
    const labels = new Map<string, MetastaticLabelConfig>();
    readEntries(poolEntry.labels).forEach((labelEntry, labelIndex) => {
      const path: ConfigPath = ['pools', poolIndex, 'labels', labelIndex];
      const label: MetastaticLabelConfig = {
        name: labelEntry.name as string,
        backingLabel: labelEntry['backing-label'] as string,
        maxParallelJobs: readInteger(labelEntry['max-parallel-jobs'], 1),
        graceTime: readInteger(labelEntry['grace-time'], 60),
        minRetentionTime: readInteger(labelEntry['min-retention-time'], 0),
        maxAge: readInteger(labelEntry['max-age']) ?? null,
        hostKeyChecking: (labelEntry['host-key-checking'] as boolean | undefined) ?? hostKeyChecking,
      };
      // A max-age of 0 means none, as in the original.
      if (label.maxAge && label.maxAge < label.minRetentionTime) {
        context.report([...path, 'max-age'], `max-age (${label.maxAge}) must be at least min-retention-time (${label.minRetentionTime})`);
      }
      // One backing node serves every label that names its label, so they must describe it alike.
      const earlier = byBackingLabel.get(label.backingLabel);
      if (earlier) {
        const differing = BACKING_SETTINGS.filter(([, field]) => earlier.label[field] !== label[field]).map(([key]) => key);
        if (differing.length > 0) {
          context.report(
            path,
            `labels with backing-label "${label.backingLabel}" must have identical backing settings; ${differing.join(', ')} differ from ${formatPath([...context.path, ...earlier.path])}`,
          );
        }
      }
      byBackingLabel.set(label.backingLabel, { label, path });
      labels.set(label.name, label);
    });
    const name = poolEntry.name as string;
    pools.set(name, {
      name,
      ...readCommonPoolFields(poolEntry),
      hostKeyChecking,
      labels,
    });
  });

  return {
    ...readCommonProviderFields(entry),
    driver: 'metastatic',
    pools,
    manageImages: false,
    diskimages: [],
    rate: 1,
    launchRetries: readInteger(entry['launch-retries'], 3),
    launchTimeout: readInteger(entry['launch-timeout'], 3600),
    bootTimeout: readInteger(entry['boot-timeout'], 120),
    raw: entry,
  };
}
