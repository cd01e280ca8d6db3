import { createReadStream } from 'node:fs';
import IBM from 'ibm-cos-sdk';
import { NotFoundError, type RateLimiter } from '@nodepool/core';
import { IbmCloudApiError } from './ibm-api-error.js';

export interface CosOptions {
  /** The provider's `object-storage.endpoint`. */
  readonly endpoint: string;
  readonly apiKey: string;
  /** The CRN of the Cloud Object Storage instance. */
  readonly serviceInstanceId: string;
  /** The IAM token service, `https://iam.cloud.ibm.com/identity/token` unless configured. */
  readonly authEndpoint: string;
  readonly rateLimits: { readonly mutating: RateLimiter; readonly readOnly: RateLimiter };
  /** Socket idle timeout; default 5 minutes (an upload's parts are large). */
  readonly timeoutMs?: number;
}

/** An object of the bucket. */
export interface CosObject {
  readonly key: string;
  readonly size: number;
}

/**
 * Cloud Object Storage through `ibm-cos-sdk` (S3, signed with IAM tokens for the API key, path
 * style), for staging image files: the bucket's location, uploads (multipart above the SDK's
 * part size), listings and deletions.
 */
export class Cos {
  private readonly s3: IBM.S3;

  constructor(private readonly options: CosOptions) {
    this.s3 = new IBM.S3({
      endpoint: options.endpoint,
      apiKeyId: options.apiKey,
      serviceInstanceId: options.serviceInstanceId,
      ibmAuthEndpoint: options.authEndpoint,
      signatureVersion: 'iam',
      s3ForcePathStyle: true,
      httpOptions: { timeout: options.timeoutMs ?? 300_000 },
    });
  }

  /** The bucket's location constraint, e.g. `us-south-smart`. */
  async bucketLocation(bucket: string): Promise<string> {
    const answer = await this.send('cos.GET.bucket_location', this.options.rateLimits.readOnly, () => this.s3.getBucketLocation({ Bucket: bucket }).promise());
    return answer.LocationConstraint ?? '';
  }

  /** Uploads a file as `key`. */
  async upload(bucket: string, key: string, filename: string): Promise<void> {
    await this.send('cos.PUT.object', this.options.rateLimits.mutating, () => this.s3.upload({ Bucket: bucket, Key: key, Body: createReadStream(filename) }).promise());
  }

  /** Every object of the bucket (every page). */
  async listObjects(bucket: string): Promise<CosObject[]> {
    const objects: CosObject[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await this.send('cos.GET.objects', this.options.rateLimits.readOnly, () => this.s3.listObjects({ Bucket: bucket, ...(marker === undefined ? {} : { Marker: marker }) }).promise());
      const contents = page.Contents ?? [];
      objects.push(...contents.map((object) => ({ key: object.Key ?? '', size: object.Size ?? 0 })));
      if (!page.IsTruncated || contents.length === 0) return objects;
      marker = page.NextMarker ?? contents.at(-1)?.Key;
    }
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.send('cos.DELETE.object', this.options.rateLimits.mutating, () => this.s3.deleteObject({ Bucket: bucket, Key: key }).promise());
  }

  private async send<T>(operation: string, limiter: RateLimiter, call: () => Promise<T>): Promise<T> {
    try {
      return await limiter.run(call);
    } catch (raw) {
      const error = raw as { statusCode?: number; code?: string; message?: string };
      const message = `IBM Cloud ${operation}: ${error.statusCode === undefined ? 'no answer' : `HTTP ${error.statusCode}`} ${error.code ?? ''}: ${error.message ?? String(raw)}`;
      const translated = new IbmCloudApiError(message, error.statusCode, error.code, operation, { cause: raw });
      throw error.code === 'NoSuchKey' || error.code === 'NoSuchBucket' ? new NotFoundError(message, { cause: translated }) : translated;
    }
  }
}
