import { KazooLock, LockTargetGoneError, NodeExistsError, NoNodeError, type ZooKeeperClient } from '@nodepool/zookeeper';
import { ImageBuild, ImageUpload, type BuildState, type UploadState } from '../zk/image-records.js';
import type { NodepoolZooKeeper } from '../zk/nodepool-zookeeper.js';
import {
  buildLockPath,
  buildPath,
  imageBuildLockPath,
  imageBuildRequestPath,
  uploadLockPath,
  uploadNumberLockPath,
  uploadPath,
  uploadsPath,
  ZkPaths,
} from '../zk/paths.js';

/**
 * The builder's reads, writes and locks of the image tree (protocol spec §9, locks §4.8), read
 * fresh from ZooKeeper as the original builder does (no cache): decisions about builds that
 * take hours must not rest on a copy.
 */
export class ImageStore {
  readonly client: ZooKeeperClient;

  constructor(readonly zk: NodepoolZooKeeper) {
    this.client = zk.client;
  }

  /** Every image that has a znode, sorted. */
  async imageNames(): Promise<string[]> {
    return (await this.children(ZkPaths.images)).sort();
  }

  async build(image: string, buildId: string): Promise<ImageBuild | undefined> {
    return this.zk.getBuild(image, buildId);
  }

  /** Builds of an image (in any of `states`, if given); empty or corrupt records are skipped. */
  async builds(image: string, states?: readonly BuildState[]): Promise<ImageBuild[]> {
    const builds = await Promise.all((await this.zk.getBuildIds(image)).map((id) => this.zk.getBuild(image, id)));
    return builds.filter((build): build is ImageBuild => build !== undefined && (!states || states.includes(build.state)));
  }

  /** The newest builds in `state` by state time, newest first. */
  async mostRecentBuilds(count: number, image: string, state?: BuildState): Promise<ImageBuild[]> {
    const builds = await this.builds(image, state ? [state] : undefined);
    return builds.sort((a, b) => b.stateTime - a.stateTime).slice(0, count);
  }

  async storeBuild(build: ImageBuild): Promise<void> {
    await this.zk.storeBuild(build);
  }

  /** Providers that have an upload directory under a build. */
  async buildProviders(image: string, buildId: string): Promise<string[]> {
    return (await this.children(`${buildPath(image, buildId)}/providers`)).sort();
  }

  async upload(image: string, buildId: string, provider: string, uploadId: string): Promise<ImageUpload | undefined> {
    return this.zk.getUpload(image, buildId, provider, uploadId);
  }

  async uploads(image: string, buildId: string, provider: string, states?: readonly UploadState[]): Promise<ImageUpload[]> {
    const ids = await this.zk.getUploadIds(image, buildId, provider);
    const uploads = await Promise.all(ids.map((id) => this.zk.getUpload(image, buildId, provider, id)));
    return uploads.filter((upload): upload is ImageUpload => upload !== undefined && (!states || states.includes(upload.state)));
  }

  async mostRecentUploads(count: number, image: string, buildId: string, provider: string, state?: UploadState): Promise<ImageUpload[]> {
    const uploads = await this.uploads(image, buildId, provider, state ? [state] : undefined);
    return uploads.sort((a, b) => b.stateTime - a.stateTime).slice(0, count);
  }

  async storeUpload(upload: ImageUpload): Promise<void> {
    await this.zk.storeUpload(upload);
  }

  /** Deletes an upload record with its lock (recursively); one already gone is fine. */
  async deleteUpload(upload: Pick<ImageUpload, 'image' | 'buildId' | 'provider' | 'id'>): Promise<void> {
    await this.deleteTree(uploadPath(upload.image, upload.buildId, upload.provider, upload.id));
  }

  /**
   * Deletes a build record and everything under it, unless an upload record is left under it:
   * false then (uploads go first, so a cloud image is never orphaned by its record).
   */
  async deleteBuild(image: string, buildId: string): Promise<boolean> {
    for (const provider of await this.buildProviders(image, buildId)) {
      if ((await this.zk.getUploadIds(image, buildId, provider)).length > 0) return false;
    }
    await this.deleteTree(buildPath(image, buildId));
    return true;
  }

  async isPaused(image: string): Promise<boolean> {
    return this.zk.isImagePaused(image);
  }

