import {
  commonPoolKeys,
  formatPath,
  readCommonPoolFields,
  readCommonProviderFields,
  readEntries,
  readFloat,
  readInteger,
  schema as s,
  type ConfigContext,
  type ConfigLabel,
  type ConfigPath,
  type ConfigPool,
  type ProviderConfig,
} from '@nodepool/core';

/**
 * A label served from backing nodes (`providers.[metastatic].pools.labels`). Besides its own
 * keys it carries what a node shows while its backing node is not known yet, as Nodepool 9.0.0
 * writes it (image `unused`, connection settings `unknown`); once ready, the node takes its
 * backing node's.
 */
export interface MetastaticLabelConfig extends ConfigLabel {
  /** The label (of some other provider) whose nodes serve as backing nodes. */
  readonly backingLabel: string;
  /** Nodes of this label one backing node carries at once; default 1. */
  readonly maxParallelJobs: number;
  /** Seconds an idle backing node is kept for new requests; default 60. */
  readonly graceTime: number;
  /** Check the backing node's SSH host key before handing out a node; default the pool's. */
  readonly hostKeyChecking: boolean;
  /** `unused`: metastatic nodes boot no image of their own. */
  readonly cloudImage: string;
  /** `unknown` until the node is ready; then the backing node's. */
  readonly username: string;
  readonly pythonPath: string;
  readonly shellType: string;
  readonly connectionType: string;
}

export interface MetastaticPoolConfig extends ConfigPool<MetastaticLabelConfig> {
  /** Default false. */
  readonly hostKeyChecking: boolean;
}

export interface MetastaticProviderConfig extends ProviderConfig<MetastaticPoolConfig> {
  /** Operations per second; default 1. */
  readonly rate: number;
  /** Default 3. */
  readonly launchRetries: number;
  /** Seconds; default 3600. */
  readonly launchTimeout: number;
  /** Seconds; default 120. */
  readonly bootTimeout: number;
  /**
   * Always true: as in Nodepool 9.0.0, `launch-timeout` bounds the wait for a backing node and
   * `boot-timeout` only the host-key check after it (with `host-key-checking`).
   */
  readonly bootTimeoutAfterReady: true;
}

// ---- schema (Nodepool metastatic/config.py getSchema) --------------------------------------

const label = s.mapping({
  name: s.required(s.str),
  'backing-label': s.required(s.str),
  'max-parallel-jobs': s.int,
  'grace-time': s.int,
  // Ours, as an opt-in (Nodepool 10's key, here and in the pool; docs/compatibility.md).
  'host-key-checking': s.bool,
});

const pool = s.mapping({
  ...commonPoolKeys,
  name: s.required(s.str),
  labels: s.required(s.list(label)),
  // Ours, as an opt-in (see the label's).
  'host-key-checking': s.bool,
});

/** A metastatic provider entry, without the keys core adds for every provider. */
export const metastaticProviderSchema = s.mapping({
  pools: s.required(s.list(pool)),
  // Read by 9.0.0's load, missing from its schema.
  'boot-timeout': s.loadOnly(s.int),
  'launch-timeout': s.loadOnly(s.int),
  'launch-retries': s.loadOnly(s.int),
  rate: s.loadOnly(s.number),
});

// ---- building ------------------------------------------------------------------------------

type Entry = Readonly<Record<string, unknown>>;

/** What 9.0.0 writes to a metastatic node before its backing node is known (its `MetastaticCloudImage`). */
const PENDING_NODE_SETTINGS = {
  cloudImage: 'unused',
  username: 'unknown',
  pythonPath: 'unknown',
  shellType: 'unknown',
  connectionType: 'unknown',
} as const;

/** The settings that describe a backing node; labels sharing a backing label must agree on them. */
const BACKING_SETTINGS = [
  ['max-parallel-jobs', 'maxParallelJobs'],
  ['grace-time', 'graceTime'],
] as const;

/**
 * Builds the typed config of a metastatic provider entry that passed `metastaticProviderSchema`.
 * Reports labels sharing a backing label with different backing settings (which the original
 * meant to refuse).
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
        hostKeyChecking: (labelEntry['host-key-checking'] as boolean | undefined) ?? hostKeyChecking,
        ...PENDING_NODE_SETTINGS,
      };
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
    rate: readFloat(entry.rate, 1),
    launchRetries: readInteger(entry['launch-retries'], 3),
    launchTimeout: readInteger(entry['launch-timeout'], 3600),
    bootTimeout: readInteger(entry['boot-timeout'], 120),
    bootTimeoutAfterReady: true,
    raw: entry,
  };
}
