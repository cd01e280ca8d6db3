import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FakeHttpReply } from '@nodepool/core/testing';
import { AwsApiError } from './aws-api-error.js';
import { decodeAwsChunked } from './aws-chunked.js';
import type { FakeAwsSettings } from './fake-aws-settings.js';
import type { S3Model, S3ObjectRecord } from './s3-model.js';
import { buildXml, parseXml, type XmlObject } from './xml.js';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** An HTTP answer, whatever the protocol. */
export type HttpReply = FakeHttpReply;

export interface S3Request {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Which S3 operation a path-style request is, and on what. */
export interface S3Operation {
  readonly name: string;
  readonly bucket: string | undefined;
  readonly key: string | undefined;
}

/** S3's limit for a single PUT. */
const MAX_PUT_BYTES = 5 * 1024 ** 3;

/**
 * Names the operation of a path-style request (`/bucket/key?subresource`), the way the SDK
 * builds them: `?tagging`, `?uploads`, `?uploadId=…`, `?list-type=2`, `?delete`; the SDK's
 * `x-id` parameter is ignored.
 */
export function s3Operation(method: string, pathname: string, query: URLSearchParams): S3Operation {
  const [rawBucket = '', ...rest] = pathname.replace(/^\//, '').split('/');
  const bucket = rawBucket === '' ? undefined : decodeURIComponent(rawBucket);
  const rawKey = rest.join('/');
  const key = rest.length === 0 || rawKey === '' ? undefined : decodeURIComponent(rawKey);
  const has = (name: string): boolean => query.has(name);
  const op = (name: string): S3Operation => ({ name, bucket, key });
  if (bucket === undefined) {
    if (method === 'GET') return op('ListBuckets');
  } else if (key === undefined) {
    if (method === 'PUT' && [...query.keys()].every((name) => name === 'x-id')) return op('CreateBucket');
    if (method === 'HEAD') return op('HeadBucket');
    if (method === 'DELETE' && query.size === 0) return op('DeleteBucket');
    if (method === 'GET' && query.get('list-type') === '2') return op('ListObjectsV2');
    if (method === 'GET' && has('location')) return op('GetBucketLocation');
    if (method === 'GET' && ![...query.keys()].some((name) => ['acl', 'policy', 'versioning', 'lifecycle', 'cors', 'tagging', 'uploads', 'versions'].includes(name))) return op('ListObjects');
    if (method === 'POST' && has('delete')) return op('DeleteObjects');
  } else {
    if (method === 'PUT' && has('tagging')) return op('PutObjectTagging');
    if (method === 'PUT' && has('uploadId') && has('partNumber')) return op('UploadPart');
    if (method === 'PUT' && !has('uploadId')) return op('PutObject');
    if (method === 'GET' && has('tagging')) return op('GetObjectTagging');
    if (method === 'GET' && !has('uploadId') && !has('acl')) return op('GetObject');
    if (method === 'HEAD') return op('HeadObject');
    if (method === 'DELETE' && has('tagging')) return op('DeleteObjectTagging');
    if (method === 'DELETE' && has('uploadId')) return op('AbortMultipartUpload');
    if (method === 'DELETE') return op('DeleteObject');
    if (method === 'POST' && has('uploads')) return op('CreateMultipartUpload');
    if (method === 'POST' && has('uploadId')) return op('CompleteMultipartUpload');
  }
  return op(`Unsupported${method}`);
}

// ---- helpers ----------------------------------------------------------------------------------

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** `x-amz-tagging: a=1&b=2` (URL-query syntax, as `Tagging` is sent on PUT and CreateMultipartUpload). */
function tagsFromHeader(headers: IncomingHttpHeaders): Map<string, string> {
  const text = header(headers, 'x-amz-tagging');
  const tags = new Map<string, string>();
  if (text === undefined || text === '') return tags;
  for (const [key, value] of new URLSearchParams(text)) {
    if (tags.has(key)) throw new AwsApiError('InvalidTag', 'Cannot provide multiple Tags with the same key', 400);
    tags.set(key, value);
  }
  return tags;
}

function metadataFromHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  return metadata;
}

/** The payload bytes: aws-chunked decoded, Content-MD5 checked. */
function payload(request: S3Request): Buffer {
  let body = request.body;
  const encoding = header(request.headers, 'content-encoding') ?? '';
  const sha = header(request.headers, 'x-amz-content-sha256') ?? '';
  if (encoding.split(',').some((part) => part.trim() === 'aws-chunked') || sha.startsWith('STREAMING-')) {
    body = decodeAwsChunked(body);
    const declared = header(request.headers, 'x-amz-decoded-content-length');
    if (declared !== undefined && Number(declared) !== body.length) {
      throw new AwsApiError('IncompleteBody', `You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header (${declared} declared, ${body.length} sent)`, 400);
    }
  }
  const md5 = header(request.headers, 'content-md5');
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5) {
    throw new AwsApiError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
  }
  return body;
}

