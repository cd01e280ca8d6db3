import { forbidden } from './k8s-status.js';
import type { KubeObject, ObjectStore } from './object-store.js';

/** Who made a request: the fake's administrator, or a service account (by its token). */
export type KubeUser = { readonly kind: 'admin'; readonly name: string } | { readonly kind: 'serviceaccount'; readonly namespace: string; readonly name: string };

/** What a request wants to do, in RBAC's terms. */
export interface RequestAttributes {
  readonly verb: string;
  readonly group: string;
  /** With the subresource, if any: `pods/exec`. */
  readonly resource: string;
  /** '' for cluster-scoped requests. */
  readonly namespace: string;
  readonly name: string;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

/** The cluster roles every cluster has, as far as service accounts here use them. */
const CLUSTER_ROLES: Readonly<Record<string, PolicyRule[]>> = {
  admin: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  edit: [{ apiGroups: ['*'], resources: ['*'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] }],
  view: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
};

export function userName(user: KubeUser): string {
  return user.kind === 'admin' ? user.name : `system:serviceaccount:${user.namespace}:${user.name}`;
}

/**
 * RBAC as the API server applies it to a service account: allowed when a RoleBinding of the
 * request's namespace binds the account to a Role (of that namespace) or a ClusterRole whose
 * rules cover the verb, group, resource and name. Cluster-scoped requests are never allowed to a
 * service account here (no ClusterRoleBindings). The administrator may do anything.
 */
export function authorize(store: ObjectStore, user: KubeUser, request: RequestAttributes): void {
  if (user.kind === 'admin') return;
  if (request.namespace !== '') {
    for (const binding of store.list('rolebindings.rbac.authorization.k8s.io', request.namespace)) {
      if (!bindsAccount(binding, user)) continue;
      if (rulesOf(store, binding, request.namespace).some((rule) => covers(rule, request))) return;
    }
  }
  const [resource] = request.resource.split('/');
  const scope = request.namespace === '' ? 'at the cluster scope' : `in the namespace "${request.namespace}"`;
  throw forbidden(
    resource!,
    request.group,
    request.name,
    `User "${userName(user)}" cannot ${request.verb} resource "${request.resource}" in API group "${request.group}" ${scope}`,
  );
}

function bindsAccount(binding: KubeObject, user: KubeUser & { kind: 'serviceaccount' }): boolean {
  const subjects = (binding.subjects ?? []) as { kind?: string; name?: string; namespace?: string }[];
  return subjects.some((subject) => subject.kind === 'ServiceAccount' && subject.name === user.name && (subject.namespace ?? binding.metadata.namespace) === user.namespace);
}

function rulesOf(store: ObjectStore, binding: KubeObject, namespace: string): PolicyRule[] {
  const roleRef = (binding.roleRef ?? {}) as { kind?: string; name?: string };
  if (roleRef.kind === 'ClusterRole') return CLUSTER_ROLES[roleRef.name ?? ''] ?? [];
  const role = store.get('roles.rbac.authorization.k8s.io', namespace, roleRef.name ?? '');
  return ((role?.rules ?? []) as PolicyRule[]) ?? [];
}

function covers(rule: PolicyRule, request: RequestAttributes): boolean {
  const has = (list: string[] | undefined, value: string) => (list ?? []).includes('*') || (list ?? []).includes(value);
  if (!has(rule.verbs, request.verb)) return false;
  if (!has(rule.apiGroups, request.group)) return false;
  if (!has(rule.resources, request.resource)) return false;
  return !rule.resourceNames || rule.resourceNames.length === 0 || (request.name !== '' && rule.resourceNames.includes(request.name));
}
