import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from './client/kube-client.js';
import type { OpenshiftClient } from './client/openshift-client.js';
import { K8sLaunchError, KubeApiError } from './errors.js';
import { waitForObject } from './object-wait.js';

/** How long, how often, and until when a wait may go on. */
export interface WaitLimits {
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly signal: AbortSignal;
}

/** Phases a pod never leaves: it will not run. */
const FINAL_PHASES = ['Failed', 'Succeeded'];

/**
 * Waits until the pod runs (9.0.0: phase `Running`), watching it from `created`'s
 * resourceVersion. Differs from Nodepool: a pod that ended (`Failed`, `Succeeded`) or was
 * deleted fails the attempt at once, where 9.0.0 polls it until its 300 s are up.
 */
export async function waitForPodRunning(kube: KubeClient, namespace: string, name: string, created: V1Pod | undefined, limits: WaitLimits): Promise<V1Pod> {
  const pod = await waitForObject<V1Pod>(
    {
      read: () => kube.readPod(namespace, name),
      watch: (resourceVersion, onEvent, signal, timeoutS) => kube.watchObject(`/api/v1/namespaces/${namespace}/pods`, name, resourceVersion, onEvent, signal, timeoutS),
      resourceVersion: (object) => object.metadata?.resourceVersion,
    },
    {
      ...(created ? { initial: created } : {}),
      until: (object) => {
        if (!object) throw new K8sLaunchError(`${namespace}: pod ${name} was deleted while starting`);
        const phase = object.status?.phase;
        if (phase === 'Running') return true;
        if (phase && FINAL_PHASES.includes(phase)) throw new K8sLaunchError(`${namespace}: pod failed to initialize (${phase}${object.status?.reason ? `: ${object.status.reason}` : ''})`);
        return false;
      },
      timeoutMs: limits.timeoutMs,
      pollMs: limits.pollMs,
      signal: limits.signal,
      timeoutError: (last) => new K8sLaunchError(`${namespace}: pod failed to initialize (${describePod(last)})`),
    },
  );
  return pod!;
}

/** `Pending`, or `Pending: ImagePullBackOff` when a container says why. */
function describePod(pod: V1Pod | undefined): string {
  const phase = pod?.status?.phase ?? 'unknown';
  const waiting = pod?.status?.containerStatuses?.find((status) => status.state?.waiting?.reason)?.state?.waiting?.reason;
  return waiting ? `${phase}: ${waiting}` : phase;
}

/** Waits until the namespace is gone (watching it; 9.0.0 reads it once a second). */
export async function waitForNamespaceGone(kube: KubeClient, name: string, limits: WaitLimits): Promise<void> {
  await waitForObject(
    {
      read: () => kube.readNamespace(name),
      watch: (resourceVersion, onEvent, signal, timeoutS) => kube.watchObject('/api/v1/namespaces', name, resourceVersion, onEvent, signal, timeoutS),
      resourceVersion: (object) => object.metadata?.resourceVersion,
    },
    { until: (object) => object === undefined, ...limits, timeoutError: () => goneTimeout(`namespace ${name}`, limits) },
  );
}

/** Waits until the pod is gone. */
export async function waitForPodGone(kube: KubeClient, namespace: string, name: string, limits: WaitLimits): Promise<void> {
  await waitForObject(
    {
      read: () => kube.readPod(namespace, name),
      watch: (resourceVersion, onEvent, signal, timeoutS) => kube.watchObject(`/api/v1/namespaces/${namespace}/pods`, name, resourceVersion, onEvent, signal, timeoutS),
      resourceVersion: (object) => object.metadata?.resourceVersion,
    },
    { until: (object) => object === undefined, ...limits, timeoutError: () => goneTimeout(`pod ${namespace}/${name}`, limits) },
  );
}

/** Waits until the project is gone, reading it every `pollMs` as 9.0.0 does. */
export async function waitForProjectGone(openshift: OpenshiftClient, name: string, limits: WaitLimits): Promise<void> {
  await waitForObject(
    { read: () => openshift.readProject(name), resourceVersion: () => undefined },
    { until: (object) => object === undefined, ...limits, timeoutError: () => goneTimeout(`project ${name}`, limits) },
  );
}

function goneTimeout(what: string, limits: WaitLimits): Error {
  return new KubeApiError(0, 'Timeout', `${what} was still there after ${Math.round(limits.timeoutMs / 1000)} s`);
}
