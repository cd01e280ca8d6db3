import { schema as s, type ProviderConfig } from '@nodepool/core';
import { openshiftLabelKeys, parseOpenshiftLabel, type OpenshiftLabelConfig } from './openshift.js';
import { parsePodPools, parseQuotaLimits, podPoolKeys, podProviderKeys, type PodPoolConfig, type PodQuotaLimits } from './pod-pool.js';
import { integer, optionalInteger, type Entry } from './values.js';

/** An openshiftpods label: always of type `pod`, and always with an image. */
export interface OpenshiftPodsLabelConfig extends OpenshiftLabelConfig {
  readonly type: 'pod';
  readonly image: string;
}

export type OpenshiftPodsPoolConfig = PodPoolConfig<OpenshiftPodsLabelConfig>;

export interface OpenshiftPodsProviderConfig extends ProviderConfig<OpenshiftPodsPoolConfig>, PodQuotaLimits {
  /** The kube/config context; an unprivileged service account will do. */
  readonly context: string;
  /** Attempts before a launch counts as failed; default 3. */
  readonly launchRetries: number;
}

// No `type` key: every label is a pod (the original forces it at load, after the schema).
const label = s.mapping({
  name: s.required(s.str),
  ...openshiftLabelKeys,
  image: s.required(s.str),
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
  ...podProviderKeys,
});

export function parseOpenshiftPodsConfig(entry: Entry): OpenshiftPodsProviderConfig {
  // Differs from Nodepool: 9.0.0 accepts max-pods but reads max-projects (which its schema
  // rejects), so the documented alias has no effect there; here it limits the pods.
  const limits = parseQuotaLimits(entry, 'max-pods');
  return {
    name: entry.name as string,
    driver: 'openshiftpods',
    maxConcurrency: integer(entry['max-concurrency'], -1),
    priority: optionalInteger(entry.priority),
    pools: parsePodPools(entry, {
      limits,
      poolsInheritMaxServers: true,
      parseLabel: (labelEntry, defaults): OpenshiftPodsLabelConfig => ({
        ...parseOpenshiftLabel(labelEntry, defaults, 'pod'),
        type: 'pod',
        image: labelEntry.image as string,
      }),
    }),
    manageImages: false,
    diskimages: [],
    raw: entry,
    context: entry.context as string,
    launchRetries: integer(entry['launch-retries'], 3),
    ...limits,
  };
}
