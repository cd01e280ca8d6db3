import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DiskImageFormat, ImportImageTask, ImportSnapshotTask, VolumeType } from '@aws-sdk/client-ec2';
import { pythonStr, type ImageUploadOptions, type Logger } from '@nodepool/core';
import { AwsApiError } from './aws-errors.js';
import type { AwsClient } from './client.js';
import type { AwsDiskImageConfig, AwsProviderConfig } from './config.js';
import { toTagList } from './tags.js';

const GIB = 1024 ** 3;
const MIN_PART = 5 * 1024 ** 2;

export interface ImageImportTimings {
  /** First wait before looking at an import task; it doubles up to `maxPollMs`. Default 1 s. */
  readonly pollMs?: number;
  /** Longest wait between looks at an import task. Default 30 s (the original's interval). */
  readonly maxPollMs?: number;
  /** Files larger than this go up in parts of this size (at least 5 MiB). Default 256 MiB. */
  readonly partSizeBytes?: number;
}

/**
 * Uploads a built image as an AMI, as nodepool-builder asks: the file goes to the provider's
 * `object-storage` bucket (tagged with Nodepool's metadata, so a crash leaves a leak that
 * cleanup finds), is imported by the diskimage's `import-method` — ImportSnapshot then
 * RegisterImage (`snapshot`, the default), or ImportImage (`image`) — and is deleted from the
 * bucket. The AMI and its snapshot get the diskimage's `tags` and Nodepool's metadata.
 */
export class ImageImporter {
  constructor(
    private readonly client: AwsClient,
    private readonly config: AwsProviderConfig,
    private readonly log: Logger,
    private readonly timings: ImageImportTimings = {},
  ) {}

  async upload(options: ImageUploadOptions): Promise<string> {
    const bucket = this.config.objectStorage?.bucketName;
    if (!bucket) throw new Error(`provider ${this.config.name} has no object-storage bucket to upload images through`);
    const image = this.config.providerDiskimages.get(options.providerImage.name);
    if (!image) throw new Error(`diskimage ${options.providerImage.name} is not one of provider ${this.config.name}'s diskimages`);
    const tags: Record<string, string> = {};
    for (const [key, value] of Object.entries(image.tags)) tags[key] = pythonStr(value);
    Object.assign(tags, options.metadata);

    const key = `${options.imageName}.${options.imageFormat}`;
    const { size } = await stat(options.filename);
    this.log.info('uploading image to S3', { image: options.imageName, bucket, key, size });
    await this.client.uploadFile({
      bucket,
      key,
      filename: options.filename,
      size,
      tagging: new URLSearchParams(options.metadata).toString(),
      // S3 takes parts of 5 MiB and more (but the last).
      partSize: Math.max(MIN_PART, this.timings.partSizeBytes ?? 256 * 1024 ** 2),
    });
    try {
      const source = { Format: options.imageFormat as DiskImageFormat, UserBucket: { S3Bucket: bucket, S3Key: key } };
      const imageId = image.importMethod === 'image' ? await this.importImage(image, options.imageName, source, tags) : await this.importSnapshot(image, options.imageName, source, tags);
      this.log.info('image imported', { image: options.imageName, imageId, method: image.importMethod });
      return imageId;
    } finally {
      await this.client.deleteObject(bucket, key).catch((error: unknown) => this.log.warn('could not delete the uploaded image from S3; leak cleanup will', { key, error: String(error) }));
    }
  }