function tagSetXml(tags: ReadonlyMap<string, string>): XmlObject {
  return { TagSet: { Tag: [...tags].map(([Key, Value]) => ({ Key, Value })) } };
}

/** `<Tagging><TagSet><Tag>…` of a PutObjectTagging body. */
function tagsFromXml(body: Buffer): Map<string, string> {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseXml(body.toString('utf8'));
  } catch {
    throw new AwsApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  }
  const tagging = parsed.Tagging as { TagSet?: { Tag?: unknown } | string } | undefined;
  if (!tagging) throw new AwsApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  const raw = typeof tagging.TagSet === 'object' ? tagging.TagSet.Tag : undefined;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const tags = new Map<string, string>();
  for (const tag of list as { Key?: unknown; Value?: unknown }[]) {
    const key = String(tag.Key ?? '');
    if (tags.has(key)) throw new AwsApiError('InvalidTag', 'Cannot provide multiple Tags with the same key', 400);
    tags.set(key, String(tag.Value ?? ''));
  }
  return tags;
}

const xmlReply = (root: string, body: XmlObject, status = 200, headers: Record<string, string | number> = {}): HttpReply => ({
  status,
  headers: { 'Content-Type': 'application/xml', ...headers },
  body: buildXml(root, { '@_xmlns': S3_NAMESPACE, ...body }),
});

