import { schema as s, type ConfigEntry } from '@nodepool/core';
import { openshiftLabelKeys, parseOpenshiftLabel, type OpenshiftLabelConfig } from './openshift.js';
import { podPoolKeys, podProviderKeys, type PodPoolConfig } from './pod-pool.js';
import { parsePodProvider, type PodProviderConfig } from './pod-provider.js';

/** An openshiftpods label: always of type `pod`, and always with an image. */
export interface OpenshiftPodsLabelConfig extends OpenshiftLabelConfig {
  readonly type: 'pod';
  readonly image: string;
}

export type OpenshiftPodsPoolConfig = PodPoolConfig<OpenshiftPodsLabelConfig>;

export interface OpenshiftPodsProviderConfig extends PodProviderConfig<OpenshiftPodsLabelConfig> {
  /** The kube/config context; an unprivileged service account will do. */
  readonly context: string;
}

// No `type` key: every label is a pod (the original forces it at load, after the schema).
const label = s.mapping({
  name: s.required(s.str),
  ...openshiftLabelKeys,
  image: s.required(s.str),
  // A string here, unlike the other two drivers' float (as 9.0.0's schemas have it).
  gpu: s.str,
});

const pool = s.mapping({
  ...podPoolKeys,
  // The pool name is the existing project the pods go in.
  labels: s.required(s.list(label)),
});

/** An openshiftpods provider entry, without the keys core adds for every provider. */
export const openshiftPodsProviderSchema = s.mapping({
  pools: s.required(s.list(pool)),
  context: s.required(s.str),
  'max-pods': s.int,
  // Missing from 9.0.0's schema, read by its load (as openshift's limit).
  'max-projects': s.loadOnly(s.int),
  'max-servers': s.loadOnly(s.int),
  ...podProviderKeys,
});

export function parseOpenshiftPodsConfig(entry: ConfigEntry): OpenshiftPodsProviderConfig {
  // 9.0.0 reads max-projects, then max-servers (both missing from its schema) and ignores the
  // documented max-pods. Differs from Nodepool: max-pods limits the pods when neither is set.
  return {
    ...parsePodProvider(entry, {
      driver: 'openshiftpods',
      maxServersKeys: ['max-projects', 'max-servers', 'max-pods'],
      poolsInheritMaxServers: true,
      parseLabel: (labelEntry, defaults): OpenshiftPodsLabelConfig => ({
        ...parseOpenshiftLabel(labelEntry, defaults, 'pod'),
        type: 'pod',
        image: labelEntry.image as string,
      }),
    }),
    context: entry.context as string,
  };
}
