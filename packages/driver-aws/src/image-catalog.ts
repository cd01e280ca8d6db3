import type { Image } from '@aws-sdk/client-ec2';
import type { AwsClient } from './client.js';
import type { AwsCloudImageConfig, AwsLabelConfig } from './config.js';
import { TtlCache } from '@nodepool/core';

/** How long the newest AMI matching a cloud image's `image-filters` is reused (as the original). */
const FILTER_CACHE_MS = 5 * 60_000;

/**
 * The AMIs labels boot, each described once: by ID for the adapter's life (an AMI does not
 * change), by `image-filters` for five minutes (a newer match may appear). Launches of the
 * same image share one lookup.
 */
export class ImageCatalog {
  private readonly byId = new Map<string, Promise<Image>>();
  private readonly byFilters = new Map<string, TtlCache<Image>>();

  constructor(
    private readonly client: Pick<AwsClient, 'describeImages'>,
    private readonly cloudImages: ReadonlyMap<string, AwsCloudImageConfig>,
  ) {}

  /**
   * The AMI a label boots: the upload the kit picked (`imageExternalId`, for diskimage labels),
   * else its cloud image's `image-id`, else the newest AMI matching its `image-filters`.
   */
  async bootImage(label: Pick<AwsLabelConfig, 'name' | 'cloudImage' | 'diskimage'>, imageExternalId: string | undefined): Promise<Image> {
    if (imageExternalId !== undefined) return this.describe(imageExternalId);
    if (label.cloudImage === undefined) throw new Error(`label ${label.name} boots diskimage ${label.diskimage ?? '(none)'}, but no upload of it was given`);
    const image = this.cloudImages.get(label.cloudImage);
    if (!image) throw new Error(`cloud-image ${label.cloudImage} of label ${label.name} is not defined`);
    if (image.imageId !== null) return this.describe(image.imageId);
    return this.newestMatch(image);
  }

  private describe(imageId: string): Promise<Image> {
    let found = this.byId.get(imageId);
    if (!found) {
      found = this.client.describeImages({ imageIds: [imageId] }).then((images) => {
        const image = images[0];
        if (!image) throw new Error(`EC2 does not describe AMI ${imageId}`);
        return image;
      });
      // A failed lookup is not remembered: the next launch asks again.
      found.catch(() => this.byId.delete(imageId));
      this.byId.set(imageId, found);
    }
    return found;
  }

  private newestMatch(image: AwsCloudImageConfig): Promise<Image> {
    const filters = (image.imageFilters ?? []).map((filter) => ({ Name: filter.name, Values: filter.values && [...filter.values] }));
    const key = JSON.stringify(filters);
    let cache = this.byFilters.get(key);
    if (!cache) {
      cache = new TtlCache(async () => {
        const matches = await this.client.describeImages({ filters });
        // ISO 8601 times sort as text.
        const newest = matches.sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
        if (!newest?.ImageId) throw new Error(`no AMI matches the image-filters of cloud-image ${image.name}`);
        // Launches by ID then find it described already.
        this.byId.set(newest.ImageId, Promise.resolve(newest));
        return newest;
      }, FILTER_CACHE_MS);
      this.byFilters.set(key, cache);
    }
    return cache.get();
  }
}
