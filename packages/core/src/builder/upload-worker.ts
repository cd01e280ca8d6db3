import type { ProviderConfig } from '../driver/provider-config.js';
import { Periodic } from '../launcher/periodic.js';
import type { Logger } from '../log.js';
import { ImageUpload, type ImageBuild } from '../zk/image-records.js';
import type { BuilderContext } from './builder-context.js';
import { findDibImageFiles, type DibImageFile } from './dib-image-file.js';
import { runPostUploadHook } from './post-upload-hook.js';
import { formatImageName, providerImageSettings, providerUploadSettings } from './provider-images.js';

/**
 * Uploads builds (the original's UploadWorker): every pass, for each provider and each of its
 * diskimages, the newest ready build that is on this builder's disk and has no ready upload
 * there yet is uploaded, holding the upload lock of (build, provider) throughout. A failed
 * upload is recorded `failed` and tried again on a later pass.
 */
export class UploadWorker {
  private readonly log: Logger;
  private readonly periodic: Periodic;

  constructor(
    private readonly context: BuilderContext,
    readonly name: string,
    intervalMs: number,
  ) {
    this.log = context.log.child({ logger: `nodepool.builder.UploadWorker.${name}` });
    this.periodic = new Periodic(intervalMs, () => this.pass(), (error) => this.log.error('upload pass failed', { error: String(error) }));
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
    for (const provider of this.context.config().providers.values()) {
      for (const image of provider.diskimages) {
        if (this.context.stopping.aborted) return;
        try {
          await this.checkUpload(provider, image);
        } catch (error) {
          // Stopping closes the session under an upload in progress: expected, not an error.
          if (this.context.stopping.aborted) this.log.debug('upload cut short by the stop', { image, provider: provider.name, error: String(error) });
          else this.log.error('uploading an image failed', { image, provider: provider.name, error: String(error) });
        }
      }
    }
  }

  /** Uploads the newest ready build of `image` to `provider` if it needs it; true if it tried. */
  async checkUpload(provider: ProviderConfig, image: string): Promise<boolean> {
    const { store } = this.context;
    const imagesDir = this.context.config().imagesDir;
    if (!imagesDir || providerImageSettings(provider, image).pause) return false;
    const runtime = this.context.provider(provider.name);
    if (!runtime?.uploadImage) return false;
    const [build] = await store.mostRecentBuilds(1, image, 'ready');
    if (!build) return false;
    // Only the builder that has the files can upload them.
    const files = await findDibImageFiles(imagesDir, `${image}-${build.id}`);
    if (files.length === 0) return false;
    if ((await store.mostRecentUploads(1, image, build.id, provider.name, 'ready')).length > 0) return false;
    const { imageFormat } = providerUploadSettings(provider);
    if (!build.formats.includes(imageFormat)) return false;

    const tried = await store.withUploadLock(image, build.id, provider.name, async () => {
      // Someone may have uploaded it, or started deleting the build, since the look above.
      if ((await store.mostRecentUploads(1, image, build.id, provider.name, 'ready')).length > 0) return false;
      const current = await store.build(image, build.id);
      if (!current || current.state === 'deleting') return false;
      const upload = new ImageUpload();
      Object.assign(upload, { image, buildId: build.id, provider: provider.name });
      upload.username = build.username;
      upload.pythonPath = build.pythonPath;
      upload.shellType = build.shellType;
      upload.setState('uploading', this.context.now());
      await store.storeUpload(upload);
      const outcome = await this.upload(provider, build, upload, files);
      await store.storeUpload(outcome);
      return true;
    });
    return tried ?? false;
  }

  /** Uploads and resolves the record to store: `ready` with the cloud's ID, or `failed`. */
  private async upload(provider: ProviderConfig, build: ImageBuild, upload: ImageUpload, files: readonly DibImageFile[]): Promise<ImageUpload> {
    const settings = providerUploadSettings(provider);
    const runtime = this.context.provider(provider.name);
    const started = Date.now();
    const failed = (): ImageUpload => {
      // A failed record is a fresh one: only its state means anything, as in the original.
      const record = new ImageUpload();
      Object.assign(record, { image: upload.image, buildId: upload.buildId, provider: upload.provider, id: upload.id, version: upload.version });
      record.username = null;
      record.pythonPath = null;
      record.shellType = null;
      record.setState('failed', this.context.now());
      return record;
    };
    const file = files.find((candidate) => candidate.extension === settings.imageFormat);
    if (!file || !runtime?.uploadImage) {
      this.log.error('no image file of the provider\'s format to upload', { image: upload.image, buildId: build.id, format: settings.imageFormat });
      return failed();
    }
    const externalName = formatImageName(settings.imageNameFormat, { image_name: upload.image, upload_id: upload.id, timestamp: String(Math.trunc(started / 1000)) });
    const diskimage = this.context.config().diskimages.get(upload.image);
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...(diskimage?.metadata ?? {}), ...providerImageSettings(provider, upload.image).metadata })) metadata[key] = String(value);
    metadata.nodepool_build_id = build.id;
    metadata.nodepool_upload_id = upload.id;
    metadata.nodepool_provider_name = provider.name;
    this.log.info('uploading DIB image build', { image: upload.image, buildId: build.id, file: file.path, provider: provider.name, uploadId: upload.id });

    let externalId: string;
    try {
      externalId = await runtime.uploadImage({
        providerImage: { name: upload.image },
        imageName: externalName,
        filename: file.path,
        imageFormat: file.extension,
        metadata,
        ...(file.md5 === undefined ? {} : { md5: file.md5 }),
        ...(file.sha256 === undefined ? {} : { sha256: file.sha256 }),
      });
    } catch (error) {
      this.log.error('failed to upload a build', { image: upload.image, buildId: build.id, provider: provider.name, error: String(error) });
      return failed();
    }

    if (settings.postUploadHook) {
      try {
        const result = await runPostUploadHook(settings.postUploadHook, [provider.name, externalId, file.path]);
        this.log.info('post upload hook succeeded', { provider: provider.name, externalId, ...result });
      } catch (error) {
        this.log.error('post upload hook failed; deleting the upload', { provider: provider.name, externalId, error: String(error) });
        // Differs from Nodepool: the image is deleted by its cloud ID (the original passes its
        // name where state-machine providers expect the ID, and the delete fails).
        await runtime.deleteImage?.(externalId).catch((deleteError: unknown) =>
          this.log.error('could not delete the image after its hook failed', { externalId, error: String(deleteError) }),
        );
        return failed();
      }
    }

    const key = `nodepool.image_update.${upload.image}.${provider.name}`;
    this.context.stats.timing(key, Date.now() - started);
    this.context.stats.increment(key);
    this.log.info('image build is ready in the provider', { image: upload.image, buildId: build.id, provider: provider.name, externalId });
    upload.externalId = externalId;
    upload.externalName = externalName;
    upload.format = file.extension;
    upload.setState('ready', this.context.now());
    return upload;
  }
}
