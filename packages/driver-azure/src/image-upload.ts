import { open, stat } from 'node:fs/promises';
import { AnonymousCredential, PageBlobClient } from '@azure/storage-blob';
import { pythonStr, type ImageUploadOptions, type Logger } from '@nodepool/core';
import type { AzureClient } from './client.js';

/** Azure takes at most 4 MiB per Put Page. */
const PAGE_CHUNK = 4 * 1024 * 1024;
/** Put Page calls in flight at once (9.0.0 uses ten threads). */
const CONCURRENCY = 8;

/**
 * Uploads a built VHD as 9.0.0 does: a managed disk made for upload (`createOption: Upload`)
 * tagged with the upload's metadata, write access to it (a SAS URL to its page blob), the file
 * written through `@azure/storage-blob` in 4 MiB pages, access revoked, an image made from the
 * disk (generalized Linux, Hyper-V generation 2, zone resilient), and the disk deleted. The
 * image's name is its external ID. Differs from Nodepool: pages of zeros are not sent (a new
 * disk reads zeros anyway), the image also carries the diskimage's `tags`, and a failed upload
 * deletes its disk (9.0.0 left it to leak cleanup).
 */
export async function uploadImage(options: ImageUploadOptions & { client: AzureClient; resourceGroup: string; location: string; log: Logger }): Promise<string> {
  const { client, resourceGroup, location, imageName, log } = options;
  const size = (await stat(options.filename)).size;
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries((options.providerImage.tags as Record<string, unknown> | undefined) ?? {})) tags[key] = pythonStr(value);
  Object.assign(tags, options.metadata);

  log.debug('creating the disk for an image upload', { image: imageName, bytes: size });
  const disk = await (await client.createDisk(resourceGroup, imageName, { location, tags, creationData: { createOption: 'Upload', uploadSizeBytes: size } })).wait();
  let granted = false;
  try {
    const access = await (await client.grantDiskAccess(resourceGroup, imageName, 'Write', 24 * 60 * 60)).wait();
    granted = true;
    if (!access.accessSAS) throw new Error(`Azure granted write access to disk ${imageName} without a SAS URL`);
    await writePages(access.accessSAS, options.filename, size);
    await (await client.revokeDiskAccess(resourceGroup, imageName)).wait();
    granted = false;
    log.debug('creating the image from the uploaded disk', { image: imageName });
    await (
      await client.createImage(resourceGroup, imageName, {
        location,
        tags,
        hyperVGeneration: 'V2',
        storageProfile: { osDisk: { osType: 'Linux', managedDisk: { id: disk.id! }, osState: 'Generalized' }, zoneResilient: true },
      })
    ).wait();
  } catch (error) {
    if (granted) await (await client.revokeDiskAccess(resourceGroup, imageName)).wait().catch(() => undefined);
    await (await client.deleteDisk(resourceGroup, imageName)).wait().catch((cleanupError: unknown) => log.warn('could not delete the disk of a failed upload; leak cleanup will', { disk: imageName, error: String(cleanupError) }));
    throw error;
  }
  await (await client.deleteDisk(resourceGroup, imageName)).wait();
  log.info('uploaded image', { image: imageName });
  return imageName;
}

/** Writes the file's non-zero 4 MiB chunks to the page blob, a few at a time. */
async function writePages(sasUrl: string, filename: string, size: number): Promise<void> {
  const blob = new PageBlobClient(sasUrl, new AnonymousCredential());
  const file = await open(filename, 'r');
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < size) {
        const offset = next;
        next += PAGE_CHUNK;
        const length = Math.min(PAGE_CHUNK, size - offset);
        const chunk = Buffer.alloc(length);
        await file.read(chunk, 0, length, offset);
        if (chunk.every((byte) => byte === 0)) continue;
        await blob.uploadPages(chunk, offset, length);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    await file.close();
  }
}
