import { randomBytes, randomUUID } from 'node:crypto';
import type { ClusterContext, DeleteOptions, KindBehaviour } from './cluster-context.js';
import { matchesFields, parseFieldSelector, type FieldSelector } from './field-selector.js';
import { alreadyExists, badRequest, forbidden, gone, invalid, notFound, successStatus, type StatusCause } from './k8s-status.js';
import { checkAnnotations, checkDns1123Label, checkDns1123Subdomain, checkLabels, required, timestamp } from './kube-validation.js';
import { matchesLabels, parseLabelSelector, type LabelSelector } from './label-selector.js';
import { namespaceBehaviour, namespacePhase } from './namespace-behaviour.js';
import type { KubeObject, StoreEvent } from './object-store.js';
import { createLegacyRoleBinding, getProject, legacyRoleBindingView, projectView, requestProject } from './openshift-api.js';
import { podBehaviour } from './pod-behaviour.js';
import { roleBehaviour, roleBindingBehaviour } from './rbac-behaviour.js';
import type { KubeUser } from './rbac-authorizer.js';
import { apiVersionOf, storeKey, type ResourceKind } from './resource-kinds.js';
import { secretBehaviour, serviceAccountBehaviour } from './service-account-behaviour.js';

const BEHAVIOURS: Readonly<Record<string, KindBehaviour>> = {
  namespaces: namespaceBehaviour,
  pods: podBehaviour,
  serviceaccounts: serviceAccountBehaviour,
  secrets: secretBehaviour,
  'roles.rbac.authorization.k8s.io': roleBehaviour,
  'rolebindings.rbac.authorization.k8s.io': roleBindingBehaviour,
};

const PROJECTS = 'projects.project.openshift.io';
const PROJECT_REQUESTS = 'projectrequests.project.openshift.io';
const LEGACY_BINDINGS = 'rolebindings.authorization.openshift.io';
const RBAC_BINDINGS = 'rolebindings.rbac.authorization.k8s.io';

/** Where a kind's objects are stored, and how they look through it (projects are namespaces). */
function storage(kind: ResourceKind): { resource: string; view: (object: KubeObject) => KubeObject } {
  switch (storeKey(kind)) {
    case PROJECTS:
      return { resource: 'namespaces', view: projectView };
    case LEGACY_BINDINGS:
      return { resource: RBAC_BINDINGS, view: legacyRoleBindingView };
    default:
      return { resource: storeKey(kind), view: (object) => object };
  }
}

/** POST: validation, admission, storage, controllers. `dryRun` checks without storing. */
export function createObject(context: ClusterContext, kind: ResourceKind, namespace: string, body: Record<string, unknown>, user: KubeUser, dryRun = false): KubeObject {
  const key = storeKey(kind);
  if (key === PROJECT_REQUESTS) return requestProject(context, body, user);
  if (key === LEGACY_BINDINGS) return createLegacyRoleBinding(context, namespace, body);
  if (key === PROJECTS) throw forbidden('projects', 'project.openshift.io', '', 'projects are made through projectrequests');
  const expected = apiVersionOf(kind);
  if (body.apiVersion !== undefined && body.apiVersion !== expected) throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`);
  if (body.kind !== undefined && body.kind !== kind.kind) throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${kind.kind})`);
  const metadata = { ...((body.metadata ?? {}) as Record<string, unknown>) };
  if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== '') throw badRequest('resourceVersion should not be set on objects to be created');
  if (kind.namespaced && metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  let name = typeof metadata.name === 'string' ? metadata.name : '';
  if (name === '' && typeof metadata.generateName === 'string' && metadata.generateName !== '') {
    name = `${metadata.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
  }
  const behaviour = BEHAVIOURS[key] ?? {};
  const object: KubeObject = {
    ...body,
    kind: kind.kind,
    apiVersion: expected,
    metadata: {
      ...metadata,
      name,
      ...(kind.namespaced ? { namespace } : {}),
      uid: randomUUID(),
      creationTimestamp: timestamp(),
    },
  } as KubeObject;
  delete object.metadata.deletionTimestamp;
  if (key !== 'pods') delete object.status;
  const causes: StatusCause[] = [];
  if (name === '') causes.push(required('metadata.name', 'Required value: name or generateName is required'));
  else causes.push(...(kind.resource === 'namespaces' || kind.resource === 'serviceaccounts' ? checkDns1123Label('metadata.name', name) : key.includes('.rbac.') ? checkPathSegment(name) : checkDns1123Subdomain('metadata.name', name)));
  causes.push(...checkLabels('metadata.labels', metadata.labels), ...checkAnnotations('metadata.annotations', metadata.annotations));
  causes.push(...(behaviour.validate?.(object) ?? []));
  if (causes.length > 0) throw invalid(kind.kind, kind.group, name, causes);
  if (kind.namespaced) {
    const phase = namespacePhase(context, namespace);
    if (!phase) throw notFound('namespaces', '', namespace);
    if (phase === 'Terminating') {
      throw forbidden(kind.resource, kind.group, name, `unable to create new content in namespace ${namespace} because it is being terminated`, [
        { reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' },
      ]);
    }
  }
  if (context.store.get(key, namespace, name)) throw alreadyExists(kind.resource, kind.group, name);
  const admitted = behaviour.admit?.(context, object) ?? object;
  if (dryRun) return admitted;
  const stored = context.store.create(key, admitted);
  behaviour.created?.(context, stored);
  return stored;
}

/** Names of RBAC objects: any path segment. */
function checkPathSegment(name: string): StatusCause[] {
  if (name !== '.' && name !== '..' && !/[/%]/.test(name)) return [];
  return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: may not contain '/' or '%' or be '.' or '..'`, field: 'metadata.name' }];
}

