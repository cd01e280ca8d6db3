import type { KindBehaviour } from './cluster-context.js';
import type { StatusCause } from './k8s-status.js';
import { required, unsupported } from './kube-validation.js';

/** Roles: every rule needs verbs, and resources or non-resource URLs. */
export const roleBehaviour: KindBehaviour = {
  validate(role) {
    const causes: StatusCause[] = [];
    const rules = (role.rules ?? []) as { verbs?: unknown[]; resources?: unknown[]; apiGroups?: unknown[]; nonResourceURLs?: unknown[] }[];
    if (!Array.isArray(rules)) return [required('rules')];
    rules.forEach((rule, index) => {
      if (!Array.isArray(rule?.verbs) || rule.verbs.length === 0) causes.push(required(`rules[${index}].verbs`, 'Required value: verbs must contain at least one value'));
      if (!Array.isArray(rule?.apiGroups) || rule.apiGroups.length === 0) causes.push(required(`rules[${index}].apiGroups`, 'Required value: resource rules must supply at least one api group'));
      if (!Array.isArray(rule?.resources) || rule.resources.length === 0) causes.push(required(`rules[${index}].resources`, 'Required value: resource rules must supply at least one resource'));
    });
    return causes;
  },
};

const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

/**
 * Role bindings: a roleRef to a Role or ClusterRole of the RBAC group; subjects of known kinds (a
 * service account without a namespace is the binding's own namespace's).
 */
export const roleBindingBehaviour: KindBehaviour = {
  validate(binding) {
    const causes: StatusCause[] = [];
    const roleRef = binding.roleRef as { apiGroup?: string; kind?: string; name?: string } | undefined;
    if (!roleRef) return [required('roleRef')];
    if (roleRef.apiGroup !== 'rbac.authorization.k8s.io') causes.push(unsupported('roleRef.apiGroup', roleRef.apiGroup ?? '', ['rbac.authorization.k8s.io']));
    if (roleRef.kind !== 'Role' && roleRef.kind !== 'ClusterRole') causes.push(unsupported('roleRef.kind', roleRef.kind ?? '', ['Role', 'ClusterRole']));
    if (!roleRef.name) causes.push(required('roleRef.name'));
    const subjects = (binding.subjects ?? []) as { kind?: string; name?: string; namespace?: string }[];
    subjects.forEach((subject, index) => {
      if (!SUBJECT_KINDS.includes(subject?.kind ?? '')) causes.push(unsupported(`subjects[${index}].kind`, subject?.kind ?? '', SUBJECT_KINDS));
      if (!subject?.name) causes.push(required(`subjects[${index}].name`));
    });
    return causes;
  },
};
