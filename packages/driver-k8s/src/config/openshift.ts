import { schema as s, type ConfigEntry, type ConfigLabel, type Schema } from '@nodepool/core';
import { parsePodLabelSettings, podLabelKeys, type PodLabelSettings } from './pod-label.js';
import { podPoolKeys, podProviderKeys, type PodPoolConfig, type PodPoolDefaults } from './pod-pool.js';
import { parsePodProvider, type PodProviderConfig } from './pod-provider.js';

export interface OpenshiftLabelConfig extends ConfigLabel, PodLabelSettings {
  /** `project` (an empty project) or `pod` (a project with one pod); not checked. */
  readonly type: string;
  /** imagePullSecrets of the pod, passed through; default empty. */
  readonly imagePullSecrets: readonly unknown[];
}

export type OpenshiftPoolConfig = PodPoolConfig<OpenshiftLabelConfig>;

export interface OpenshiftProviderConfig extends PodProviderConfig<OpenshiftLabelConfig> {
  /** The kube/config context, with the self-provisioner role. */
  readonly context: string;
}

/** Label keys of openshift and openshiftpods, besides `type` and whether `image` is required. */
export const openshiftLabelKeys: Record<string, Schema> = {
  ...podLabelKeys,
  'image-pull-secrets': s.anyList,
};

const label = s.mapping({
  name: s.required(s.str),
  type: s.required(s.str),
  ...openshiftLabelKeys,
});

const pool = s.mapping({
  ...podPoolKeys,
  labels: s.required(s.list(label)),
});

/**
 * An openshift provider entry, without the keys core adds for every provider. The provider
 * limit on projects is spelled `max-projects`; `max-servers`, documented here too, is missing
 * from 9.0.0's schema but read by its load when `max-projects` is not set.
 */
export const openshiftProviderSchema = s.mapping({
  pools: s.required(s.list(pool)),
  context: s.required(s.str),
  'max-projects': s.int,
  'max-servers': s.loadOnly(s.int),
  ...podProviderKeys,
});

/** The label fields openshift and openshiftpods share, defaults applied. */
export function parseOpenshiftLabel(entry: ConfigEntry, defaults: PodPoolDefaults, type: string): OpenshiftLabelConfig {
  return {
    name: entry.name as string,
    type,
    imagePullSecrets: (entry['image-pull-secrets'] as unknown[] | undefined) ?? [],
    ...parsePodLabelSettings(entry, defaults),
  };
}

export function parseOpenshiftConfig(entry: ConfigEntry): OpenshiftProviderConfig {
  return {
    ...parsePodProvider(entry, {
      driver: 'openshift',
      maxServersKeys: ['max-projects', 'max-servers'],
      poolsInheritMaxServers: true,
      parseLabel: (labelEntry, defaults) => parseOpenshiftLabel(labelEntry, defaults, labelEntry.type as string),
    }),
    context: entry.context as string,
  };
}
