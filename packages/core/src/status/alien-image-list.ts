import type { Provider } from '../driver/provider.js';
import type { ProviderConfig } from '../driver/provider-config.js';
import { getLogger } from '../log.js';
import { columns, row, type StatusListing } from './status-listing.js';
import type { StatusSource } from './status-source.js';

export const ALIEN_IMAGE_LIST_COLUMNS = columns(['provider', 'Provider'], ['name', 'Name'], ['id', 'Image ID']);

/** A provider of the configuration and its (created, not started) runtime. */
export interface AlienImageProvider {
  readonly config: ProviderConfig;
  readonly provider: Provider;
}

/**
 * Cloud images Nodepool uploaded that ZooKeeper no longer accounts for, per provider. An image
 * is known when it is the cloud image of a `ready` upload of one of the provider's diskimages.
 * Providers without `listAlienImages` are left out; one whose listing fails is logged and left
 * out, as the original does.
 */
export async function alienImageList(source: StatusSource, providers: readonly AlienImageProvider[]): Promise<StatusListing> {
  const log = getLogger('nodepool.status');
  const rows = [];
  for (const { config, provider } of providers) {
    if (!provider.listAlienImages) continue;
    const known = new Set<string>();
    for (const image of config.diskimages) {
      for (const upload of await source.uploads(image)) {
        if (upload.provider === config.name && upload.state === 'ready' && upload.externalId) known.add(upload.externalId);
      }
    }
    let images;
    try {
      images = await provider.listAlienImages(known);
    } catch (error) {
      log.warn('listing alien images failed', { provider: config.name, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    for (const image of images) if (!known.has(image.id)) rows.push(row(ALIEN_IMAGE_LIST_COLUMNS, [config.name, image.name, image.id]));
  }
  return { columns: ALIEN_IMAGE_LIST_COLUMNS, rows };
}
