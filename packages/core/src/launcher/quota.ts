import type { TenantResourceLimit } from '../config/nodepool-config.js';
import type { Provider } from '../driver/provider.js';
import type { ConfigPool } from '../driver/provider-config.js';
import { QuotaInformation } from '../driver/quota-information.js';
import type { Node } from '../zk/node.js';

/** What a node uses: its `resources` record, or one instance when it has none. */
export function nodeQuota(node: Node): QuotaInformation {
  const resources: Record<string, number> = {};
  for (const [name, amount] of Object.entries(node.resources ?? {})) if (typeof amount === 'number') resources[name] = amount;
  if (resources.instances === undefined) resources.instances = 1;
  return new QuotaInformation(resources);
}

/** What the nodes use together; on the request path, so summed in place. */
export function sumQuota(nodes: Iterable<Node>): QuotaInformation {
  const total: Record<string, number> = {};
  for (const node of nodes) {
    let instances = false;
    const resources = node.resources;
    if (resources) {
      for (const name in resources) {
        const amount = resources[name];
        if (typeof amount !== 'number') continue;
        total[name] = (total[name] ?? 0) + amount;
        if (name === 'instances') instances = true;
      }
    }
    if (!instances) total.instances = (total.instances ?? 0) + 1;
  }
  return new QuotaInformation(total);
}

/** What one node of `label` uses, as the provider says (default: one instance). */
export function labelQuota(provider: Provider, label: string): QuotaInformation {
  return provider.getQuotaForLabel?.(label) ?? new QuotaInformation({ instances: 1 });
}

/** A pool's limits: `max-servers` as instances, `max-cores`, `max-ram`, `max-resources`. */
export function poolLimits(pool: ConfigPool): QuotaInformation {
  return new QuotaInformation(
    {
      ...(pool.maxResources ?? {}),
      instances: pool.maxServers,
      ...(pool.maxCores !== undefined ? { cores: pool.maxCores } : {}),
      ...(pool.maxRam !== undefined ? { ram: pool.maxRam } : {}),
    },
    Infinity,
  );
}

/** A tenant's limits from `tenant-resource-limits`. */
export function tenantLimits(limit: TenantResourceLimit): QuotaInformation {
  return new QuotaInformation({ ...limit.resources, instances: limit.maxServers, cores: limit.maxCores, ram: limit.maxRam }, Infinity);
}
