import type { ClusterContext, KindBehaviour } from './cluster-context.js';
import { conflict } from './k8s-status.js';
import { timestamp } from './kube-validation.js';
import type { KubeObject } from './object-store.js';
import { createServiceAccount } from './service-account-behaviour.js';

/** Kinds whose objects live in namespaces, removed with their namespace. */
export const NAMESPACED_STORES = ['pods', 'secrets', 'serviceaccounts', 'roles.rbac.authorization.k8s.io', 'rolebindings.rbac.authorization.k8s.io'];

/**
 * Namespaces: `Active` with the `kubernetes` finalizer and their name label; a `default`
 * service account is made in each (the service-account controller); deleting one makes it
 * `Terminating`, then its contents and itself go after `namespaceDeleteDelayMs`.
 */
export const namespaceBehaviour: KindBehaviour = {
  admit(_context, namespace) {
    return {
      ...namespace,
      metadata: { ...namespace.metadata, labels: { ...namespace.metadata.labels, 'kubernetes.io/metadata.name': namespace.metadata.name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
  },
  created(context, namespace) {
    createServiceAccount(context, namespace.metadata.name, 'default');
  },
  remove(context, namespace) {
    const status = namespace.status as { phase?: string } | undefined;
    if (status?.phase === 'Terminating') {
      throw conflict('namespaces', '', namespace.metadata.name, 'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.');
    }
    const terminating = context.store.update('namespaces', {
      ...namespace,
      metadata: { ...namespace.metadata, deletionTimestamp: timestamp() },
      status: { phase: 'Terminating' },
    });
    context.later(context.settings().namespaceDeleteDelayMs, () => purgeNamespace(context, namespace.metadata.name));
    return terminating;
  },
};

/** Whether a namespace exists and takes new objects. */
export function namespacePhase(context: ClusterContext, name: string): 'Active' | 'Terminating' | undefined {
  const namespace = context.store.get('namespaces', '', name);
  if (!namespace) return undefined;
  return (namespace.status as { phase?: string } | undefined)?.phase === 'Terminating' ? 'Terminating' : 'Active';
}

/** The namespace controller's work: everything in it goes, then the namespace itself. */
export function purgeNamespace(context: ClusterContext, name: string): void {
  for (const resource of NAMESPACED_STORES) {
    for (const object of context.store.list(resource, name)) context.store.remove(resource, name, object.metadata.name);
  }
  context.store.remove('namespaces', '', name);
}

/** A namespace as stored, for objects made behind the API's back. */
export function namespaceObject(name: string, labels: Record<string, string> = {}, annotations?: Record<string, string>): KubeObject {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name, labels, ...(annotations ? { annotations } : {}) },
  };
}
