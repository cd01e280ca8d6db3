import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { getLogger } from '../log.js';
import { ImageBuild, ImageUpload } from './image-records.js';
import { isContender } from '@nodepool/zookeeper';
import { Node } from './node.js';
import { NodeRequest } from './node-request.js';
import { ZkPaths } from './paths.js';
import { TreeCache, type PathRole } from './tree-cache.js';

/**
 * Every node record, plus the lock contenders of each node ("probably locked", spec §4.6).
 * Values are shared: treat them as read-only and `clone()` before changing one.
 */
export class NodeCache extends TreeCache<Node> {
  constructor(client: ZooKeeperClient) {
    super({
      client,
      root: ZkPaths.nodes,
      log: getLogger('nodepool.zk.NodeCache'),
      classify: classifyNodePath,
      parse: (id, json, stat) => Node.fromJson(id, json, stat.version),
    });
  }

  /** Lock contender names of a node; non-empty means probably locked. */
  lockContenders(nodeId: string): ReadonlySet<string> {
    return this.markersOf(nodeId);
  }

  isProbablyLocked(nodeId: string): boolean {
    return this.markersOf(nodeId).size > 0;
  }
}

export function classifyNodePath(parts: readonly string[]): PathRole {
  const [id, lock, contender] = parts;
  if (parts.length === 1) return { role: 'record', key: id! };
  if (lock !== 'lock') return { role: 'ignore' };
  if (parts.length === 2) return { role: 'directory' };
  if (parts.length === 3 && isContender(contender!)) return { role: 'marker', key: id!, name: contender! };
  return { role: 'ignore' };
}

/** Every node request. Values are shared: treat them as read-only. */
export class RequestCache extends TreeCache<NodeRequest> {
  constructor(client: ZooKeeperClient) {
    super({
      client,
      root: ZkPaths.requests,
      log: getLogger('nodepool.zk.RequestCache'),
      classify: (parts) => (parts.length === 1 ? { role: 'record', key: parts[0]! } : { role: 'ignore' }),
      parse: (id, json, stat) => NodeRequest.fromJson(id, json, stat.version),
    });
  }
}

/** An image-tree flag, present or not: builds paused, or a manual build requested. */
export type ImageFlag = 'pause' | 'request-build';

/**
 * Image builds and uploads, and the `pause` / `request-build` flags of each image.
 * Keys: `<image>/<build>` for builds, `<image>/<build>/<provider>/<upload>` for uploads.
 */
export class ImageCache extends TreeCache<ImageBuild | ImageUpload> {
  constructor(client: ZooKeeperClient) {
    super({
      client,
      root: ZkPaths.images,
      log: getLogger('nodepool.zk.ImageCache'),
      classify: classifyImagePath,
      parse: (key, json, stat) => {
        const [image, buildId, provider, uploadId] = key.split('/') as [string, string, string?, string?];
        if (provider === undefined || uploadId === undefined) return ImageBuild.fromJson(image, buildId, json, stat.version);
        return ImageUpload.fromJson({ image, buildId, provider, id: uploadId }, json, stat.version);
      },
    });
  }

  builds(image?: string): ImageBuild[] {
    return [...this.values()].filter((value): value is ImageBuild => value instanceof ImageBuild && (image === undefined || value.image === image));
  }

  uploads(filter: { image?: string; buildId?: string; provider?: string } = {}): ImageUpload[] {
    return [...this.values()].filter(
      (value): value is ImageUpload =>
        value instanceof ImageUpload &&
        (filter.image === undefined || value.image === filter.image) &&
        (filter.buildId === undefined || value.buildId === filter.buildId) &&
        (filter.provider === undefined || value.provider === filter.provider),
    );
  }

  hasFlag(image: string, flag: ImageFlag): boolean {
    return this.markersOf(image).has(flag);
  }

  /** Image names that have any record or flag. */
  imageNames(): string[] {
    const names = new Set<string>();
    for (const key of [...this.entries()].map(([key]) => key)) names.add(key.split('/')[0]!);
    return [...names].sort();
  }
}

export function classifyImagePath(parts: readonly string[]): PathRole {
  const [image, builds, buildId, providers, provider, images, uploadId] = parts;
  switch (parts.length) {
    case 1:
      return { role: 'directory' };
    case 2:
      if (builds === 'pause' || builds === 'request-build') return { role: 'marker', key: image!, name: builds };
      return builds === 'builds' ? { role: 'directory' } : { role: 'ignore' };
    case 3:
      return builds === 'builds' && buildId !== 'lock' ? { role: 'record', key: `${image}/${buildId}` } : { role: 'ignore' };
    case 4:
      return providers === 'providers' ? { role: 'directory' } : { role: 'ignore' };
    case 5:
      return providers === 'providers' ? { role: 'directory' } : { role: 'ignore' };
    case 6:
      return images === 'images' ? { role: 'directory' } : { role: 'ignore' };
    case 7:
      return images === 'images' && uploadId !== 'lock'
        ? { role: 'record', key: `${image}/${buildId}/${provider}/${uploadId}` }
        : { role: 'ignore' };
    default:
      return { role: 'ignore' };
  }
}
