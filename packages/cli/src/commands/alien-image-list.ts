import { alienImageList, createProvider, getLogger, ZooKeeperStatusSource, type AlienImageProvider } from '@nodepool/core';
import { driversFor, nowOf, withZooKeeper, type CommandContext } from '../cli-context.js';
import { printListing } from '../print-listing.js';
import type { ListingOptions } from './listings.js';

/**
 * `nodepool alien-image-list [PROVIDER]`: cloud images Nodepool uploaded that ZooKeeper no
 * longer knows, for the providers of the local configuration whose driver can list them.
 */
export async function alienImageListCommand(context: CommandContext, providerName: string | undefined, options: ListingOptions): Promise<number> {
  const now = nowOf(context);
  const listing = await withZooKeeper(context, async (zk, config) => {
    const providers: AlienImageProvider[] = [];
    for (const providerConfig of config.providers.values()) {
      if (providerName && providerConfig.name !== providerName) continue;
      const log = getLogger('nodepool.cmd', { provider: providerConfig.name });
      const driver = await driversFor(context).resolve(providerConfig.driver);
      const provider = createProvider(providerConfig, driver, { zk, hostname: 'nodepool-cli', log }, { listingIntervalMs: 10_000, quotaCacheMs: 300_000 });
      if (provider) providers.push({ config: providerConfig, provider });
    }
    return alienImageList(new ZooKeeperStatusSource(zk), providers);
  });
  printListing(context.output, listing, { json: options.json, now });
  return 0;
}
