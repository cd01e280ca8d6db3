import {
  AllocateHostsCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DeregisterImageCommand,
  DescribeHostsCommand,
  DescribeImagesCommand,
  DescribeImportImageTasksCommand,
  DescribeImportSnapshotTasksCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  ImportImageCommand,
  ImportSnapshotCommand,
  RegisterImageCommand,
  ReleaseHostsCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type AllocateHostsCommandInput,
  type Filter,
  type Host,
  type Image,
  type ImportImageCommandInput,
  type ImportImageTask,
  type ImportSnapshotCommandInput,
  type ImportSnapshotTask,
  type Instance as Ec2Instance,
  type InstanceTypeInfo,
  type RegisterImageCommandInput,
  type RunInstancesCommandInput,
  type Snapshot,
  type Tag,
  type Volume,
} from '@aws-sdk/client-ec2';
import { createReadStream } from 'node:fs';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { AdapterContext, Logger, RateLimiter } from '@nodepool/core';
import { isThrottling, translateAwsError } from './aws-errors.js';
import type { AwsProviderConfig } from './config.js';
import { limiterFriendlyRetryStrategy } from './sdk-retry-strategy.js';

export interface AwsClientOptions {
  /** Attempts per call on network errors and transient 5xx answers (the SDK's own retry); default 3. */
  readonly maxAttempts?: number;
  /** Throttled answers in a row a call rides out, each after backing the limiter off; default 10. */
  readonly maxThrottleRetries?: number;
  /** Per EC2 or Service Quotas request; default 60 s. S3 requests get ten times as long. */
  readonly requestTimeoutMs?: number;
}

/** Which of the kit's limiters a call goes through. */
export type CallKind = 'read' | 'write';

/**
 * A thin client of EC2, S3 and Service Quotas: the real SDK v3 clients, each call sent
 * through the kit's rate limiters (`read` calls on the read-only budget, `write` calls at the
 * provider's `rate`). A throttled call backs its limiter off, so every caller pauses, and is
 * sent again; the SDK's own retry is left the network blips. Errors become core's
 * (`translateAwsError`) here and nowhere else.
 */
export class AwsClient {
  readonly ec2: EC2Client;
  readonly s3: S3Client;
  readonly quotas: ServiceQuotasClient;
  private readonly maxThrottleRetries: number;

  constructor(
    config: Pick<AwsProviderConfig, 'regionName' | 'profileName' | 'endpointUrl'>,
    private readonly rateLimits: AdapterContext['rateLimits'],
    private readonly log: Logger,
    options: AwsClientOptions = {},
  ) {
    this.maxThrottleRetries = options.maxThrottleRetries ?? 10;
    const maxAttempts = options.maxAttempts ?? 3;
    const requestTimeout = options.requestTimeoutMs ?? 60_000;
    // Credentials come from the SDK's usual chain (environment, profile, SSO, instance role).
    const common = {
      region: config.regionName,
      ...(config.profileName === null ? {} : { profile: config.profileName }),
      ...(config.endpointUrl === null ? {} : { endpoint: config.endpointUrl }),
      maxAttempts,
      retryStrategy: limiterFriendlyRetryStrategy(maxAttempts),
    };
    this.ec2 = new EC2Client({ ...common, requestHandler: { requestTimeout, connectionTimeout: 10_000 } });
    this.quotas = new ServiceQuotasClient({ ...common, requestHandler: { requestTimeout, connectionTimeout: 10_000 } });
    // Path style for a custom endpoint: AWS-compatible stores and fakes seldom have bucket DNS.
    this.s3 = new S3Client({
      ...common,
      ...(config.endpointUrl === null ? {} : { forcePathStyle: true }),
      requestHandler: { requestTimeout: requestTimeout * 10, connectionTimeout: 10_000 },
    });
  }

  /**
   * Sends one request through the `kind` limiter. A throttled answer backs the limiter off (the
   * pause holds every call through it) and the request is sent again, up to
   * `maxThrottleRetries` times; any other error is translated.
   */
  async call<T>(kind: CallKind, action: string, send: () => Promise<T>): Promise<T> {
    const limiter: RateLimiter = kind === 'read' ? this.rateLimits.readOnly : this.rateLimits.mutating;
    for (let attempt = 0; ; attempt++) {
      try {
        return await limiter.run(send);
      } catch (error) {
        if (isThrottling(error) && attempt < this.maxThrottleRetries) {
          this.log.debug('AWS throttled a call; backing off', { action, attempt });
          limiter.backOff();
          continue;
        }
        throw translateAwsError(action, error);
      }
    }
  }

  /** Closes the SDK clients' connections. */
  destroy(): void {
    this.ec2.destroy();
    this.s3.destroy();
    this.quotas.destroy();
  }

  // ---- EC2: instances ---------------------------------------------------------------------------

