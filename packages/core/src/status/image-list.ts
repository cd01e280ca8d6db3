import { compareText } from './dib-image-list.js';
import { columns, row, type StatusListing } from './status-listing.js';
import type { StatusSource } from './status-source.js';

export const IMAGE_LIST_COLUMNS = columns(
  ['id', 'Build ID'],
  ['upload_id', 'Upload ID'],
  ['provider', 'Provider'],
  ['image', 'Image'],
  ['external_name', 'Provider Image Name'],
  ['external_id', 'Provider Image ID'],
  ['state', 'State'],
  ['age', 'Age'],
);

/** Image uploads, by image, build ID, provider and upload ID. */
export async function imageList(source: StatusSource): Promise<StatusListing> {
  const rows = [];
  for (const image of await source.imageNames()) {
    const uploads = await source.uploads(image);
    uploads.sort((a, b) => compareText(a.buildId, b.buildId) || compareText(a.provider, b.provider) || compareText(a.id, b.id));
    for (const upload of uploads) {
      rows.push(
        row(IMAGE_LIST_COLUMNS, [upload.buildId, upload.id, upload.provider, image, upload.externalName, upload.externalId, upload.state, Math.trunc(upload.stateTime)]),
      );
    }
  }
  return { columns: IMAGE_LIST_COLUMNS, rows };
}
