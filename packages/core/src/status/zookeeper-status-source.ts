import { NoNodeError } from '@nodepool/zookeeper';
import { isContender } from '@nodepool/zookeeper';
import type { Component } from '../zk/component.js';
import { Component as ComponentRecord } from '../zk/component.js';
import type { ImageBuild, ImageUpload } from '../zk/image-records.js';
import { parseRecordJson } from '../zk/json.js';
import type { Node } from '../zk/node.js';
import type { NodeRequest } from '../zk/node-request.js';
import type { NodepoolZooKeeper } from '../zk/nodepool-zookeeper.js';
import { buildPath, componentsPath, nodeLockPath, ZkPaths, type ComponentKind } from '../zk/paths.js';
import { readBuildRequest } from './build-request.js';
import type { BuildRequestInfo, StatusSource } from './status-source.js';

/**
 * Reads every record straight from ZooKeeper, for one-shot tools such as the CLI (the
 * original's CLI runs with caching off for the same reason: what it shows is current).
 */
export class ZooKeeperStatusSource implements StatusSource {
  constructor(private readonly zk: NodepoolZooKeeper) {}

  async nodes(): Promise<Node[]> {
    const ids = await this.zk.getNodeIds();
    return defined(await Promise.all(ids.map((id) => this.zk.getNode(id))));
  }

  node(id: string): Promise<Node | undefined> {
    return this.zk.getNode(id);
  }

  async isNodeLocked(id: string): Promise<boolean> {
    // Differs from Nodepool: its CLI lists contenders through kazoo, which creates the lock
    // directory of every node it looks at; reading the children leaves the tree as it was.
    return (await this.children(nodeLockPath(id))).some(isContender);
  }

  async requests(): Promise<NodeRequest[]> {
    const ids = await this.children(ZkPaths.requests);
    return defined(await Promise.all(ids.map((id) => this.zk.getNodeRequest(id))));
  }

  async imageNames(): Promise<string[]> {
    return (await this.children(ZkPaths.images)).sort();
  }

  async builds(image: string): Promise<ImageBuild[]> {
    const ids = await this.zk.getBuildIds(image);
    return defined(await Promise.all(ids.map((id) => this.zk.getBuild(image, id))));
  }

  async uploads(image: string): Promise<ImageUpload[]> {
    const buildIds = await this.zk.getBuildIds(image);
    const perBuild = await Promise.all(
      buildIds.map(async (buildId) => {
        const providers = await this.children(`${buildPath(image, buildId)}/providers`);
        const perProvider = await Promise.all(
          providers.map(async (provider) => {
            const uploadIds = await this.zk.getUploadIds(image, buildId, provider);
            return Promise.all(uploadIds.map((uploadId) => this.zk.getUpload(image, buildId, provider, uploadId)));
          }),
        );
        return perProvider.flat();
      }),
    );
    return defined(perBuild.flat());
  }

  isImagePaused(image: string): Promise<boolean> {
    return this.zk.isImagePaused(image);
  }

  buildRequest(image: string): Promise<BuildRequestInfo | undefined> {
    return readBuildRequest(this.zk.client, image);
  }

  poolComponents(): Promise<Component[]> {
    return this.components('pool');
  }

  launcherComponents(): Promise<Component[]> {
    return this.components('launcher');
  }

  private async components(kind: ComponentKind): Promise<Component[]> {
    const names = await this.children(componentsPath(kind));
    const components = await Promise.all(
      names.map(async (name) => {
        try {
          const { data, stat } = await this.zk.client.getData(`${componentsPath(kind)}/${name}`);
          const json = parseRecordJson(data);
          return json ? ComponentRecord.fromJson(kind, name, json, stat.version) : undefined;
        } catch {
          // Gone meanwhile, or not JSON: not a registered component.
          return undefined;
        }
      }),
    );
    return defined(components);
  }

  private async children(path: string): Promise<string[]> {
    try {
      return (await this.zk.client.getChildren(path)).children;
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }
}

function defined<T>(values: readonly (T | undefined)[]): T[] {
  return values.filter((value): value is T => value !== undefined);
}