  /** Every instance of the region, all pages (a page holds up to 1,000 reservations). */
  async describeInstances(filters?: Filter[]): Promise<Ec2Instance[]> {
    const instances: Ec2Instance[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('read', 'DescribeInstances', () => this.ec2.send(new DescribeInstancesCommand({ Filters: filters, MaxResults: 1000, NextToken: token })));
      for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
      token = page.NextToken || undefined;
    } while (token);
    return instances;
  }

  async runInstances(input: RunInstancesCommandInput): Promise<Ec2Instance[]> {
    const reply = await this.call('write', 'RunInstances', () => this.ec2.send(new RunInstancesCommand(input)));
    return reply.Instances ?? [];
  }

  /**
   * Starts terminating; an unknown (or malformed) ID makes the whole call a `NotFoundError`.
   * Given a function, the IDs are read when the limiter lets the call go, so that IDs queued
   * while it waited go with it.
   */
  async terminateInstances(instanceIds: readonly string[] | (() => readonly string[])): Promise<void> {
    const ids = typeof instanceIds === 'function' ? instanceIds : () => instanceIds;
    await this.call('write', 'TerminateInstances', () => this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [...ids()] })));
  }

  /** Types by name, in one call (at most 100 names). An unknown name fails the whole call. */
  async describeInstanceTypes(names: readonly string[]): Promise<InstanceTypeInfo[]> {
    const reply = await this.call('read', 'DescribeInstanceTypes', () => this.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [...names] as never[] })));
    return reply.InstanceTypes ?? [];
  }

  // ---- EC2: images, snapshots, volumes ----------------------------------------------------------

  async describeImages(input: { imageIds?: readonly string[]; owners?: readonly string[]; filters?: Filter[] }): Promise<Image[]> {
    const images: Image[] = [];
    let token: string | undefined;
    const paged = input.imageIds === undefined;
    do {
      const page = await this.call('read', 'DescribeImages', () =>
        this.ec2.send(
          new DescribeImagesCommand({
            ImageIds: input.imageIds && [...input.imageIds],
            Owners: input.owners && [...input.owners],
            Filters: input.filters,
            // EC2 refuses MaxResults together with IDs.
            ...(paged ? { MaxResults: 1000, NextToken: token } : {}),
          }),
        ),
      );
      images.push(...(page.Images ?? []));
      token = page.NextToken || undefined;
    } while (paged && token);
    return images;
  }

  async registerImage(input: RegisterImageCommandInput): Promise<string> {
    const reply = await this.call('write', 'RegisterImage', () => this.ec2.send(new RegisterImageCommand(input)));
    if (!reply.ImageId) throw new Error('AWS RegisterImage answered without an image ID');
    return reply.ImageId;
  }

  async deregisterImage(imageId: string): Promise<void> {
    await this.call('write', 'DeregisterImage', () => this.ec2.send(new DeregisterImageCommand({ ImageId: imageId })));
  }

  async describeSnapshots(input: { snapshotIds?: readonly string[]; ownerIds?: readonly string[] }): Promise<Snapshot[]> {
    const snapshots: Snapshot[] = [];
    let token: string | undefined;
    const paged = input.snapshotIds === undefined;
    do {
      const page = await this.call('read', 'DescribeSnapshots', () =>
        this.ec2.send(
          new DescribeSnapshotsCommand({
            SnapshotIds: input.snapshotIds && [...input.snapshotIds],
            OwnerIds: input.ownerIds && [...input.ownerIds],
            ...(paged ? { MaxResults: 1000, NextToken: token } : {}),
          }),
        ),
      );
      snapshots.push(...(page.Snapshots ?? []));
      token = page.NextToken || undefined;
    } while (paged && token);
    return snapshots;
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await this.call('write', 'DeleteSnapshot', () => this.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
  }

  async describeVolumes(filters?: Filter[]): Promise<Volume[]> {
    const volumes: Volume[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('read', 'DescribeVolumes', () => this.ec2.send(new DescribeVolumesCommand({ Filters: filters, MaxResults: 500, NextToken: token })));
      volumes.push(...(page.Volumes ?? []));
      token = page.NextToken || undefined;
    } while (token);
    return volumes;
  }

  async deleteVolume(volumeId: string): Promise<void> {
    await this.call('write', 'DeleteVolume', () => this.ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId })));
  }

  async createTags(resourceIds: readonly string[], tags: Tag[]): Promise<void> {
    await this.call('write', 'CreateTags', () => this.ec2.send(new CreateTagsCommand({ Resources: [...resourceIds], Tags: tags })));
  }

  // ---- EC2: imports -------------------------------------------------------------------------------

  async importSnapshot(input: ImportSnapshotCommandInput): Promise<string> {
    const reply = await this.call('write', 'ImportSnapshot', () => this.ec2.send(new ImportSnapshotCommand(input)));
    if (!reply.ImportTaskId) throw new Error('AWS ImportSnapshot answered without a task ID');
    return reply.ImportTaskId;
  }

  /** Import snapshot tasks: those named, or all (one page is plenty: EC2 forgets old tasks). */
  async describeImportSnapshotTasks(taskIds?: readonly string[]): Promise<ImportSnapshotTask[]> {
    const reply = await this.call('read', 'DescribeImportSnapshotTasks', () => this.ec2.send(new DescribeImportSnapshotTasksCommand({ ImportTaskIds: taskIds && [...taskIds] })));
    return reply.ImportSnapshotTasks ?? [];
  }

  async importImage(input: ImportImageCommandInput): Promise<string> {
    const reply = await this.call('write', 'ImportImage', () => this.ec2.send(new ImportImageCommand(input)));
    if (!reply.ImportTaskId) throw new Error('AWS ImportImage answered without a task ID');
    return reply.ImportTaskId;
  }

  async describeImportImageTasks(taskIds?: readonly string[]): Promise<ImportImageTask[]> {
    const reply = await this.call('read', 'DescribeImportImageTasks', () => this.ec2.send(new DescribeImportImageTasksCommand({ ImportTaskIds: taskIds && [...taskIds] })));
    return reply.ImportImageTasks ?? [];
  }

  // ---- EC2: dedicated hosts -----------------------------------------------------------------------

  async allocateHosts(input: AllocateHostsCommandInput): Promise<string[]> {
    const reply = await this.call('write', 'AllocateHosts', () => this.ec2.send(new AllocateHostsCommand(input)));
    return reply.HostIds ?? [];
  }

  /** Releases hosts; returns the ones EC2 refused, with its code (`Client.InvalidHostID.NotFound`, …). */
  async releaseHosts(hostIds: readonly string[]): Promise<{ hostId: string; code: string; message: string }[]> {
    const reply = await this.call('write', 'ReleaseHosts', () => this.ec2.send(new ReleaseHostsCommand({ HostIds: [...hostIds] })));
    return (reply.Unsuccessful ?? []).map((item) => ({ hostId: item.ResourceId ?? '', code: item.Error?.Code ?? '', message: item.Error?.Message ?? '' }));
  }

  async describeHosts(filters?: Filter[]): Promise<Host[]> {
    const hosts: Host[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('read', 'DescribeHosts', () => this.ec2.send(new DescribeHostsCommand({ Filter: filters, MaxResults: 500, NextToken: token })));
      hosts.push(...(page.Hosts ?? []));
      token = page.NextToken || undefined;
    } while (token);
    return hosts;
  }

  // ---- S3 ------------------------------------------------------------------------------------------

  /**
   * Uploads a file as `bucket/key` with `tagging` (URL-encoded tags): one PutObject, or a
   * multipart upload of `partSize` parts for a file larger than that (PutObject stops at 5 GiB).
   * Each attempt reads the file afresh, so a throttled part can be sent again.
   */
  async uploadFile(input: { bucket: string; key: string; filename: string; size: number; tagging: string; partSize: number }): Promise<void> {
    const { bucket, key, filename, size, tagging, partSize } = input;
    const body = (start: number, end: number) => createReadStream(filename, { start, end: Math.max(start, end - 1) });
    if (size <= partSize) {
      await this.call('write', 'PutObject', () => this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: size === 0 ? '' : body(0, size), ContentLength: size, Tagging: tagging })));
      return;
    }
    const { UploadId } = await this.call('write', 'CreateMultipartUpload', () => this.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Tagging: tagging })));
    try {
      const parts: { ETag: string | undefined; PartNumber: number }[] = [];
      for (let start = 0, number = 1; start < size; start += partSize, number++) {
        const end = Math.min(size, start + partSize);
        const { ETag } = await this.call('write', 'UploadPart', () =>
          this.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: number, Body: body(start, end), ContentLength: end - start })),
        );
        parts.push({ ETag, PartNumber: number });
      }
      await this.call('write', 'CompleteMultipartUpload', () => this.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } })));
    } catch (error) {
      await this.call('write', 'AbortMultipartUpload', () => this.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))).catch(() => undefined);
      throw error;
    }
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.call('write', 'DeleteObject', () => this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
  }

  /** Every key in the bucket, all pages. */
  async listObjectKeys(bucket: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('read', 'ListObjectsV2', () => this.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token })));
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async getObjectTags(bucket: string, key: string): Promise<Tag[]> {
    const reply = await this.call('read', 'GetObjectTagging', () => this.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key })));
    return (reply.TagSet ?? []) as Tag[];
  }

  // ---- Service Quotas -----------------------------------------------------------------------------

  /**
   * Every applied quota of a service (`ec2`, `ebs`), code → value. Service Quotas allows few
   * calls a second, so these go at the provider's `rate` (as the original's own limiter did).
   */
  async listServiceQuotas(serviceCode: string): Promise<Map<string, number>> {
    const quotas = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await this.call('write', 'ListServiceQuotas', () => this.quotas.send(new ListServiceQuotasCommand({ ServiceCode: serviceCode, MaxResults: 100, NextToken: token })));
      for (const quota of page.Quotas ?? []) if (quota.QuotaCode && quota.Value !== undefined) quotas.set(quota.QuotaCode, quota.Value);
      token = page.NextToken || undefined;
    } while (token);
    return quotas;
  }
}
