import { columns, row, type StatusListing } from './status-listing.js';
import type { StatusSource } from './status-source.js';

export const IMAGE_STATUS_COLUMNS = columns(['image', 'Image'], ['paused', 'Paused'], ['build_request', 'Build Request'], ['build_request_age', 'Build Request Age']);

/**
 * One row per image known to ZooKeeper: whether its builds are paused, and its manual build
 * request (`pending`, or `building` once a builder seems to have taken it up) with the Unix
 * time it was made.
 */
export async function imageStatus(source: StatusSource): Promise<StatusListing> {
  const rows = await Promise.all(
    (await source.imageNames()).map(async (image) => {
      const [paused, request] = await Promise.all([source.isImagePaused(image), source.buildRequest(image)]);
      return row(IMAGE_STATUS_COLUMNS, [
        image,
        paused,
        request ? (request.pending ? 'pending' : 'building') : null,
        request ? Math.trunc(request.createdTime) : null,
      ]);
    }),
  );
  return { columns: IMAGE_STATUS_COLUMNS, rows };
}