  private async importSnapshot(image: AwsDiskImageConfig, imageName: string, source: { Format: DiskImageFormat; UserBucket: { S3Bucket: string; S3Key: string } }, tags: Record<string, string>): Promise<string> {
    const taskId = await this.retryOnTaskLimit(() =>
      this.client.importSnapshot({ DiskContainer: source, TagSpecifications: [{ ResourceType: 'import-snapshot-task', Tags: toTagList(tags) }] }),
    );
    const task = await this.waitFor(taskId, async () => (await this.client.describeImportSnapshotTasks([taskId]))[0], (found: ImportSnapshotTask) => found.SnapshotTaskDetail?.Status);
    const detail = task.SnapshotTaskDetail!;
    const snapshotId = detail.SnapshotId;
    if (!snapshotId) throw new Error(`snapshot import ${taskId} completed without a snapshot`);
    await this.client.createTags([snapshotId], toTagList(tags));
    const sizeGiB = Math.max(1, Math.ceil((detail.DiskImageSize ?? GIB) / GIB));
    return this.client.registerImage({
      Name: imageName,
      Architecture: image.architecture as never,
      RootDeviceName: '/dev/sda1',
      VirtualizationType: 'hvm',
      EnaSupport: image.enaSupport,
      BlockDeviceMappings: [
        {
          DeviceName: '/dev/sda1',
          Ebs: {
            DeleteOnTermination: true,
            SnapshotId: snapshotId,
            VolumeSize: image.volumeSize ?? sizeGiB,
            VolumeType: image.volumeType as VolumeType,
            ...(image.iops === null ? {} : { Iops: image.iops }),
            ...(image.throughput === null ? {} : { Throughput: image.throughput }),
          },
        },
      ],
      TagSpecifications: [{ ResourceType: 'image', Tags: toTagList(tags) }],
    });
  }

  private async importImage(image: AwsDiskImageConfig, imageName: string, source: { Format: DiskImageFormat; UserBucket: { S3Bucket: string; S3Key: string } }, tags: Record<string, string>): Promise<string> {
    const taskId = await this.retryOnTaskLimit(() =>
      this.client.importImage({
        Architecture: image.architecture,
        Description: imageName,
        DiskContainers: [source],
        TagSpecifications: [{ ResourceType: 'import-image-task', Tags: toTagList(tags) }],
      }),
    );
    const task = await this.waitFor(taskId, async () => (await this.client.describeImportImageTasks([taskId]))[0], (found: ImportImageTask) => found.Status);
    const snapshotIds = (task.SnapshotDetails ?? []).map((detail) => detail.SnapshotId).filter((id): id is string => id !== undefined);
    if (!task.ImageId) throw new Error(`image import ${taskId} completed without an AMI`);
    // EC2 does not tag what an import makes: tag the AMI and its snapshots ourselves.
    await this.client.createTags([task.ImageId, ...snapshotIds], toTagList(tags));
    return task.ImageId;
  }

  /** Polls an import task until it completes; fails if EC2 gives up on it. */
  private async waitFor<T>(taskId: string, describe: () => Promise<T | undefined>, status: (task: T) => string | undefined): Promise<T> {
    let wait = this.timings.pollMs ?? 1_000;
    for (;;) {
      await sleep(wait);
      wait = Math.min(wait * 2, this.timings.maxPollMs ?? 30_000);
      const task = await describe();
      const state = task === undefined ? undefined : status(task)?.toLowerCase();
      if (state === 'completed') return task!;
      if (task === undefined || state === 'deleted' || state === 'deleting') {
        throw new Error(`EC2 import task ${taskId} failed: ${JSON.stringify(task ?? 'not found')}`);
      }
    }
  }

  /** Starts an import, waiting out `ResourceCountLimitExceeded` for up to `image-import-timeout`. */
  private async retryOnTaskLimit(start: () => Promise<string>): Promise<string> {
    const deadline = Date.now() + (this.config.imageImportTimeout ?? 0) * 1000;
    for (;;) {
      try {
        return await start();
      } catch (error) {
        if (!(error instanceof AwsApiError && error.code === 'ResourceCountLimitExceeded') || Date.now() >= deadline) throw error;
        this.log.info('too many EC2 imports under way; waiting to start this one', { error: error.message });
        await sleep(Math.min(this.timings.maxPollMs ?? 30_000, Math.max(0, deadline - Date.now())));
      }
    }
  }
}
