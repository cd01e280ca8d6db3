import { schema as s, type ConfigLabel, type ProviderConfig } from '@nodepool/core';
import { parsePodLabelSettings, podLabelKeys, type PodLabelSettings } from './pod-label.js';
import { parsePodPools, parseQuotaLimits, podPoolKeys, podProviderKeys, type PodPoolConfig, type PodQuotaLimits } from './pod-pool.js';
import { integer, optional, optionalInteger, type Entry } from './values.js';

export interface KubernetesLabelConfig extends ConfigLabel, PodLabelSettings {
  /** `namespace` (an empty namespace) or `pod` (a namespace with one pod); not checked. */
  readonly type: string;
}

export type KubernetesPoolConfig = PodPoolConfig<KubernetesLabelConfig>;

export interface KubernetesProviderConfig extends ProviderConfig<KubernetesPoolConfig>, PodQuotaLimits {
  /** The kube/config context; null to use the in-cluster service account. */
  readonly context: string | null;
  /** Attempts before a launch counts as failed; default 3. */
  readonly launchRetries: number;
}

const label = s.mapping({
  name: s.required(s.str),
  // Documented as optional, required by the schema.
  type: s.required(s.str),
  ...podLabelKeys,
});

const pool = s.mapping({
  ...podPoolKeys,
  labels: s.required(s.list(label)),
});

/** A kubernetes provider entry, without the keys core adds for every provider. */
export const kubernetesProviderSchema = s.mapping({
  pools: s.required(s.list(pool)),
  context: s.str,
  'max-servers': s.int,
  ...podProviderKeys,
});

export function parseKubernetesConfig(entry: Entry): KubernetesProviderConfig {
  const limits = parseQuotaLimits(entry, 'max-servers');
  const pools = parsePodPools(entry, {
    limits,
    poolsInheritMaxServers: false,
    parseLabel: (labelEntry, defaults): KubernetesLabelConfig => ({
      name: labelEntry.name as string,
      type: labelEntry.type as string,
      ...parsePodLabelSettings(labelEntry, defaults),
    }),
  });
  return {
    name: entry.name as string,
    driver: 'kubernetes',
    maxConcurrency: integer(entry['max-concurrency'], -1),
    priority: optionalInteger(entry.priority),
    pools,
    manageImages: false,
    diskimages: [],
    raw: entry,
    context: optional(entry.context),
    launchRetries: integer(entry['launch-retries'], 3),
    ...limits,
  };
}
