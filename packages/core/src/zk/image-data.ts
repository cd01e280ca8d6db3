import { NoNodeError, type ZooKeeperClient } from '@nodepool/zookeeper';
import { parseRecordJson } from './json.js';
import type { NodepoolZooKeeper } from './nodepool-zookeeper.js';
import { buildPath, imagePausePath, uploadPath, ZkPaths } from './paths.js';

/**
 * The builder's records as `nodepool export-image-data` writes them (spec §9): absolute znode
 * path → the znode's data as text, for every build and upload record, plus `"<image>/pause": ""`
 * for paused images. Locks are not part of it.
 */
export type ImageData = Record<string, string>;

/** Reads every build and upload record and pause flag (a backup, e.g. before a rebuild). */
export async function exportImageData(zk: NodepoolZooKeeper): Promise<ImageData> {
  const data: ImageData = {};
  const images = (await children(zk.client, ZkPaths.images)).sort();
  for (const image of images) {
    if (await zk.isImagePaused(image)) data[imagePausePath(image)] = '';
    for (const buildId of (await zk.getBuildIds(image)).sort()) {
      const build = await text(zk.client, buildPath(image, buildId));
      if (build === undefined) continue;
      data[buildPath(image, buildId)] = build;
      for (const provider of (await children(zk.client, `${buildPath(image, buildId)}/providers`)).sort()) {
        for (const uploadId of (await zk.getUploadIds(image, buildId, provider)).sort()) {
          const upload = await text(zk.client, uploadPath(image, buildId, provider, uploadId));
          if (upload !== undefined) data[uploadPath(image, buildId, provider, uploadId)] = upload;
        }
      }
    }
  }
  return data;
}

/**
 * Writes exported records back (meant for a stopped system: no locks are taken). Sequence
 * counters are first moved past the imported IDs, by creating (and deleting again) throw-away
 * sequential children, so the builder's next build or upload number cannot collide with an
 * imported one. uuid build IDs need no counter.
 *
 * @throws Error naming the first path that is not under `/nodepool/images` or whose data is
 * not a JSON object (nothing is written then).
 */
export async function importImageData(client: ZooKeeperClient, data: ImageData): Promise<void> {
  for (const [path, value] of Object.entries(data)) {
    if (!path.startsWith(`${ZkPaths.images}/`) || path.split('/').length < 5) throw new Error(`${path} is not a record under ${ZkPaths.images}`);
    if (typeof value !== 'string') throw new Error(`the data of ${path} is not a string`);
    if (value !== '' && !isRecord(value)) throw new Error(`the data of ${path} is not a JSON object`);
  }
  const highest = new Map<string, number>();
  for (const path of Object.keys(data)) {
    const parts = path.split('/');
    // /nodepool/images/<image>/builds/<build>  and  …/providers/<provider>/images/<upload>
    if (parts.length !== 6 && parts.length !== 10) continue;
    const id = parts[parts.length - 1]!;
    if (!/^\d+$/.test(id)) continue;
    const parent = parts.slice(0, -1).join('/');
    highest.set(parent, Math.max(highest.get(parent) ?? 0, Number(id)));
  }
  for (const [parent, number] of highest) {
    await client.mkdirp(parent);
    for (let created = 0; created < number; created++) {
      const path = await client.create(`${parent}/`, { mode: 'persistent-sequential' });
      if (!(path in data)) await client.delete(path);
    }
  }
  for (const [path, value] of Object.entries(data)) {
    const bytes = Buffer.from(value, 'utf8');
    if (await client.exists(path)) await client.setData(path, bytes);
    else await client.create(path, { data: bytes, makeParents: true });
  }
}

function isRecord(value: string): boolean {
  try {
    return parseRecordJson(Buffer.from(value, 'utf8')) !== undefined;
  } catch {
    return false;
  }
}

async function children(client: ZooKeeperClient, path: string): Promise<string[]> {
  try {
    return (await client.getChildren(path)).children;
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
}

async function text(client: ZooKeeperClient, path: string): Promise<string | undefined> {
  try {
    return (await client.getData(path)).data.toString('utf8');
  } catch (error) {
    if (error instanceof NoNodeError) return undefined;
    throw error;
  }
}
