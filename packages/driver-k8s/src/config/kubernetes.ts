import { readOptional, schema as s, type ConfigEntry, type ConfigLabel } from '@nodepool/core';
import { parsePodLabelSettings, podLabelKeys, type PodLabelSettings } from './pod-label.js';
import { podPoolKeys, podProviderKeys, type PodPoolConfig } from './pod-pool.js';
import { parsePodProvider, type PodProviderConfig } from './pod-provider.js';

export interface KubernetesLabelConfig extends ConfigLabel, PodLabelSettings {
  /** `namespace` (an empty namespace) or `pod` (a namespace with one pod); not checked. */
  readonly type: string;
}

export type KubernetesPoolConfig = PodPoolConfig<KubernetesLabelConfig>;

export interface KubernetesProviderConfig extends PodProviderConfig<KubernetesLabelConfig> {
  /** The kube/config context; null to use the in-cluster service account. */
  readonly context: string | null;
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

export function parseKubernetesConfig(entry: ConfigEntry): KubernetesProviderConfig {
  return {
    ...parsePodProvider(entry, {
      driver: 'kubernetes',
      maxServersKeys: ['max-servers'],
      poolsInheritMaxServers: false,
      parseLabel: (labelEntry, defaults): KubernetesLabelConfig => ({
        name: labelEntry.name as string,
        type: labelEntry.type as string,
        ...parsePodLabelSettings(labelEntry, defaults),
      }),
    }),
    context: readOptional(entry.context),
  };
}
