import { readInteger, readIntegerMap, readOptional, schema as s, type ConfigEntry, type Schema } from '@nodepool/core';
import type { PodPoolDefaults } from './pod-pool.js';

export interface PodEnvVar {
  readonly name: string;
  readonly value: string;
}

/**
 * What the three drivers' labels share: how to build the pod (the container of a `pod` label).
 * Requests and limits are in the units of the docs: cores, MiB of memory, MB of storage.
 */
export interface PodLabelSettings {
  /** The container image; null for labels that make no pod (kubernetes `namespace`, openshift `project`). */
  readonly image: string | null;
  /** ImagePullPolicy; default `IfNotPresent`. */
  readonly imagePull: string;
  readonly pythonPath: string;
  readonly shellType: string | null;
  /** Requests: the label's own, else the pool's `default-label-*`, else null (none). */
  readonly cpu: number | null;
  readonly memory: number | null;
  readonly storage: number | null;
  /** Limits: the label's, else the pool's `default-label-*-limit`, else the request. */
  readonly cpuLimit: number | null;
  readonly memoryLimit: number | null;
  readonly storageLimit: number | null;
  /**
   * GPUs, used as both request and limit of `gpuResource`: a decimal number, or for
   * openshiftpods a Kubernetes quantity string (as 9.0.0's schemas have it).
   */
  readonly gpu: number | string | null;
  readonly gpuResource: string | null;
  /** Other resources counted against `max-resources`: the pool defaults overlaid with the label's. */
  readonly extraResources: Readonly<Record<string, number>>;
  readonly env: readonly PodEnvVar[];
  readonly nodeSelector: Readonly<Record<string, unknown>> | null;
  readonly privileged: boolean | null;
  readonly schedulerName: string | null;
  /** Kubernetes Volume and VolumeMount definitions, passed through. */
  readonly volumes: readonly unknown[] | null;
  readonly volumeMounts: readonly unknown[] | null;
  /** `metadata.labels` of the namespace or pod (not Nodepool labels). */
  readonly labels: Readonly<Record<string, unknown>> | null;
  /** `metadata.annotations` of the pod. */
  readonly annotations: Readonly<Record<string, unknown>> | null;
}

const envVar = s.mapping({
  name: s.required(s.str),
  value: s.required(s.str),
});

/**
 * Label keys of all three drivers (Nodepool 9.0.0). `type`, `image` and `image-pull-secrets`
 * differ between them and are added by each driver.
 */
export const podLabelKeys: Record<string, Schema> = {
  image: s.str,
  'image-pull': s.str,
  'python-path': s.str,
  'shell-type': s.str,
  cpu: s.int,
  memory: s.int,
  storage: s.int,
  'cpu-limit': s.int,
  'memory-limit': s.int,
  'storage-limit': s.int,
  // Python float: `gpu: 1` is rejected, `gpu: 1.0` accepted.
  gpu: s.float,
  'gpu-resource': s.str,
  env: s.list(envVar),
  'node-selector': s.anyMapping,
  privileged: s.bool,
  'scheduler-name': s.str,
  volumes: s.anyList,
  'volume-mounts': s.anyList,
  labels: s.anyMapping,
  annotations: s.anyMapping,
  'extra-resources': s.mapOf(s.int),
};

/** The pod settings of a label entry, with the pool's defaults applied as Nodepool does. */
export function parsePodLabelSettings(entry: ConfigEntry, defaults: PodPoolDefaults): PodLabelSettings {
  const cpu = readInteger(entry.cpu ?? defaults.cpu) ?? null;
  const memory = readInteger(entry.memory ?? defaults.memory) ?? null;
  const storage = readInteger(entry.storage ?? defaults.storage) ?? null;
  return {
    image: readOptional(entry.image),
    imagePull: (entry['image-pull'] as string | undefined) ?? 'IfNotPresent',
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
    shellType: readOptional(entry['shell-type']),
    cpu,
    memory,
    storage,
    cpuLimit: readInteger(entry['cpu-limit'] ?? defaults.cpuLimit ?? cpu) ?? null,
    memoryLimit: readInteger(entry['memory-limit'] ?? defaults.memoryLimit ?? memory) ?? null,
    storageLimit: readInteger(entry['storage-limit'] ?? defaults.storageLimit ?? storage) ?? null,
    gpu: readOptional(entry.gpu),
    gpuResource: readOptional(entry['gpu-resource']),
    extraResources: { ...defaults.extraResources, ...readIntegerMap(entry['extra-resources']) },
    env: (entry.env as PodEnvVar[] | undefined) ?? [],
    nodeSelector: readOptional(entry['node-selector']),
    privileged: readOptional(entry.privileged),
    schedulerName: readOptional(entry['scheduler-name']),
    volumes: readOptional(entry.volumes),
    volumeMounts: readOptional(entry['volume-mounts']),
    labels: readOptional(entry.labels),
    annotations: readOptional(entry.annotations),
  };
}
