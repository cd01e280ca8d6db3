import { apiVersionOf, servedGroups, servedKinds, type ResourceKind } from './resource-kinds.js';

type Json = Record<string, unknown>;

/** The fake's version, as `/version` reports it. */
export const FAKE_VERSION = { major: '1', minor: '28', gitVersion: 'v1.28.0+nodepool-fake', gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2024-01-01T00:00:00Z', goVersion: 'go1.21.0', compiler: 'gc', platform: 'linux/amd64' };

/**
 * Discovery documents (`/api`, `/api/v1`, `/apis`, `/apis/<group>`, `/apis/<group>/<version>`),
 * as kubectl reads them to map `kubectl get ns` to `/api/v1/namespaces`. Undefined for a path
 * that is not a discovery path.
 */
export function discoveryDocument(segments: readonly string[], openshift: boolean, serverAddress: string): Json | undefined {
  const [root, group, version, ...rest] = segments;
  if (rest.length > 0) return undefined;
  if (root === 'api') {
    if (group === undefined) return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
    if (group === 'v1' && version === undefined) return resourceList('v1', servedKinds(openshift).filter((kind) => kind.group === ''));
    return undefined;
  }
  if (root !== 'apis') return undefined;
  const groups = servedGroups(openshift);
  if (group === undefined) return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDocument) };
  if (!groups.includes(group)) return undefined;
  if (version === undefined) return { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(group) };
  if (version !== 'v1') return undefined;
  return resourceList(`${group}/v1`, servedKinds(openshift).filter((kind) => kind.group === group));
}

function groupDocument(group: string): Json {
  const preferred = { groupVersion: `${group}/v1`, version: 'v1' };
  return { name: group, versions: [preferred], preferredVersion: preferred };
}

function resourceList(groupVersion: string, kinds: readonly ResourceKind[]): Json {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: kinds.map((kind) => ({
      name: kind.resource,
      singularName: kind.singular,
      namespaced: kind.namespaced,
      kind: kind.kind,
      verbs: kind.verbs,
      ...(kind.shortNames ? { shortNames: kind.shortNames } : {}),
      ...(kind.categories ? { categories: kind.categories } : {}),
      storageVersionHash: Buffer.from(`${apiVersionOf(kind)}/${kind.kind}`).toString('base64').slice(0, 11),
    })),
  };
}
