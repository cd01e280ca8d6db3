import type { ProviderConfig } from '../driver/provider-config.js';
import { Periodic } from '../launcher/periodic.js';
import type { Logger } from '../log.js';
import { readBuildRequest } from '../status/build-request.js';
import type { ImageBuild, ImageUpload } from '../zk/image-records.js';
import type { BuilderContext } from './builder-context.js';
import { deleteLocalBuild, localBuilds } from './dib-image-file.js';
import { LockDirectoryGone } from './image-store.js';

/** Uploads kept per (image, provider), and ready builds kept per image: the current and the previous. */
const KEEP = 2;

/**
 * The builder's janitor (the original's CleanupWorker), every minute: keeps the two newest
 * ready builds of each image and the two newest ready uploads of each image in each provider,
 * and deletes everything else: from the clouds, then from ZooKeeper, then from disk. Also
 * removes uploads of images a provider no longer lists, records left `building` or `uploading`
 * by a builder that died, and what `nodepool image-delete` / `dib-image-delete` marked.
 */
export class CleanupWorker {
  private readonly log: Logger;
  private readonly periodic: Periodic;
  /** (image → provider → the uploads to keep) for the pass in progress. */
  private recent = new Map<string, Map<string, Set<string>>>();

  constructor(
    private readonly context: BuilderContext,
    intervalMs: number,
  ) {
    this.log = context.log.child({ logger: 'nodepool.builder.CleanupWorker.0' });
    this.periodic = new Periodic(intervalMs, () => this.pass(), (error) => this.log.error('cleanup pass failed', { error: String(error) }));
  }

  start(): void {
    this.periodic.start();
  }

  wake(): void {
    this.periodic.trigger();
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
  }

  async pass(): Promise<void> {
    const { store } = this.context;
    const images = await store.imageNames();
    await this.buildRecencyTable(images);
    for (const image of images) {
      if (this.context.stopping.aborted) return;
      try {
        await this.cleanupImage(image);
      } catch (error) {
        this.log.error('cleaning up an image failed', { image, error: String(error) });
      }
    }
    const imagesDir = this.context.config().imagesDir;
    if (imagesDir) {
      for (const { image, buildId } of await localBuilds(imagesDir)) {
        try {
          const build = await store.build(image, buildId);
          if (!build || build.state === 'deleting') await deleteLocalBuild(imagesDir, image, buildId, this.log);
        } catch (error) {
          this.log.error('cleaning up a local build failed', { image, buildId, error: String(error) });
        }
      }
    }
    await this.emitBuildRequestStats(images);
  }

  /** For each image and provider: the two newest ready uploads across the image's ready builds. */
  private async buildRecencyTable(images: readonly string[]): Promise<void> {
    const { store } = this.context;
    const table = new Map<string, Map<string, Set<string>>>();
    for (const image of images) {
      const byProvider = new Map<string, ImageUpload[]>();
      for (const build of await store.builds(image, ['ready'])) {
        for (const provider of await store.buildProviders(image, build.id)) {
          const list = byProvider.get(provider) ?? [];
          list.push(...(await store.mostRecentUploads(KEEP, image, build.id, provider, 'ready')));
          byProvider.set(provider, list);
        }
      }
      table.set(
        image,
        new Map([...byProvider].map(([provider, uploads]) => [provider, new Set(uploads.sort((a, b) => b.stateTime - a.stateTime).slice(0, KEEP).map(uploadKey))])),
      );
    }
    this.recent = table;
  }

  private isRecentUpload(upload: ImageUpload): boolean {
    return this.recent.get(upload.image)?.get(upload.provider)?.has(uploadKey(upload)) ?? false;
  }

  /** Providers whose runtime can delete images: only they can have uploads removed. */
  private imageProviders(): ProviderConfig[] {
    return [...this.context.config().providers.values()].filter((provider) => this.context.provider(provider.name)?.deleteImage !== undefined);
  }

  private async cleanupImage(image: string): Promise<void> {
    const { store } = this.context;
    const builds = await store.builds(image);
    // An image no longer in the configuration is meant to go: no build is kept. One still
    // configured but used by no provider may be another builder's to keep: the records decide.
    const keep = this.context.config().diskimages.has(image)
      ? new Set(
          builds
            .filter((build) => build.state === 'ready')
            .sort((a, b) => b.stateTime - a.stateTime)
            .slice(0, KEEP)
            .map((build) => build.id),
        )
      : new Set<string>();
    const providers = this.imageProviders();

    for (const build of builds) {
      for (const provider of providers) {
        try {
          await this.cleanupObsoleteProviderUploads(provider, build);
          if (keep.has(build.id)) await this.cleanupCurrentProviderUploads(provider.name, build);
        } catch (error) {
          this.log.error('cleaning up the uploads of a build failed', { image, buildId: build.id, provider: provider.name, error: String(error) });
        }
      }

      // A build marked deleting goes whatever it is; others only when neither kept nor building.
      if (build.state !== 'deleting') {
        if (keep.has(build.id)) continue;
        if (await this.isBuildInProgress(build)) continue;
      }

      for (const provider of providers) {
        try {
          for (const upload of await store.uploads(image, build.id, provider.name)) {
            if (this.isRecentUpload(upload)) continue;
            this.log.debug('deleting a non-recent upload', { image, buildId: build.id, provider: provider.name, uploadId: upload.id });
            await this.deleteUpload(upload);
          }
        } catch (error) {
          this.log.error('cleaning up a build in a provider failed', { image, buildId: build.id, provider: provider.name, error: String(error) });
        }
      }

      const uploads: ImageUpload[] = [];
      for (const provider of await store.buildProviders(image, build.id)) uploads.push(...(await store.uploads(image, build.id, provider)));
      // Once every upload is being deleted, the local files may go: clouds can take long to
      // delete an image, and the disk need not wait for them.
      if (build.state !== 'deleting' && uploads.every((upload) => upload.state === 'deleting')) {
        await store
          .withBuildIdLock(image, build.id, async () => {
            build.setState('deleting', this.context.now());
            await store.storeBuild(build);
          })
          .catch((error: unknown) => {
            if (!(error instanceof LockDirectoryGone)) throw error;
          });
      }
      if (uploads.length === 0) {
        if (!(await store.deleteBuild(image, build.id))) this.log.error('cannot delete a build: uploads remain', { image, buildId: build.id });
        else this.log.info('deleted build', { image, buildId: build.id });
      }
    }
  }

