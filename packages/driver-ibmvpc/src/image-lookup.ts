import type { Image } from './client/vpc-models.js';
import type { IbmVpcCloudImageConfig, IbmVpcImageFilter } from './config.js';

/** How an instance names its image: by ID or by href. */
export type ImageIdentity = { readonly id: string } | { readonly href: string };

/** The operating-system fields an image filter may name, with the API's spelling. */
const OS_FIELDS = {
  architecture: 'architecture',
  dedicatedHostOnly: 'dedicated_host_only',
  displayName: 'display_name',
  family: 'family',
  href: 'href',
  name: 'name',
  vendor: 'vendor',
  version: 'version',
} as const;

/**
 * Whose an image is: the API of Nodepool 9.0.0's time said so in `owner_type`; today's says
 * `visibility` (`private`: the account's, `user`; `public`: the cloud's, `provider`).
 */
export function ownerType(image: Image): string | undefined {
  if (image.owner_type !== undefined) return image.owner_type;
  if (image.visibility === 'private') return 'user';
  if (image.visibility === 'public') return 'provider';
  return undefined;
}

/** Whether `image` passes every field `filter` gives. */
export function matchesFilter(image: Image, filter: IbmVpcImageFilter): boolean {
  const os = filter.operatingSystem;
  if (os) {
    for (const [field, apiField] of Object.entries(OS_FIELDS) as [keyof typeof OS_FIELDS, (typeof OS_FIELDS)[keyof typeof OS_FIELDS]][]) {
      const wanted = os[field];
      if (wanted !== undefined && image.operating_system?.[apiField] !== wanted) return false;
    }
  }
  if (filter.ownerType !== undefined && ownerType(image) !== filter.ownerType) return false;
  if (filter.status !== undefined && image.status !== filter.status) return false;
  return true;
}

/**
 * The image a cloud image names, as Nodepool 9.0.0 picks it: `image-id` and `image-href` as
 * given; `image-name` the first image of that name; `image-filter` the newest match (the docs'
 * rule; the API lists newest first, which is the image 9.0.0's code takes). `listImages` is
 * only called for the last two.
 */
export async function findImage(cloudImage: IbmVpcCloudImageConfig, listImages: () => Promise<Image[]>): Promise<ImageIdentity> {
  if (cloudImage.imageId) return { id: cloudImage.imageId };
  if (cloudImage.imageHref) return { href: cloudImage.imageHref };
  if (cloudImage.imageName) {
    const image = (await listImages()).find((candidate) => candidate.name === cloudImage.imageName);
    if (!image) throw new Error(`Unable to find image matching name: ${cloudImage.imageName}`);
    return { id: image.id };
  }
  if (cloudImage.imageFilter) {
    const matches = (await listImages()).filter((candidate) => matchesFilter(candidate, cloudImage.imageFilter!));
    const newest = matches.sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
    if (!newest) throw new Error(`Unable to find image matching filter: ${JSON.stringify(cloudImage.imageFilter)}`);
    return { id: newest.id };
  }
  throw new Error(`cloud image ${cloudImage.name} names no image`);
}
