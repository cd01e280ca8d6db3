import { readCommonProviderFields, readInteger, type ConfigEntry, type ConfigLabel, type ProviderConfig } from '@nodepool/core';
import { parsePodPools, parseQuotaLimits, type ParsePoolsOptions, type PodPoolConfig, type PodQuotaLimits } from './pod-pool.js';

/** A provider of any of the three drivers, without its `context` (whose default differs). */
export interface PodProviderConfig<L extends ConfigLabel> extends ProviderConfig<PodPoolConfig<L>>, PodQuotaLimits {
  /** Attempts before a launch counts as failed; default 3. */
  readonly launchRetries: number;
}

export interface ParsePodProviderOptions<L extends ConfigLabel> extends Omit<ParsePoolsOptions<L>, 'limits'> {
  readonly driver: string;
  /**
   * The keys the driver spells the provider's limit on nodes with, the first one set winning
   * (`max-servers`; `max-projects` then `max-servers`; …).
   */
  readonly maxServersKeys: readonly string[];
}

/** The fields of a provider entry the three drivers read alike; none of them builds images. */
export function parsePodProvider<L extends ConfigLabel>(entry: ConfigEntry, options: ParsePodProviderOptions<L>): PodProviderConfig<L> {
  const limits = parseQuotaLimits(entry, options.maxServersKeys);
  return {
    ...readCommonProviderFields(entry),
    driver: options.driver,
    pools: parsePodPools(entry, { limits, poolsInheritMaxServers: options.poolsInheritMaxServers, parseLabel: options.parseLabel }),
    manageImages: false,
    diskimages: [],
    raw: entry,
    launchRetries: readInteger(entry['launch-retries'], 3),
    ...limits,
  };
}
