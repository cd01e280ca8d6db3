/**
 * The typed configuration a driver builds from one `providers:` entry of nodepool.yaml.
 * Core reads the common fields below; everything else is the driver's own.
 */

/** A label as one pool offers it. Drivers extend it with their own settings. */
export interface ConfigLabel {
  /** The label name, as in the top-level `labels:` list. */
  readonly name: string;
  /**
   * The diskimage (built by nodepool-builder) nodes of this label boot from, if any. Core uses
   * it to tell whether the label's image is available (a `ready` upload exists).
   */
  readonly diskimage?: string | undefined;
  /** The cloud image nodes of this label boot from, if any (no build needed). */
  readonly cloudImage?: string | undefined;
}

/** One pool of a provider: a set of labels sharing quota limits. */
export interface ConfigPool<L extends ConfigLabel = ConfigLabel> {
  readonly name: string;
  /** `max-servers`; `Infinity` when not set. */
  readonly maxServers: number;
  /** `max-cores`, `max-ram` and other `max-resources`, where the driver supports them. */
  readonly maxCores?: number;
  readonly maxRam?: number;
  readonly maxResources?: Readonly<Record<string, number>>;
  /**
   * Check only the pool's own limits (and tenants'), not the provider's quota
   * (openstack's `ignore-provider-quota`). Default false.
   */
  readonly ignoreProviderQuota?: boolean;
  /** `node-attributes`, copied to each node's `attributes`. */
  readonly nodeAttributes: Readonly<Record<string, unknown>> | null;
  /** `priority` of the pool; undefined when neither pool nor provider set one (then 100). */
  readonly priority: number | undefined;
  /** Labels by name, in configuration order. */
  readonly labels: ReadonlyMap<string, L>;
}

/**
 * A provider's configuration. Built once per (re)load by the driver's `parseConfig`; immutable
 * afterwards. Two configs are the same provider setup when their `raw` values are equal, which
 * is how a reload tells changed providers from untouched ones.
 */
export interface ProviderConfig<P extends ConfigPool = ConfigPool> {
  readonly name: string;
  /** The driver name, as written in `driver:` (default `openstack`). */
  readonly driver: string;
  /** `max-concurrency`: launches in flight at once; -1 for no limit. */
  readonly maxConcurrency: number;
  /** `priority` at provider level, inherited by pools without their own. */
  readonly priority: number | undefined;
  /** Pools by name, in configuration order. */
  readonly pools: ReadonlyMap<string, P>;
  /** Whether nodepool-builder uploads diskimages to this provider (`diskimages:` is non-empty). */
  readonly manageImages: boolean;
  /** Names of the diskimages this provider takes uploads of. */
  readonly diskimages: readonly string[];
  /** The provider's entry as written in the file, for comparisons across reloads. */
  readonly raw: Readonly<Record<string, unknown>>;
  /**
   * The disk format nodepool-builder makes and uploads for this provider (`image-format`:
   * `qcow2`, `raw`, `vhd`, …). Optional; default `qcow2`, the original's OpenStack default.
   */
  readonly imageFormat?: string;
  /**
   * The cloud name of an upload, a Python format string over `{image_name}`, `{upload_id}` and
   * `{timestamp}`. Optional; default `{image_name}-{timestamp}`.
   */
  readonly imageNameFormat?: string;
  /**
   * `post-upload-hook`: run by nodepool-builder after each upload as
   * `<hook> <provider> <cloud image ID> <file>`; a failure deletes the upload. Optional.
   */
  readonly postUploadHook?: string | null;
}

/** Every label a provider's pools offer. */
export function supportedLabels(config: ProviderConfig): Set<string> {
  const labels = new Set<string>();
  for (const pool of config.pools.values()) for (const label of pool.labels.keys()) labels.add(label);
  return labels;
}

/** The pool's effective priority: its own, else the provider's, else 100 (lower wins). */
export function effectivePriority(provider: ProviderConfig, pool: ConfigPool): number {
  return pool.priority ?? provider.priority ?? 100;
}
