import { setTimeout as sleep } from 'node:timers/promises';
import { pythonStr, type ImageUploadOptions, type Logger } from '@nodepool/core';
import type { Glance } from './client/glance.js';

/** How an upload waits for Glance (tests shorten it). */
export interface ImageUploadTimings {
  /** First look after the data is sent; doubles up to `maxPollMs`. Default 1 s. */
  readonly pollMs?: number;
  readonly maxPollMs?: number;
  /** How long Glance may take to make the image active. Default 1 h (openstacksdk's `wait`). */
  readonly timeoutMs?: number;
}

/**
 * Uploads a built image to Glance v2 as Nodepool does through openstacksdk: creates the image
 * (private, `bare`, the provider's disk format, the diskimage's `meta` and Nodepool's metadata as
 * properties, plus openstacksdk's checksum properties), sends the file, and waits until Glance
 * makes it `active`. A failed upload's image is deleted. Resolves the image's ID.
 */
export async function uploadToGlance(glance: Pick<Glance, 'createImage' | 'uploadImageData' | 'getImage' | 'deleteImage'>, options: ImageUploadOptions & { imageFormat: string }, log: Logger, timings: ImageUploadTimings = {}): Promise<string> {
  const meta = options.providerImage.meta;
  const properties: Record<string, string> = {};
  if (meta !== null && typeof meta === 'object') for (const [key, value] of Object.entries(meta)) properties[key] = pythonStr(value);
  Object.assign(properties, options.metadata);
  const image = await glance.createImage({
    name: options.imageName,
    disk_format: options.imageFormat,
    container_format: 'bare',
    visibility: 'private',
    ...properties,
    'owner_specified.openstack.md5': options.md5 ?? '',
    'owner_specified.openstack.sha256': options.sha256 ?? '',
    'owner_specified.openstack.object': `images/${options.imageName}`,
  });
  try {
    await glance.uploadImageData(image.id, options.filename);
    const deadline = Date.now() + (timings.timeoutMs ?? 3600_000);
    for (let pause = timings.pollMs ?? 1_000; ; pause = Math.min(pause * 2, timings.maxPollMs ?? 10_000)) {
      const current = await glance.getImage(image.id);
      if (current.status === 'active') break;
      if (['killed', 'deleted', 'pending_delete', 'deactivated'].includes(current.status)) throw new Error(`Glance image ${image.id} (${options.imageName}) ended ${current.status}`);
      if (Date.now() > deadline) throw new Error(`Glance image ${image.id} (${options.imageName}) was not active within ${(timings.timeoutMs ?? 3600_000) / 1000} s (${current.status})`);
      await sleep(pause);
    }
  } catch (error) {
    log.warn('image upload failed; deleting the image', { image: image.id, name: options.imageName, error: String(error) });
    await glance.deleteImage(image.id).catch(() => undefined);
    throw error;
  }
  log.info('image uploaded', { image: image.id, name: options.imageName });
  return image.id;
}
