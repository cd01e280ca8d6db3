import { commonPoolKeys, schema as s, type ConfigLabel, type ConfigPool, type Driver, type ProviderConfig } from '@nodepool/core';

type Entry = Readonly<Record<string, unknown>>;

/**
 * A minimal driver for core's own tests: pools of labels, each label optionally naming a
 * diskimage; `diskimages:` lists uploads. Registered under any name.
 */
export function testDriver(name = 'test'): Driver {
  const label = s.mapping({ name: s.required(s.str), diskimage: s.str });
  return {
    name,
    providerSchema: s.mapping({
      pools: s.list(s.mapping({ ...commonPoolKeys, name: s.required(s.str), labels: s.list(label) })),
      diskimages: s.list(s.mapping({ name: s.required(s.str) })),
      cloud: s.str,
    }),
    parseConfig(entry: Entry): ProviderConfig {
      const pools = new Map<string, ConfigPool>();
      for (const pool of (entry.pools as Entry[] | undefined) ?? []) {
        const labels = new Map<string, ConfigLabel>();
        for (const item of (pool.labels as Entry[] | undefined) ?? []) {
          labels.set(item.name as string, { name: item.name as string, diskimage: item.diskimage as string | undefined });
        }
        pools.set(pool.name as string, {
          name: pool.name as string,
          maxServers: (pool['max-servers'] as number | undefined) ?? Infinity,
          nodeAttributes: null,
          priority: pool.priority as number | undefined,
          labels,
        });
      }
      const diskimages = ((entry.diskimages as Entry[] | undefined) ?? []).map((image) => image.name as string);
      return {
        name: entry.name as string,
        driver: name,
        maxConcurrency: (entry['max-concurrency'] as number | undefined) ?? -1,
        priority: entry.priority as number | undefined,
        pools,
        manageImages: diskimages.length > 0,
        diskimages,
        raw: entry,
      };
    },
  };
}
