import { findKind, type ResourceKind } from './resource-kinds.js';

/** What an API path names: a kind, maybe a namespace, maybe one object (and a subresource). */
export interface ApiTarget {
  readonly kind: ResourceKind;
  /** '' when cluster-scoped or across all namespaces. */
  readonly namespace: string;
  /** '' for a collection. */
  readonly name: string;
  readonly subresource: string;
}

/**
 * Reads `/api/v1/namespaces/ns/pods/name` and `/apis/<group>/<version>/…` paths. Undefined
 * when the path names no resource the fake serves (a 404 "the server could not find the
 * requested resource").
 */
export function parseApiPath(segments: readonly string[], openshift: boolean): ApiTarget | undefined {
  let group: string;
  let version: string;
  let rest: readonly string[];
  if (segments[0] === 'api') {
    group = '';
    version = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return undefined;
  const lookup = (resource: string) => findKind(group, version, resource, openshift);
  // namespaces/<ns>/<resource>[/<name>[/<subresource>]] for namespaced kinds…
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const kind = lookup(rest[2]!);
    if (!kind?.namespaced || rest.length > 5) return undefined;
    return { kind, namespace: rest[1]!, name: rest[3] ?? '', subresource: rest[4] ?? '' };
  }
  // …<resource>[/<name>[/<subresource>]] for cluster-scoped ones (and lists across namespaces).
  const kind = lookup(rest[0]!);
  if (!kind || rest.length > 3) return undefined;
  if (kind.namespaced && rest.length > 1) return undefined;
  return { kind, namespace: '', name: rest[1] ?? '', subresource: rest[2] ?? '' };
}