function objectHeaders(record: S3ObjectRecord): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'Content-Type': record.contentType,
    ETag: record.etag,
    'Last-Modified': new Date(record.lastModified).toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  if (record.tags.size > 0) headers['x-amz-tagging-count'] = record.tags.size;
  for (const [name, value] of Object.entries(record.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; null for none. Several ranges are not supported. */
function byteRange(text: string | undefined, size: number): [number, number] | null {
  if (text === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(text.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) throw new AwsApiError('InvalidRange', 'The requested range is not satisfiable', 416);
  return [start, end];
}

/** Keys (and common prefixes) of a listing, with `delimiter` folding. */
function listing(objects: S3ObjectRecord[], prefix: string, delimiter: string | undefined, after: string | undefined, maxKeys: number) {
  const entries: ({ kind: 'object'; record: S3ObjectRecord } | { kind: 'prefix'; prefix: string })[] = [];
  const seenPrefixes = new Set<string>();
  for (const record of objects) {
    if (!record.key.startsWith(prefix)) continue;
    if (delimiter) {
      const index = record.key.indexOf(delimiter, prefix.length);
      if (index >= 0) {
        const common = record.key.slice(0, index + delimiter.length);
        if (!seenPrefixes.has(common)) {
          seenPrefixes.add(common);
          entries.push({ kind: 'prefix', prefix: common });
        }
        continue;
      }
    }
    entries.push({ kind: 'object', record });
  }
  const keyOf = (entry: (typeof entries)[number]): string => (entry.kind === 'object' ? entry.record.key : entry.prefix);
  const remaining = after === undefined ? entries : entries.filter((entry) => keyOf(entry) > after);
  const page = remaining.slice(0, maxKeys);
  const truncated = remaining.length > page.length;
  return { page, truncated, last: page.length > 0 ? keyOf(page[page.length - 1]!) : undefined };
}

// ---- operations -------------------------------------------------------------------------------

/** Runs one S3 operation against the model. */
export function runS3Operation(op: S3Operation, request: S3Request, s3: S3Model, settings: FakeAwsSettings): HttpReply {
  const bucket = op.bucket ?? '';
  const key = op.key ?? '';
  const { query, headers } = request;
  switch (op.name) {
    case 'ListBuckets':
      return xmlReply('ListAllMyBucketsResult', {
        Owner: { ID: settings.accountId, DisplayName: 'fake' },
        Buckets: { Bucket: s3.listBuckets().map((entry) => ({ Name: entry.name, CreationDate: new Date(entry.createdAt).toISOString() })) },
      });
    case 'CreateBucket':
      s3.createBucket(bucket);
      return { status: 200, headers: { Location: `/${bucket}` } };
    case 'HeadBucket':
      if (!s3.hasBucket(bucket)) throw new AwsApiError('NotFound', 'Not Found', 404);
      return { status: 200, headers: { 'x-amz-bucket-region': settings.region } };
    case 'DeleteBucket':
      s3.deleteBucket(bucket);
      return { status: 204 };
    case 'GetBucketLocation':
      if (!s3.hasBucket(bucket)) throw new AwsApiError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
      return { status: 200, headers: { 'Content-Type': 'application/xml' }, body: buildXml('LocationConstraint', { '@_xmlns': S3_NAMESPACE, '#text': settings.region === 'us-east-1' ? '' : settings.region }) };
    case 'ListObjectsV2':
    case 'ListObjects': {
      const v2 = op.name === 'ListObjectsV2';
      const prefix = query.get('prefix') ?? '';
      const delimiter = query.get('delimiter') || undefined;
      const maxKeysText = query.get('max-keys');
      const maxKeys = maxKeysText === null ? 1000 : Number(maxKeysText);
      if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new AwsApiError('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400);
      const urlEncoded = query.get('encoding-type') === 'url';
      const encode = (text: string): string => (urlEncoded ? encodeURIComponent(text).replaceAll('%2F', '/') : text);
      let after: string | undefined;
      const token = query.get('continuation-token');
      if (v2 && token !== null) {
        after = Buffer.from(token, 'base64url').toString('utf8');
        if (after === '') throw new AwsApiError('InvalidArgument', 'The continuation token provided is incorrect', 400);
      } else {
        after = (v2 ? query.get('start-after') : query.get('marker')) || undefined;
      }
      const { page, truncated, last } = listing(s3.listObjects(bucket), prefix, delimiter, after, Math.min(maxKeys, 1000));
      const contents = page.flatMap((entry) =>
        entry.kind === 'object'
          ? [{ Key: encode(entry.record.key), LastModified: new Date(entry.record.lastModified).toISOString(), ETag: entry.record.etag, Size: entry.record.body.length, StorageClass: 'STANDARD' }]
          : [],
      );
      const prefixes = page.flatMap((entry) => (entry.kind === 'prefix' ? [{ Prefix: encode(entry.prefix) }] : []));
      const common = {
        Name: bucket,
        Prefix: encode(prefix),
        Delimiter: delimiter === undefined ? undefined : encode(delimiter),
        MaxKeys: maxKeys,
        EncodingType: urlEncoded ? 'url' : undefined,
        IsTruncated: truncated,
        Contents: contents,
        CommonPrefixes: prefixes,
      };
      if (v2) {
        return xmlReply('ListBucketResult', {
          ...common,
          KeyCount: contents.length + prefixes.length,
          ContinuationToken: token ?? undefined,
          StartAfter: query.get('start-after') ?? undefined,
          NextContinuationToken: truncated && last !== undefined ? Buffer.from(last).toString('base64url') : undefined,
        });
      }
      return xmlReply('ListBucketResult', { ...common, Marker: query.get('marker') ?? '', NextMarker: truncated && delimiter !== undefined ? last : undefined });
    }
    case 'DeleteObjects': {
      let parsed: Record<string, unknown>;
      try {
        parsed = parseXml(payload(request).toString('utf8'));
      } catch {
        throw new AwsApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
      }
      const root = parsed.Delete as { Object?: unknown; Quiet?: unknown } | undefined;
      const raw = root?.Object;
      const objects = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) as { Key?: unknown }[];
      if (!root || objects.length === 0 || objects.length > 1000) throw new AwsApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
      const keys = objects.map((object) => String(object.Key ?? ''));
      for (const objectKey of keys) s3.deleteObject(bucket, objectKey);
      return xmlReply('DeleteResult', { Deleted: String(root.Quiet) === 'true' ? [] : keys.map((Key) => ({ Key })) });
    }
    case 'PutObject': {
      if (header(headers, 'x-amz-copy-source') !== undefined) throw new AwsApiError('NotImplemented', 'CopyObject is not implemented by this fake.', 501);
      const body = payload(request);
      if (body.length > MAX_PUT_BYTES) throw new AwsApiError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.', 400);
      const record = s3.putObject(bucket, key, body, { contentType: header(headers, 'content-type'), metadata: metadataFromHeaders(headers), tags: tagsFromHeader(headers) });
      return { status: 200, headers: { ETag: record.etag } };
    }
    case 'GetObject':
    case 'HeadObject': {
      const record = s3.getObject(bucket, key);
      const range = byteRange(header(headers, 'range'), record.body.length);
      const body = range ? record.body.subarray(range[0], range[1] + 1) : record.body;
      const replyHeaders: Record<string, string | number> = { ...objectHeaders(record), 'Content-Length': body.length };
      if (range) replyHeaders['Content-Range'] = `bytes ${range[0]}-${range[1]}/${record.body.length}`;
      return { status: range ? 206 : 200, headers: replyHeaders, body: op.name === 'GetObject' ? body : undefined };
    }
    case 'DeleteObject':
      s3.deleteObject(bucket, key);
      return { status: 204 };
    case 'GetObjectTagging':
      return xmlReply('Tagging', tagSetXml(s3.getObject(bucket, key).tags));
    case 'PutObjectTagging':
      s3.setObjectTags(bucket, key, tagsFromXml(payload(request)));
      return { status: 200 };
    case 'DeleteObjectTagging':
      s3.setObjectTags(bucket, key, new Map());
      return { status: 204 };
    case 'CreateMultipartUpload': {
      const uploadId = s3.createMultipartUpload(bucket, key, { contentType: header(headers, 'content-type'), metadata: metadataFromHeaders(headers), tags: tagsFromHeader(headers) });
      return xmlReply('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId });
    }
    case 'UploadPart': {
      const etag = s3.uploadPart(bucket, key, query.get('uploadId') ?? '', Number(query.get('partNumber')), payload(request));
      return { status: 200, headers: { ETag: etag } };
    }
    case 'CompleteMultipartUpload': {
      let parsed: Record<string, unknown>;
      try {
        parsed = parseXml(payload(request).toString('utf8'));
      } catch {
        throw new AwsApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
      }
      const raw = (parsed.CompleteMultipartUpload as { Part?: unknown } | undefined)?.Part;
      const parts = ((raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) as { PartNumber?: unknown; ETag?: unknown }[]).map((part) => ({
        partNumber: Number(part.PartNumber),
        etag: String(part.ETag ?? ''),
      }));
      const record = s3.completeMultipartUpload(bucket, key, query.get('uploadId') ?? '', parts);
      return xmlReply('CompleteMultipartUploadResult', { Location: `/${bucket}/${key}`, Bucket: bucket, Key: key, ETag: record.etag });
    }
    case 'AbortMultipartUpload':
      s3.abortMultipartUpload(bucket, key, query.get('uploadId') ?? '');
      return { status: 204 };
    default:
      throw new AwsApiError('NotImplemented', `A header or query you provided implies functionality that is not implemented (${request.method} ${op.bucket ?? '/'}${op.key ? `/${op.key}` : ''}).`, 501);
  }
}

/** S3's error document; a HEAD gets the status alone, as S3 sends no body then. */
export function s3ErrorReply(error: AwsApiError, method: string, resource: string, requestId: string): HttpReply {
  const headers = { 'x-amz-request-id': requestId, 'x-amz-id-2': requestId };
  if (method === 'HEAD') return { status: error.status, headers };
  return {
    status: error.status,
    headers: { ...headers, 'Content-Type': 'application/xml' },
    body: buildXml('Error', { Code: error.code, Message: error.message, ...error.details, Resource: resource, RequestId: requestId, HostId: requestId }),
  };
}
