import { compareText } from './dib-image-list.js';
import { compareIds } from './node-list.js';
import { columns, row, type StatusListing } from './status-listing.js';
import type { StatusSource } from './status-source.js';

export const PROVIDER_IMAGES_COLUMNS = columns(['image', 'Image Name'], ['build_id', 'Build ID'], ['upload_ids', 'Upload IDs']);
export const PROVIDER_NODES_COLUMNS = columns(['id', 'ID'], ['server_id', 'Server ID']);

/** What ZooKeeper holds for one provider (`nodepool info`): its uploads by build, its nodes. */
export interface ProviderInfo {
  /** One row per image build with uploads to the provider; upload IDs sorted. */
  readonly images: StatusListing;
  readonly nodes: StatusListing;
}

export async function providerInfo(source: StatusSource, provider: string): Promise<ProviderInfo> {
  const imageRows = [];
  for (const image of await source.imageNames()) {
    const byBuild = new Map<string, string[]>();
    for (const upload of await source.uploads(image)) {
      if (upload.provider !== provider) continue;
      byBuild.set(upload.buildId, [...(byBuild.get(upload.buildId) ?? []), upload.id]);
    }
    for (const buildId of [...byBuild.keys()].sort(compareText)) {
      imageRows.push(row(PROVIDER_IMAGES_COLUMNS, [image, buildId, byBuild.get(buildId)!.sort(compareText)]));
    }
  }
  const nodes = (await source.nodes()).filter((node) => node.provider === provider).sort((a, b) => compareIds(a.id, b.id));
  return {
    images: { columns: PROVIDER_IMAGES_COLUMNS, rows: imageRows },
    nodes: { columns: PROVIDER_NODES_COLUMNS, rows: nodes.map((node) => row(PROVIDER_NODES_COLUMNS, [node.id, node.externalId])) },
  };
}
