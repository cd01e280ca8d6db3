import { createHash, randomUUID } from 'node:crypto';
import { AwsApiError } from './aws-api-error.js';
import type { FakeBucket, FakeS3Object } from './fake-aws-types.js';

/** An object held in memory, bytes and all. */
export interface S3ObjectRecord {
  readonly key: string;
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: number;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
  tags: Map<string, string>;
}

interface MultipartUpload {
  readonly uploadId: string;
  readonly key: string;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
  readonly tags: Map<string, string>;
  readonly parts: Map<number, { body: Buffer; etag: string }>;
}

interface BucketRecord {
  readonly name: string;
  readonly createdAt: number;
  readonly objects: Map<string, S3ObjectRecord>;
  readonly uploads: Map<string, MultipartUpload>;
}

/** S3's limit on tags per object. */
const MAX_OBJECT_TAGS = 10;

const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

/** Buckets and objects in memory, with S3's rules and error codes. */
export class S3Model {
  private readonly buckets = new Map<string, BucketRecord>();

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.buckets.clear();
  }

  // ---- buckets --------------------------------------------------------------------------------

  createBucket(name: string): void {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
      throw new AwsApiError('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
    }
    if (this.buckets.has(name)) {
      throw new AwsApiError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, { BucketName: name });
    }
    this.buckets.set(name, { name, createdAt: this.now(), objects: new Map(), uploads: new Map() });
  }

  ensureBucket(name: string): void {
    if (!this.buckets.has(name)) this.createBucket(name);
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0) throw new AwsApiError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: name });
    this.buckets.delete(name);
  }

  listBuckets(): { name: string; createdAt: number }[] {
    return [...this.buckets.values()].map(({ name, createdAt }) => ({ name, createdAt }));
  }

  private bucket(name: string): BucketRecord {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new AwsApiError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
    return bucket;
  }

  // ---- objects --------------------------------------------------------------------------------

  putObject(bucketName: string, key: string, body: Buffer, options: { contentType?: string; metadata?: Record<string, string>; tags?: Map<string, string> } = {}): S3ObjectRecord {
    const bucket = this.bucket(bucketName);
    checkKey(key);
    const tags = options.tags ?? new Map<string, string>();
    checkTags(tags);
    const record: S3ObjectRecord = {
      key,
      body,
      etag: `"${md5(body)}"`,
      lastModified: this.now(),
      contentType: options.contentType ?? 'application/octet-stream',
      metadata: options.metadata ?? {},
      tags,
    };
    bucket.objects.set(key, record);
    return record;
  }

  /** The object, or a `NoSuchKey` error (a HEAD turns it into a bare 404). */
  getObject(bucketName: string, key: string): S3ObjectRecord {
    const record = this.bucket(bucketName).objects.get(key);
    if (!record) throw new AwsApiError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
    return record;
  }

  findObject(bucketName: string, key: string): S3ObjectRecord | undefined {
    return this.buckets.get(bucketName)?.objects.get(key);
  }

  /** As S3 does, deleting a missing key succeeds. */
  deleteObject(bucketName: string, key: string): void {
    this.bucket(bucketName).objects.delete(key);
  }

  setObjectTags(bucketName: string, key: string, tags: Map<string, string>): void {
    checkTags(tags);
    this.getObject(bucketName, key).tags = tags;
  }

  /** Keys in UTF-8 binary order, as S3 lists them. */
  listObjects(bucketName: string): S3ObjectRecord[] {
    return [...this.bucket(bucketName).objects.values()].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  // ---- multipart uploads ----------------------------------------------------------------------

  createMultipartUpload(bucketName: string, key: string, options: { contentType?: string; metadata?: Record<string, string>; tags?: Map<string, string> }): string {
    const bucket = this.bucket(bucketName);
    checkKey(key);
    const tags = options.tags ?? new Map<string, string>();
    checkTags(tags);
    const uploadId = randomUUID().replaceAll('-', '');
    bucket.uploads.set(uploadId, {
      uploadId,
      key,
      contentType: options.contentType ?? 'application/octet-stream',
      metadata: options.metadata ?? {},
      tags,
      parts: new Map(),
    });
    return uploadId;
  }

  uploadPart(bucketName: string, key: string, uploadId: string, partNumber: number, body: Buffer): string {
    const upload = this.upload(bucketName, key, uploadId);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
      throw new AwsApiError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', 400);
    }
    const etag = `"${md5(body)}"`;
    upload.parts.set(partNumber, { body, etag });
    return etag;
  }

  completeMultipartUpload(bucketName: string, key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): S3ObjectRecord {
    const upload = this.upload(bucketName, key, uploadId);
    if (parts.length === 0) throw new AwsApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
    const bodies: Buffer[] = [];
    const digests: Buffer[] = [];
    let previous = 0;
    for (const [index, part] of parts.entries()) {
      if (part.partNumber <= previous) throw new AwsApiError('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', 400);
      previous = part.partNumber;
      const stored = upload.parts.get(part.partNumber);
      if (!stored || stored.etag.replaceAll('"', '') !== part.etag.replaceAll('"', '')) {
        throw new AwsApiError('InvalidPart', 'One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', 400);
      }
      // S3's 5 MiB minimum applies to every part but the last.
      if (index < parts.length - 1 && stored.body.length < 5 * 1024 * 1024) {
        throw new AwsApiError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400);
      }
      bodies.push(stored.body);
      digests.push(Buffer.from(stored.etag.replaceAll('"', ''), 'hex'));
    }
    this.bucket(bucketName).uploads.delete(uploadId);
    const record = this.putObject(bucketName, key, Buffer.concat(bodies), { contentType: upload.contentType, metadata: upload.metadata, tags: upload.tags });
    const etag = `"${md5(Buffer.concat(digests))}-${parts.length}"`;
    const completed: S3ObjectRecord = { ...record, etag };
    this.bucket(bucketName).objects.set(key, completed);
    return completed;
  }

  abortMultipartUpload(bucketName: string, key: string, uploadId: string): void {
    this.upload(bucketName, key, uploadId);
    this.bucket(bucketName).uploads.delete(uploadId);
  }

  private upload(bucketName: string, key: string, uploadId: string): MultipartUpload {
    const upload = this.bucket(bucketName).uploads.get(uploadId);
    if (!upload || upload.key !== key) {
      throw new AwsApiError('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404);
    }
    return upload;
  }

  // ---- views ----------------------------------------------------------------------------------

  snapshot(): FakeBucket[] {
    return [...this.buckets.values()].map((bucket) => ({
      name: bucket.name,
      creationDate: new Date(bucket.createdAt).toISOString(),
      objects: this.listObjects(bucket.name).map((record) => objectView(bucket.name, record)),
    }));
  }
}

export function objectView(bucket: string, record: S3ObjectRecord): FakeS3Object {
  return {
    bucket,
    key: record.key,
    size: record.body.length,
    etag: record.etag,
    lastModified: new Date(record.lastModified).toISOString(),
    contentType: record.contentType,
    tags: Object.fromEntries(record.tags),
  };
}

function checkKey(key: string): void {
  if (key === '' || Buffer.byteLength(key) > 1024) throw new AwsApiError('KeyTooLongError', 'Your key is too long', 400);
}

function checkTags(tags: Map<string, string>): void {
  if (tags.size > MAX_OBJECT_TAGS) throw new AwsApiError('BadRequest', 'Object tags cannot be greater than 10', 400);
  for (const [key, value] of tags) {
    if (key === '' || key.length > 128) throw new AwsApiError('InvalidTag', 'The TagKey you have provided is invalid', 400);
    if (value.length > 256) throw new AwsApiError('InvalidTag', 'The TagValue you have provided is too long', 400);
  }
}