  /** Uploads of an image the provider no longer lists are deleted, whatever their build. */
  private async cleanupObsoleteProviderUploads(provider: ProviderConfig, build: ImageBuild): Promise<void> {
    if (provider.diskimages.includes(build.image)) return;
    for (const upload of await this.context.store.uploads(build.image, build.id, provider.name)) {
      this.log.debug('deleting an obsolete upload', { image: build.image, buildId: build.id, provider: provider.name, uploadId: upload.id });
      await this.deleteUpload(upload);
    }
  }

  /**
   * Cruft of a kept build: `uploading` records nobody is uploading (their builder died; the
   * record goes, the launcher's leak cleanup finds any cloud image by its tags), and `failed` or
   * `deleting` uploads (deleted from the cloud and ZooKeeper).
   */
  private async cleanupCurrentProviderUploads(provider: string, build: ImageBuild): Promise<void> {
    const { store } = this.context;
    for (const upload of await store.uploads(build.image, build.id, provider, ['uploading', 'deleting', 'failed'])) {
      if (upload.state === 'uploading') {
        if (await store.isUploadInProgress(upload.image, upload.buildId, upload.provider)) continue;
        // It may have finished between the listing and the lock probe.
        const again = await store.upload(upload.image, upload.buildId, upload.provider, upload.id);
        if (!again || again.state !== upload.state) continue;
        this.log.info('removing the record of an upload that died', { image: upload.image, buildId: upload.buildId, provider, uploadId: upload.id });
        await store.deleteUpload(upload);
      } else {
        this.log.debug('removing a failed or deleted upload', { image: upload.image, buildId: upload.buildId, provider, uploadId: upload.id, state: upload.state });
        await this.deleteUpload(upload);
      }
    }
  }

  /** Marks an upload `deleting`, deletes the cloud image, then the record (both under its lock). */
  private async deleteUpload(upload: ImageUpload): Promise<void> {
    const { store } = this.context;
    if (upload.state !== 'deleting') {
      if (upload.state === 'uploading' && (await store.isUploadInProgress(upload.image, upload.buildId, upload.provider))) return;
      const marked = await store
        .withUploadNumberLock(upload, async () => {
          upload.setState('deleting', this.context.now());
          await store.storeUpload(upload);
          return true;
        })
        .catch((error: unknown) => {
          if (error instanceof LockDirectoryGone) return undefined;
          throw error;
        });
      if (!marked) {
        this.log.debug('could not lock an upload; trying again later', { image: upload.image, buildId: upload.buildId, provider: upload.provider, uploadId: upload.id });
        return;
      }
    }
    const runtime = this.context.provider(upload.provider);
    try {
      // A record without a cloud ID (the cloud and ZooKeeper out of step) has nothing to delete.
      if (upload.externalId) {
        if (!runtime?.deleteImage) throw new Error(`provider ${upload.provider} cannot delete images`);
        this.log.info('deleting image upload from the provider', { image: upload.image, buildId: upload.buildId, provider: upload.provider, externalId: upload.externalId });
        await runtime.deleteImage(upload.externalId);
      }
    } catch (error) {
      this.log.error('unable to delete an image from its provider', { provider: upload.provider, externalName: upload.externalName, error: String(error) });
      return;
    }
    await store
      .withUploadNumberLock(upload, async () => {
        await store.deleteUpload(upload);
        this.log.info('deleted image upload', { image: upload.image, buildId: upload.buildId, provider: upload.provider, uploadId: upload.id });
      })
      .catch((error: unknown) => {
        if (!(error instanceof LockDirectoryGone)) throw error;
      });
  }

  /**
   * A `building` build counts as in progress while its image build lock is held. Holding the
   * lock ourselves, the record is read again: if it is no longer `building`, it is left for the
   * next pass to judge by its new state.
   */
  private async isBuildInProgress(build: ImageBuild): Promise<boolean> {
    if (build.state !== 'building') return false;
    const { store } = this.context;
    const result = await store.withImageBuildLock(build.image, async () => {
      const again = await store.build(build.image, build.id);
      return again !== undefined && again.state !== 'building';
    });
    return result === undefined || result;
  }

  /** `nodepool.image_build_requests`: images whose manual build request nobody has taken up yet. */
  private async emitBuildRequestStats(images: readonly string[]): Promise<void> {
    if (!this.context.stats.enabled) return;
    let pending = 0;
    for (const image of images) {
      const request = await readBuildRequest(this.context.store.client, image);
      if (request?.pending) pending++;
    }
    this.context.stats.gauge('nodepool.image_build_requests', pending);
  }
}

function uploadKey(upload: Pick<ImageUpload, 'buildId' | 'id'>): string {
  return `${upload.buildId}/${upload.id}`;
}