  async hasBuildRequest(image: string): Promise<boolean> {
    return (await this.client.exists(imageBuildRequestPath(image))) !== null;
  }

  async removeBuildRequest(image: string): Promise<void> {
    await this.zk.setBuildRequest(image, false);
  }

  // ---- locks (all taken non-blocking, as the original builder takes them) ---------------------

  /** Runs `task` holding the image build lock; undefined (nothing run) when someone holds it. */
  withImageBuildLock<T>(image: string, task: () => Promise<T>): Promise<T | undefined> {
    return this.withLock(new KazooLock(this.client, imageBuildLockPath(image)), task);
  }

  /** The build-id lock; never re-creates a build that is gone (then undefined, nothing run). */
  withBuildIdLock<T>(image: string, buildId: string, task: () => Promise<T>): Promise<T | undefined> {
    return this.withLock(new KazooLock(this.client, buildLockPath(image, buildId), { ensurePath: 'directory' }), task);
  }

  /**
   * The upload lock of (build, provider), held for a whole upload. Its directory is made under
   * the build without ever re-creating the build itself: a build deleted meanwhile means no lock.
   */
  async withUploadLock<T>(image: string, buildId: string, provider: string, task: () => Promise<T>): Promise<T | undefined> {
    if (!(await this.ensureUnderBuild(image, buildId, ['providers', provider, 'images']))) return undefined;
    return this.withLock(new KazooLock(this.client, uploadLockPath(image, buildId, provider), { ensurePath: 'directory' }), task);
  }

  /** The upload-number lock of one upload record; undefined when held or the record is gone. */
  withUploadNumberLock<T>(upload: Pick<ImageUpload, 'image' | 'buildId' | 'provider' | 'id'>, task: () => Promise<T>): Promise<T | undefined> {
    const path = uploadNumberLockPath(upload.image, upload.buildId, upload.provider, upload.id);
    return this.withLock(new KazooLock(this.client, path, { ensurePath: 'directory' }), task);
  }

  /** Whether someone holds the upload lock of (build, provider): an upload is in progress. */
  async isUploadInProgress(image: string, buildId: string, provider: string): Promise<boolean> {
    try {
      const free = await this.withLock(new KazooLock(this.client, uploadLockPath(image, buildId, provider), { ensurePath: 'directory' }), async () => true);
      return free === undefined;
    } catch (error) {
      // No directory for the lock at all: nobody can hold it.
      if (error instanceof LockDirectoryGone) return false;
      throw error;
    }
  }

  /** Whether someone holds the image build lock: a build of the image is running. */
  async isBuildInProgress(image: string): Promise<boolean> {
    return (await this.withImageBuildLock(image, async () => true)) === undefined;
  }

  // ---- helpers -----------------------------------------------------------------------------

  private async withLock<T>(lock: KazooLock, task: () => Promise<T>): Promise<T | undefined> {
    let acquired: boolean;
    try {
      acquired = await lock.acquire({ blocking: false });
    } catch (error) {
      if (error instanceof LockTargetGoneError) throw new LockDirectoryGone(lock.path);
      throw error;
    }
    if (!acquired) return undefined;
    try {
      return await task();
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  /** Creates the missing znodes of `parts` below a build; false when the build is gone. */
  private async ensureUnderBuild(image: string, buildId: string, parts: readonly string[]): Promise<boolean> {
    if ((await this.client.exists(uploadsPath(image, buildId, parts[1]!))) !== null) return true;
    let path = buildPath(image, buildId);
    for (const part of parts) {
      path = `${path}/${part}`;
      try {
        await this.client.create(path);
      } catch (error) {
        if (error instanceof NoNodeError) return false;
        if (!(error instanceof NodeExistsError)) throw error;
      }
    }
    return true;
  }

  private async deleteTree(path: string): Promise<void> {
    try {
      await this.client.deleteRecursive(path);
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
  }

  private async children(path: string): Promise<string[]> {
    try {
      return (await this.client.getChildren(path)).children;
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }
}

/** A lock's directory could not be made because the record it belongs to is gone. */
export class LockDirectoryGone extends Error {
  override name = 'LockDirectoryGone';
  constructor(readonly path: string) {
    super(`cannot lock ${path}: its record is gone`);
  }
}
