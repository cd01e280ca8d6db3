import type { V1Pod } from '@kubernetes/client-node';
import type { PodLabelSettings } from './config/index.js';

/** Where a pod or namespace belongs, for Nodepool's labels on it. */
export interface NodeOwner {
  readonly nodeId: string;
  readonly provider: string;
  readonly pool: string;
  readonly label: string;
}

/**
 * `metadata.labels` of what a node is made of: the label's own `labels`, then Nodepool's four
 * (`nodepool_node_id`, `nodepool_provider_name`, `nodepool_pool_name`, `nodepool_node_label`),
 * which leak cleanup reads back.
 */
export function nodepoolLabels(settings: Pick<PodLabelSettings, 'labels'>, owner: NodeOwner): Record<string, string> {
  return {
    ...(settings.labels as Record<string, string> | null),
    nodepool_node_id: owner.nodeId,
    nodepool_provider_name: owner.provider,
    nodepool_pool_name: owner.pool,
    nodepool_node_label: owner.label,
  };
}

/**
 * The pod of a `pod` label, as 9.0.0 builds it: one container named after the label, sleeping
 * forever, with the label's image, pull policy, env, requests and limits (cores; MiB; MB of
 * ephemeral storage; GPUs of `gpu-resource` to two decimals), volumes, node selector, scheduler
 * and privilege. `imagePullSecrets` is openshift's and openshiftpods' (always sent there, empty
 * or not).
 */
export function podBody(settings: PodLabelSettings, labelName: string, podName: string, owner: NodeOwner, imagePullSecrets?: readonly unknown[]): V1Pod {
  const requests: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  // Truthiness as in 9.0.0: a value of 0 is no request at all.
  if (settings.cpu) requests.cpu = Math.trunc(settings.cpu);
  if (settings.memory) requests.memory = `${Math.trunc(settings.memory)}Mi`;
  if (settings.storage) requests['ephemeral-storage'] = `${Math.trunc(settings.storage)}M`;
  if (settings.cpuLimit) limits.cpu = Math.trunc(settings.cpuLimit);
  if (settings.memoryLimit) limits.memory = `${Math.trunc(settings.memoryLimit)}Mi`;
  if (settings.storageLimit) limits['ephemeral-storage'] = `${Math.trunc(settings.storageLimit)}M`;
  if (settings.gpuResource && settings.gpu) {
    requests[settings.gpuResource] = gpuQuantity(settings.gpu);
    limits[settings.gpuResource] = gpuQuantity(settings.gpu);
  }
  const resources = {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
  const container: Record<string, unknown> = {
    name: labelName,
    image: settings.image,
    imagePullPolicy: settings.imagePull,
    command: ['/bin/sh', '-c'],
    args: ['while true; do sleep 30; done;'],
    env: settings.env,
    ...(Object.keys(resources).length > 0 ? { resources } : {}),
  };
  const spec: Record<string, unknown> = { containers: [container], ...(imagePullSecrets ? { imagePullSecrets } : {}) };
  if (settings.nodeSelector && Object.keys(settings.nodeSelector).length > 0) spec.nodeSelector = settings.nodeSelector;
  if (settings.schedulerName) spec.schedulerName = settings.schedulerName;
  if (settings.volumes && settings.volumes.length > 0) spec.volumes = settings.volumes;
  if (settings.volumeMounts && settings.volumeMounts.length > 0) container.volumeMounts = settings.volumeMounts;
  if (settings.privileged !== null) container.securityContext = { privileged: settings.privileged };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName, labels: nodepoolLabels(settings, owner), annotations: { ...(settings.annotations as Record<string, string> | null) } },
    spec,
    // 9.0.0 puts restartPolicy beside spec, where Kubernetes ignores it; so does the client
    // library's serializer, which sends only the fields a Pod has.
    restartPolicy: 'Never',
  } as unknown as V1Pod;
}

/**
 * 9.0.0's `'%.2f' % gpu`. Differs from Nodepool: openshiftpods' `gpu` is a string (its schema
 * says so), which 9.0.0 fails to format (every launch of the label fails); a numeric string is
 * formatted like a number here, any other passed through as the quantity it is.
 */
function gpuQuantity(gpu: number | string): string {
  const value = typeof gpu === 'number' ? gpu : Number(gpu);
  return Number.isFinite(value) && String(gpu).trim() !== '' ? value.toFixed(2) : String(gpu);
}