/** GET of one object. */
export function getObject(context: ClusterContext, kind: ResourceKind, namespace: string, name: string): KubeObject {
  if (storeKey(kind) === PROJECTS) return getProject(context, name);
  const { resource, view } = storage(kind);
  const object = context.store.get(resource, kind.namespaced ? namespace : '', name);
  if (!object) throw notFound(kind.resource, kind.group, name);
  return view(object);
}

/** The selection a list or watch asks for. */
export interface Selection {
  readonly namespace: string | undefined;
  readonly labels: LabelSelector;
  readonly fields: FieldSelector;
}

export function selection(kind: ResourceKind, namespace: string, query: URLSearchParams): Selection {
  return {
    namespace: kind.namespaced && namespace !== '' ? namespace : undefined,
    labels: parseLabelSelector(query.get('labelSelector')),
    fields: parseFieldSelector(query.get('fieldSelector'), kind.fields),
  };
}

function selects(chosen: Selection, object: KubeObject): boolean {
  return matchesLabels(chosen.labels, object.metadata.labels) && matchesFields(chosen.fields, object as Record<string, unknown>);
}

/** Every matching object, as the kind shows it. */
export function selectObjects(context: ClusterContext, kind: ResourceKind, chosen: Selection): KubeObject[] {
  const { resource, view } = storage(kind);
  return context.store.list(resource, chosen.namespace).map(view).filter((object) => selects(chosen, object));
}

/** GET of a collection: `<Kind>List`, paged by `limit` and `continue`. */
export function listObjects(context: ClusterContext, kind: ResourceKind, namespace: string, query: URLSearchParams): Record<string, unknown> {
  if (storeKey(kind) === PROJECT_REQUESTS) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  const chosen = selection(kind, namespace, query);
  let items = selectObjects(context, kind, chosen);
  const revision = String(context.store.revision);
  const token = query.get('continue');
  if (token) {
    let after: string;
    try {
      after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: string }).after;
    } catch {
      throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    }
    if (typeof after !== 'string') throw gone('The provided continue parameter is too old to display a consistent list result.');
    items = items.filter((item) => itemKey(item) > after);
  }
  const limit = Number(query.get('limit') ?? '0');
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit must be a non-negative integer, not ${query.get('limit')}`);
  let more: string | undefined;
  if (limit > 0 && items.length > limit) {
    items = items.slice(0, limit);
    more = Buffer.from(JSON.stringify({ after: itemKey(items[items.length - 1]!), rv: revision })).toString('base64url');
  }
  return {
    kind: `${kind.kind}List`,
    apiVersion: apiVersionOf(kind),
    metadata: { resourceVersion: revision, ...(more ? { continue: more, remainingItemCount: 0 } : {}) },
    // As the API server encodes typed lists: the items without kind and apiVersion.
    items: items.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest),
  };
}

function itemKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** DELETE of one object; answers with the object (or, for projects, a Status). */
export function deleteObject(context: ClusterContext, kind: ResourceKind, namespace: string, name: string, options: DeleteOptions): Record<string, unknown> {
  const key = storeKey(kind);
  if (options.propagationPolicy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(options.propagationPolicy)) {
    throw invalid('DeleteOptions', '', '', [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${options.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`, field: 'propagationPolicy' }]);
  }
  if (key === PROJECTS) {
    const namespaceObject = context.store.get('namespaces', '', name);
    if (!namespaceObject) throw notFound('projects', 'project.openshift.io', name);
    namespaceBehaviour.remove!(context, namespaceObject, options);
    return successStatus('projects', 'project.openshift.io', name, namespaceObject.metadata.uid);
  }
  const { resource, view } = storage(kind);
  const scope = kind.namespaced ? namespace : '';
  const object = context.store.get(resource, scope, name);
  if (!object) throw notFound(kind.resource, kind.group, name);
  if (key === LEGACY_BINDINGS) {
    context.store.remove(resource, scope, name);
    return successStatus('rolebindings', 'authorization.openshift.io', name, object.metadata.uid);
  }
  const behaviour = BEHAVIOURS[key];
  const answer = behaviour?.remove ? behaviour.remove(context, object, options) : (context.store.remove(resource, scope, name) ?? object);
  return key === resource ? answer : view(answer as KubeObject);
}

/** A change as a watch of `kind` and `chosen` reports it, if it reports it at all. */
export function watchEvent(kind: ResourceKind, chosen: Selection, event: StoreEvent): { type: string; object: KubeObject } | undefined {
  const { resource, view } = storage(kind);
  if (event.resource !== resource) return undefined;
  if (chosen.namespace !== undefined && event.namespace !== chosen.namespace) return undefined;
  const current = view(event.object);
  const now = selects(chosen, current);
  if (event.type !== 'MODIFIED') return now ? { type: event.type, object: current } : undefined;
  const before = event.previous ? selects(chosen, view(event.previous)) : false;
  if (now && before) return { type: 'MODIFIED', object: current };
  if (now) return { type: 'ADDED', object: current };
  // Leaving the selection reads as a deletion to the watcher, as from the API server's watch cache.
  if (before) return { type: 'DELETED', object: current };
  return undefined;
}
