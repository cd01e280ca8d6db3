import { columns, row, type StatusListing } from './status-listing.js';
import type { StatusSource } from './status-source.js';

export const DIB_IMAGE_LIST_COLUMNS = columns(['id', 'ID'], ['image', 'Image'], ['builder', 'Builder'], ['formats', 'Formats'], ['state', 'State'], ['age', 'Age']);

/**
 * Image builds, by image then build ID. The state of every build of a paused image reads
 * `paused`; the age is the Unix time of the state (the text table shows it as an age).
 */
export async function dibImageList(source: StatusSource): Promise<StatusListing> {
  const rows = [];
  for (const image of await source.imageNames()) {
    const [paused, builds] = await Promise.all([source.isImagePaused(image), source.builds(image)]);
    builds.sort((a, b) => compareText(a.id, b.id));
    for (const build of builds) {
      rows.push(
        row(DIB_IMAGE_LIST_COLUMNS, [`${image}-${build.id}`, image, build.builder, [...build.formats].sort(), paused ? 'paused' : build.state, Math.trunc(build.stateTime)]),
      );
    }
  }
  return { columns: DIB_IMAGE_LIST_COLUMNS, rows };
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
