import { randomUUID } from 'node:crypto';
import type { ClusterContext } from './cluster-context.js';
import { alreadyExists, badRequest, invalid, notFound } from './k8s-status.js';
import { checkDns1123Label, timestamp } from './kube-validation.js';
import { namespaceBehaviour } from './namespace-behaviour.js';
import type { KubeObject } from './object-store.js';
import type { KubeUser } from './rbac-authorizer.js';
import { userName } from './rbac-authorizer.js';

const PROJECT_API = 'project.openshift.io/v1';
const AUTHORIZATION_API = 'authorization.openshift.io/v1';
const RBAC_BINDINGS = 'rolebindings.rbac.authorization.k8s.io';

/** A namespace as OpenShift's project API shows it. */
export function projectView(namespace: KubeObject): KubeObject {
  return {
    kind: 'Project',
    apiVersion: PROJECT_API,
    metadata: namespace.metadata,
    spec: namespace.spec ?? { finalizers: ['kubernetes'] },
    status: namespace.status ?? { phase: 'Active' },
  };
}

/**
 * A ProjectRequest, as OpenShift's default project template serves it: a namespace annotated
 * with the display name, description and requester (labels of the request are not copied), and
 * the Project back.
 */
export function requestProject(context: ClusterContext, body: Record<string, unknown>, user: KubeUser): KubeObject {
  const metadata = (body.metadata ?? {}) as { name?: string };
  const name = metadata.name ?? '';
  if (body.kind !== undefined && body.kind !== 'ProjectRequest') throw badRequest(`ProjectRequest in version "v1" cannot be handled as a ProjectRequest: the kind is ${String(body.kind)}`);
  const causes = name === '' ? [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }] : checkDns1123Label('metadata.name', name);
  if (causes.length > 0) throw invalid('ProjectRequest', 'project.openshift.io', name, causes);
  if (context.store.get('namespaces', '', name)) throw alreadyExists('project', 'project.openshift.io', name);
  const annotations = {
    'openshift.io/description': String(body.description ?? ''),
    'openshift.io/display-name': String(body.displayName ?? ''),
    'openshift.io/requester': userName(user),
  };
  const admitted = namespaceBehaviour.admit!(context, {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name, uid: randomUUID(), creationTimestamp: timestamp(), annotations, labels: {} },
  });
  const namespace = context.store.create('namespaces', admitted);
  namespaceBehaviour.created!(context, namespace);
  return projectView(namespace);
}

/** Reads a project: its namespace, as a Project. */
export function getProject(context: ClusterContext, name: string): KubeObject {
  const namespace = context.store.get('namespaces', '', name);
  if (!namespace) throw notFound('projects', 'project.openshift.io', name);
  return projectView(namespace);
}

/** An authorization.openshift.io RoleBinding, stored as the RBAC binding OpenShift keeps it as. */
export function createLegacyRoleBinding(context: ClusterContext, namespace: string, body: Record<string, unknown>): KubeObject {
  const metadata = (body.metadata ?? {}) as { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  const name = metadata.name ?? '';
  const roleRef = (body.roleRef ?? {}) as { name?: string; namespace?: string };
  const causes = [];
  if (name === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
  if (!roleRef.name) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'roleRef.name' });
  if (causes.length > 0) throw invalid('RoleBinding', 'authorization.openshift.io', name, causes);
  if (context.store.get(RBAC_BINDINGS, namespace, name)) throw alreadyExists('rolebindings', 'authorization.openshift.io', name);
  const subjects = legacySubjects(body, namespace);
  const stored = context.store.create(RBAC_BINDINGS, {
    kind: 'RoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name, namespace, uid: randomUUID(), creationTimestamp: timestamp(), ...(metadata.labels ? { labels: metadata.labels } : {}), ...(metadata.annotations ? { annotations: metadata.annotations } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleRef.namespace ? 'Role' : 'ClusterRole', name: roleRef.name },
    subjects,
  });
  return legacyRoleBindingView(stored);
}

/** An RBAC binding as authorization.openshift.io/v1 shows it (with the legacy user and group names). */
export function legacyRoleBindingView(binding: KubeObject): KubeObject {
  const roleRef = binding.roleRef as { kind: string; name: string };
  const subjects = (binding.subjects ?? []) as { kind: string; name: string; namespace?: string }[];
  const userNames = subjects
    .filter((subject) => subject.kind !== 'Group')
    .map((subject) => (subject.kind === 'ServiceAccount' ? `system:serviceaccount:${subject.namespace ?? binding.metadata.namespace}:${subject.name}` : subject.name));
  const groupNames = subjects.filter((subject) => subject.kind === 'Group').map((subject) => subject.name);
  return {
    kind: 'RoleBinding',
    apiVersion: AUTHORIZATION_API,
    metadata: binding.metadata,
    roleRef: { name: roleRef.name, ...(roleRef.kind === 'Role' ? { namespace: binding.metadata.namespace } : {}) },
    subjects: subjects.map((subject) => ({ kind: subject.kind === 'User' ? 'User' : subject.kind, name: subject.name, ...(subject.namespace ? { namespace: subject.namespace } : {}) })),
    userNames: userNames.length > 0 ? userNames : null,
    groupNames: groupNames.length > 0 ? groupNames : null,
  };
}

/** Subjects from `subjects`, else from the legacy `userNames`/`groupNames`. */
function legacySubjects(body: Record<string, unknown>, namespace: string): Record<string, string>[] {
  const subjects = (body.subjects ?? []) as { kind?: string; name?: string; namespace?: string }[];
  if (subjects.length > 0) {
    return subjects.map((subject): Record<string, string> =>
      subject.kind === 'ServiceAccount'
        ? { kind: 'ServiceAccount', name: subject.name ?? '', namespace: subject.namespace ?? namespace }
        : { kind: subject.kind === 'Group' || subject.kind === 'SystemGroup' ? 'Group' : 'User', apiGroup: 'rbac.authorization.k8s.io', name: subject.name ?? '' },
    );
  }
  const users = ((body.userNames ?? []) as string[]).map((user): Record<string, string> => {
    const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
    return account ? { kind: 'ServiceAccount', name: account[2]!, namespace: account[1]! } : { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user };
  });
  const groups = ((body.groupNames ?? []) as string[]).map((group) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: group }));
  return [...users, ...groups];
}
