import type { ClusterContext, KindBehaviour } from './cluster-context.js';
import { forbidden } from './k8s-status.js';
import { timestamp } from './kube-validation.js';
import type { KubeObject } from './object-store.js';
import { admitPod, checkPodSpec, settlePod, type PodOutcome } from './pod-lifecycle.js';

/**
 * Pods: admitted `Pending` (defaults filled, the namespace's pod quota and service account
 * checked), then `podStartDelayMs` later scheduled and `Running` — or, when a pod failure rule
 * takes the pod, stuck `Pending` with a waiting container or `Failed`. Deleting one removes it
 * after `podDeleteDelayMs` (meanwhile `Terminating`: it carries a deletionTimestamp).
 */
export const podBehaviour: KindBehaviour = {
  validate(pod) {
    return checkPodSpec(pod.spec);
  },
  admit(context, pod) {
    const namespace = pod.metadata.namespace!;
    const admitted = admitPod(pod);
    const account = (admitted.spec as { serviceAccountName: string }).serviceAccountName;
    if (!context.store.get('serviceaccounts', namespace, account)) {
      throw forbidden('pods', '', pod.metadata.name, `error looking up service account ${namespace}/${account}: serviceaccount "${account}" not found`);
    }
    const limit = context.settings().podsPerNamespace;
    if (limit !== null) {
      const used = context.store.list('pods', namespace).length;
      if (used + 1 > limit) {
        throw forbidden('pods', '', pod.metadata.name, `exceeded quota: pods, requested: pods=1, used: pods=${used}, limited: pods=${limit}`);
      }
    }
    return admitted;
  },
  created(context, pod) {
    const image = ((pod.spec as { containers: { image: string }[] }).containers[0]?.image) ?? '';
    const failure = context.takePodFailure({ image, name: pod.metadata.name, namespace: pod.metadata.namespace! });
    const outcome: PodOutcome = !failure
      ? { kind: 'running' }
      : failure.phase === 'Failed'
        ? { kind: 'failed', reason: failure.reason, message: failure.message ?? `The pod failed: ${failure.reason}` }
        : { kind: 'waiting', reason: failure.reason, message: failure.message ?? `Back-off pulling image "${image}"` };
    const index = context.nextPodIndex();
    context.later(context.settings().podStartDelayMs, () => {
      const current = context.store.get('pods', pod.metadata.namespace!, pod.metadata.name);
      // Deleted or being deleted meanwhile, or a new pod of the same name: nothing to start.
      if (!current || current.metadata.uid !== pod.metadata.uid || current.metadata.deletionTimestamp) return;
      context.store.update('pods', settlePod(current, context.settings().nodeName, index, outcome));
    });
  },
  remove(context, pod, options) {
    const delay = context.settings().podDeleteDelayMs;
    if (delay === 0) return context.store.remove('pods', pod.metadata.namespace!, pod.metadata.name) ?? pod;
    if (pod.metadata.deletionTimestamp) return pod;
    const grace = options.gracePeriodSeconds ?? ((pod.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30);
    const terminating = context.store.update('pods', {
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: timestamp(Date.now() + grace * 1000), deletionGracePeriodSeconds: grace },
    });
    context.later(delay, () => {
      const current = context.store.get('pods', pod.metadata.namespace!, pod.metadata.name);
      if (current?.metadata.uid === pod.metadata.uid) context.store.remove('pods', pod.metadata.namespace!, pod.metadata.name);
    });
    return terminating;
  },
};

/** A pod as stored, for pods made behind the API's back (`Running` at once). */
export function runningPodObject(namespace: string, name: string, image: string, labels: Record<string, string>, nodeName: string, index: number): KubeObject {
  const admitted = admitPod({ kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'main', image }] } });
  return settlePod(admitted, nodeName, index, { kind: 'running' });
}
