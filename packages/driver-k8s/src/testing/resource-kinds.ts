/**
 * The API resources the fake serves, as discovery (`/api/v1`, `/apis/<group>/<version>`)
 * describes them and the router finds them.
 */
export interface ResourceKind {
  /** Plural, lower case: `pods`. */
  readonly resource: string;
  readonly kind: string;
  readonly singular: string;
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** Only served when the fake plays OpenShift. */
  readonly openshift?: boolean;
  /** Fields a `fieldSelector` may name. */
  readonly fields: readonly string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const META_FIELDS = ['metadata.name', 'metadata.namespace'];

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  { resource: 'namespaces', kind: 'Namespace', singular: 'namespace', group: '', version: 'v1', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'], fields: [...META_FIELDS, 'status.phase'] },
  {
    resource: 'pods',
    kind: 'Pod',
    singular: 'pod',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['po'],
    categories: ['all'],
    fields: [...META_FIELDS, 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  },
  { resource: 'serviceaccounts', kind: 'ServiceAccount', singular: 'serviceaccount', group: '', version: 'v1', namespaced: true, verbs: ALL_VERBS, shortNames: ['sa'], fields: META_FIELDS },
  { resource: 'secrets', kind: 'Secret', singular: 'secret', group: '', version: 'v1', namespaced: true, verbs: ALL_VERBS, fields: [...META_FIELDS, 'type'] },
  { resource: 'roles', kind: 'Role', singular: 'role', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true, verbs: ALL_VERBS, fields: META_FIELDS },
  { resource: 'rolebindings', kind: 'RoleBinding', singular: 'rolebinding', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true, verbs: ALL_VERBS, fields: META_FIELDS },
  { resource: 'projects', kind: 'Project', singular: 'project', group: 'project.openshift.io', version: 'v1', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], openshift: true, fields: [...META_FIELDS, 'status.phase'] },
  { resource: 'projectrequests', kind: 'ProjectRequest', singular: 'projectrequest', group: 'project.openshift.io', version: 'v1', namespaced: false, verbs: ['create', 'list'], openshift: true, fields: META_FIELDS },
  { resource: 'rolebindings', kind: 'RoleBinding', singular: 'rolebinding', group: 'authorization.openshift.io', version: 'v1', namespaced: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'], openshift: true, fields: META_FIELDS },
];

/** The served resources, with or without OpenShift's. */
export function servedKinds(openshift: boolean): ResourceKind[] {
  return RESOURCE_KINDS.filter((kind) => openshift || !kind.openshift);
}

/** The groups (besides core) the fake serves, in discovery order. */
export function servedGroups(openshift: boolean): string[] {
  return [...new Set(servedKinds(openshift).map((kind) => kind.group).filter((group) => group !== ''))];
}

/** `pods` in the core group, `roles` in `rbac.authorization.k8s.io`. */
export function findKind(group: string, version: string, resource: string, openshift: boolean): ResourceKind | undefined {
  return servedKinds(openshift).find((kind) => kind.group === group && kind.version === version && kind.resource === resource);
}

/** The key a kind's objects are stored under: `pods`, `roles.rbac.authorization.k8s.io`. */
export function storeKey(kind: Pick<ResourceKind, 'resource' | 'group'>): string {
  return kind.group === '' ? kind.resource : `${kind.resource}.${kind.group}`;
}

/** `v1` or `rbac.authorization.k8s.io/v1`. */
export function apiVersionOf(kind: Pick<ResourceKind, 'group' | 'version'>): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}
