import { NoNodeError } from '@nodepool/zookeeper';
import type { ImageCache, NodeCache, RequestCache } from '../zk/caches.js';
import type { Component } from '../zk/component.js';
import type { ComponentRegistry } from '../zk/component-registry.js';
import type { ImageBuild, ImageUpload } from '../zk/image-records.js';
import type { Node } from '../zk/node.js';
import type { NodeRequest } from '../zk/node-request.js';
import type { NodepoolZooKeeper } from '../zk/nodepool-zookeeper.js';
import { ZkPaths } from '../zk/paths.js';
import { readBuildRequest } from './build-request.js';
import type { BuildRequestInfo, StatusSource } from './status-source.js';

/**
 * Reads a launcher's watch-fed caches, so the web API answers without a round of ZooKeeper
 * reads per request (as the original's daemon does). Image names and build requests, which
 * the caches do not hold, are read directly.
 */
export class CachedStatusSource implements StatusSource {
  private constructor(
    private readonly zk: NodepoolZooKeeper,
    private readonly nodeCache: NodeCache,
    private readonly requestCache: RequestCache,
    private readonly imageCache: ImageCache,
    private readonly registry: ComponentRegistry,
  ) {}

  /** The source over `zk`'s caches (started if they are not yet). */
  static async of(zk: NodepoolZooKeeper): Promise<CachedStatusSource> {
    const [nodes, requests, images, components] = await Promise.all([zk.nodeCache(), zk.requestCache(), zk.imageCache(), zk.componentRegistry()]);
    return new CachedStatusSource(zk, nodes, requests, images, components);
  }

  async nodes(): Promise<Node[]> {
    return [...this.nodeCache.values()];
  }

  async node(id: string): Promise<Node | undefined> {
    return this.nodeCache.get(id);
  }

  async isNodeLocked(id: string): Promise<boolean> {
    return this.nodeCache.isProbablyLocked(id);
  }

  async requests(): Promise<NodeRequest[]> {
    return [...this.requestCache.values()];
  }

  async imageNames(): Promise<string[]> {
    try {
      return (await this.zk.client.getChildren(ZkPaths.images)).children.sort();
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }

  async builds(image: string): Promise<ImageBuild[]> {
    return this.imageCache.builds(image);
  }

  async uploads(image: string): Promise<ImageUpload[]> {
    return this.imageCache.uploads({ image });
  }

  async isImagePaused(image: string): Promise<boolean> {
    return this.imageCache.hasFlag(image, 'pause');
  }

  buildRequest(image: string): Promise<BuildRequestInfo | undefined> {
    return readBuildRequest(this.zk.client, image);
  }

  async poolComponents(): Promise<Component[]> {
    return this.registry.all('pool');
  }

  async launcherComponents(): Promise<Component[]> {
    return this.registry.all('launcher');
  }

  watch(onChange: () => void): () => void {
    // A full resync ('synced') can drop records without a per-key change event for each.
    const caches = [this.nodeCache, this.requestCache, this.imageCache, this.registry] as const;
    for (const cache of caches) {
      cache.on('change', onChange);
      cache.on('synced', onChange);
    }
    return () => {
      for (const cache of caches) {
        cache.off('change', onChange);
        cache.off('synced', onChange);
      }
    };
  }
}
