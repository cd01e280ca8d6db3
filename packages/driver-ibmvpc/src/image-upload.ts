import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, type ImageUploadOptions, type Logger } from '@nodepool/core';
import type { Cos } from './client/cos.js';
import type { VpcApi } from './client/vpc-api.js';
import type { ResourceGroups } from './resource-groups.js';

/** How an upload waits for the VPC to make the image (tests shorten it). */
export interface ImageUploadTimings {
  /** First look after the image is created; doubles up to `maxPollMs`. Default 1 s. */
  readonly pollMs?: number;
  /** Default 30 s, the original's only interval. */
  readonly maxPollMs?: number;
  /** How long the image may stay `pending`. Default 1 h. */
  readonly timeoutMs?: number;
}

export interface ImageUploadContext {
  readonly vpcApi: VpcApi;
  readonly cos: Cos;
  readonly groups: ResourceGroups;
  readonly bucket: string;
  /** `npimages_<provider>`. */
  readonly groupName: string;
  /** The IBM Cloud operating system the image claims (the provider diskimage's `operating-system`). */
  readonly operatingSystem: string;
  readonly log: Logger;
  readonly timings?: ImageUploadTimings;
}

/**
 * Uploads a built image as Nodepool 9.0.0 does: the file goes to the bucket as
 * `<image name>.<format>`, an image is created from it (`cos://<region>/<bucket>/<object>`, the
 * region taken from the bucket's location constraint) in the provider's images resource group
 * (created when missing), and once it is `available` the object is deleted. Resolves the image's ID.
 */
export async function uploadImage(context: ImageUploadContext, options: ImageUploadOptions): Promise<string> {
  const { vpcApi, cos, bucket, log } = context;
  // `us-south-smart` → `us-south`: the location constraint less its storage class.
  const constraint = await cos.bucketLocation(bucket);
  const region = constraint.includes('-') ? constraint.slice(0, constraint.lastIndexOf('-')) : constraint;
  const objectName = `${options.imageName}.${options.imageFormat}`;
  log.debug(`Uploading image ${options.imageName} to object storage`);
  await cos.upload(bucket, objectName, options.filename);
  try {
    const group = await context.groups.ensure(context.groupName);
    log.debug(`Creating image ${options.imageName}`);
    let image = await vpcApi.createImage({
      name: options.imageName,
      resource_group: { id: group.id },
      file: { href: `cos://${region}/${bucket}/${objectName}` },
      operating_system: { name: context.operatingSystem },
    });
    const timings = context.timings ?? {};
    const deadline = Date.now() + (timings.timeoutMs ?? 3_600_000);
    for (let pause = timings.pollMs ?? 1_000; image.status === 'pending'; pause = Math.min(pause * 2, timings.maxPollMs ?? 30_000)) {
      if (Date.now() > deadline) throw new Error(`Image ${options.imageName} is still pending after ${Math.round((timings.timeoutMs ?? 3_600_000) / 1000)} s`);
      await sleep(pause);
      image = await vpcApi.getImage(image.id);
    }
    if (image.status !== 'available') {
      const reasons = image.status_reasons?.map((reason) => `${reason.code}: ${reason.message}`).join('; ');
      // Differs from Nodepool: the failed image is deleted now rather than left to leak cleanup.
      await vpcApi.deleteImage(image.id).catch(() => undefined);
      throw new Error(`Image status of ${options.imageName} is ${image.status}${reasons ? ` (${reasons})` : ''}`);
    }
    log.info(`Uploaded image ${options.imageName}`, { image: image.id });
    return image.id;
  } finally {
    // Differs from Nodepool: the object goes whatever happened (9.0.0 leaves it after a failure, for leak cleanup).
    log.debug('Deleting image from object storage', { object: objectName });
    await cos.deleteObject(bucket, objectName).catch((error: unknown) => log.warn('could not delete the staged image file; leak cleanup will', { object: objectName, error: String(error) }));
  }
}

/**
 * Deletes an uploaded image and any object of its name left in the bucket, as 9.0.0 does; an
 * image already gone is done.
 */
export async function deleteImage(context: Pick<ImageUploadContext, 'vpcApi' | 'log'> & { cos: Cos | null; bucket: string | null }, externalId: string): Promise<void> {
  const { vpcApi, cos, bucket, log } = context;
  let name: string;
  try {
    name = (await vpcApi.getImage(externalId)).name;
  } catch (error) {
    if (error instanceof NotFoundError) {
      log.debug(`Image ${externalId} does not exist`);
      return;
    }
    throw error;
  }
  if (cos && bucket) {
    for (const object of await cos.listObjects(bucket)) {
      if (!object.key.startsWith(name)) continue;
      log.debug(`Deleting object ${object.key}`);
      await cos.deleteObject(bucket, object.key);
      log.info(`Deleted object ${object.key}`);
    }
  }
  await vpcApi.deleteImage(externalId);
  log.info(`Deleted image ${externalId}`);
}
