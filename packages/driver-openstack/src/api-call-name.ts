/**
 * The name of an OpenStack API call as openstacksdk names it in its statsd metrics
 * (`compute.GET.servers_detail`, `compute.DELETE.server`, `network.POST.floatingips`,
 * `identity.POST.tokens`): the service type, the method, and the path with IDs left out —
 * every other path segment, a collection followed by an ID losing its plural `s`, a leading
 * version segment dropped, `…/detail` kept as the last two segments. The fake counts calls by
 * these names and the driver times them under `nodepool.task.<provider>.<name>`.
 *
 * `path` is the part below the service's versioned endpoint or root (`/servers/abc/action`,
 * `/v2.0/ports`); a project ID in it is left out when given.
 */
export function apiCallName(serviceType: string, method: string, path: string, projectId?: string): string {
  let clean = path.split('?')[0]!.replace(/^\/+/, '').replace(/\/+$/, '');
  if (clean.endsWith('.json')) clean = clean.slice(0, -'.json'.length);
  const parts = clean.split('/').filter((part) => part !== '' && part !== projectId && part !== `AUTH_${projectId ?? ''}`);
  let names: string[];
  if (parts.at(-1) === 'detail') {
    names = parts.slice(-2);
  } else {
    const rest = parts.length > 0 && /^v\d/.test(parts[0]!) ? parts.slice(1) : parts;
    names = [];
    for (let index = 0; index < rest.length; index += 2) {
      const part = rest[index]!;
      const followedById = index + 1 < rest.length;
      names.push(followedById && part.endsWith('s') && !part.endsWith('is') ? part.slice(0, -1) : part);
    }
  }
  if (clean.endsWith('tokens')) names = ['tokens'];
  if (names.length === 0) names = ['discovery'];
  const normalize = (name: string): string => name.replace(/[.:]/g, '_');
  return `${normalize(serviceType)}.${method.toUpperCase()}.${names.map(normalize).join('_')}`;
}
