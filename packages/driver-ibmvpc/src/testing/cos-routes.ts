import { createHash, randomUUID } from 'node:crypto';
import type { FakeIbmVpc } from './fake-ibmvpc.js';
import type { FakeBucket } from './fake-types.js';
import type { ApiRequest, HttpReply } from './http-kit.js';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** An S3 error Cloud Object Storage answers with. */
export class CosError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly resource = '',
  ) {
    super(message);
  }
}

/** A Cloud Object Storage call: the operation's name (counters, faults) and its handler. */
export interface CosRoute {
  readonly operation: string;
  handle(fake: FakeIbmVpc, request: ApiRequest): HttpReply;
}

/**
 * The S3 call of a path-style request (`/<bucket>/<key>`), as `ibm-cos-sdk` and `ibm_boto3`
 * make them: bucket location, objects put (whole or multipart), read, listed (v1 and v2) and
 * deleted.
 */
export function cosRoute(method: string, segments: readonly string[], query: URLSearchParams): CosRoute {
  const [bucketName, ...keyParts] = segments;
  const key = keyParts.join('/');
  const route = (operation: string, handle: (fake: FakeIbmVpc, request: ApiRequest, bucket: FakeBucket) => HttpReply): CosRoute => ({
    operation: `cos.${operation}`,
    handle: (fake, request) => {
      const bucket = bucketName === undefined ? undefined : fake.buckets.get(bucketName);
      if (!bucket) throw new CosError(404, 'NoSuchBucket', 'The specified bucket does not exist.', `/${bucketName ?? ''}`);
      return handle(fake, request, bucket);
    },
  });
  if (bucketName === undefined) return { operation: `cos.${method}.service`, handle: () => cosListBuckets() };
  if (key === '') {
    if (method === 'GET' && query.has('location')) return route('GET.bucket_location', (fake) => xml(`<LocationConstraint xmlns="${XMLNS}">${fake.settings().bucketLocation}</LocationConstraint>`));
    if (method === 'GET' || method === 'HEAD') return route('GET.objects', (fake, request, bucket) => listObjects(bucket, request.query));
    return { operation: `cos.${method}.bucket`, handle: () => cosUnsupported(method) };
  }
  if (method === 'PUT' && query.has('partNumber') && query.has('uploadId')) return route('PUT.part', (fake, request, bucket) => uploadPart(bucket, key, request));
  if (method === 'PUT') return route('PUT.object', (fake, request, bucket) => putObject(fake, bucket, key, request));
  if (method === 'POST' && query.has('uploads')) return route('POST.multipart_uploads', (fake, request, bucket) => createUpload(bucket, key));
  if (method === 'POST' && query.has('uploadId')) return route('POST.multipart_complete', (fake, request, bucket) => completeUpload(fake, bucket, key, request));
  if (method === 'DELETE' && query.has('uploadId')) return route('DELETE.multipart', (fake, request, bucket) => abortUpload(bucket, request.query.get('uploadId')!));
  if (method === 'GET' || method === 'HEAD') return route(`${method}.object`, (fake, request, bucket) => getObject(bucket, key, method === 'HEAD'));
  if (method === 'DELETE') return route('DELETE.object', (fake, request, bucket) => {
    bucket.objects.delete(key);
    return { status: 204 };
  });
  return { operation: `cos.${method}.object`, handle: () => cosUnsupported(method) };
}

/** S3's error document. */
export function cosErrorReply(error: CosError): HttpReply {
  const requestId = randomUUID();
  return xml(
    `<Error><Code>${error.code}</Code><Message>${escape(error.message)}</Message><Resource>${escape(error.resource)}</Resource><RequestId>${requestId}</RequestId><httpStatusCode>${error.status}</httpStatusCode></Error>`,
    error.status,
    { 'x-amz-request-id': requestId },
  );
}

function cosUnsupported(method: string): HttpReply {
  throw new CosError(501, 'NotImplemented', `${method} is not implemented by this fake.`);
}

function cosListBuckets(): HttpReply {
  throw new CosError(501, 'NotImplemented', 'Listing buckets is not implemented by this fake.');
}

function xml(body: string, status = 200, headers: Readonly<Record<string, string>> = {}): HttpReply {
  return { status, headers: { 'Content-Type': 'application/xml', ...headers }, body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${body}` };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

/** A sent Content-MD5 must match the body, as S3 checks it. */
function checkContentMd5(request: ApiRequest): void {
  const sent = request.headers['content-md5'];
  if (typeof sent === 'string' && sent !== createHash('md5').update(request.body).digest('base64')) {
    throw new CosError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
}

function putObject(fake: FakeIbmVpc, bucket: FakeBucket, key: string, request: ApiRequest): HttpReply {
  checkContentMd5(request);
  const etag = md5(request.body);
  bucket.objects.set(key, { key, data: request.body, etag, lastModified: fake.now() });
  return { status: 200, headers: { ETag: `"${etag}"` } };
}

function getObject(bucket: FakeBucket, key: string, head: boolean): HttpReply {
  const object = bucket.objects.get(key);
  if (!object) throw new CosError(404, 'NoSuchKey', 'The specified key does not exist.', `/${bucket.name}/${key}`);
  const headers = { ETag: `"${object.etag}"`, 'Content-Type': 'application/octet-stream', 'Content-Length': String(object.data.length), 'Last-Modified': new Date(object.lastModified).toUTCString() };
  return head ? { status: 200, headers } : { status: 200, headers, body: object.data };
}

function createUpload(bucket: FakeBucket, key: string): HttpReply {
  const uploadId = randomUUID();
  bucket.uploads.set(uploadId, { key, parts: new Map() });
  return xml(`<InitiateMultipartUploadResult xmlns="${XMLNS}"><Bucket>${bucket.name}</Bucket><Key>${escape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`);
}

function uploadPart(bucket: FakeBucket, key: string, request: ApiRequest): HttpReply {
  const upload = bucket.uploads.get(request.query.get('uploadId')!);
  if (!upload || upload.key !== key) throw new CosError(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
  const number = Number(request.query.get('partNumber'));
  if (!Number.isInteger(number) || number < 1 || number > 10_000) throw new CosError(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000.');
  checkContentMd5(request);
  const etag = md5(request.body);
  upload.parts.set(number, { data: request.body, etag });
  return { status: 200, headers: { ETag: `"${etag}"` } };
}

function completeUpload(fake: FakeIbmVpc, bucket: FakeBucket, key: string, request: ApiRequest): HttpReply {
  const uploadId = request.query.get('uploadId')!;
  const upload = bucket.uploads.get(uploadId);
  if (!upload || upload.key !== key) throw new CosError(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
  const listed = [...request.body.toString('utf8').matchAll(/<Part>\s*(?:<ETag>"?([^<"]*)"?<\/ETag>\s*<PartNumber>(\d+)<\/PartNumber>|<PartNumber>(\d+)<\/PartNumber>\s*<ETag>"?([^<"]*)"?<\/ETag>)\s*<\/Part>/g)].map(
    (match) => ({ number: Number(match[2] ?? match[3]), etag: match[1] ?? match[4] ?? '' }),
  );
  if (listed.length === 0) throw new CosError(400, 'MalformedXML', 'The XML you provided was not well-formed.');
  const chunks: Buffer[] = [];
  let previous = 0;
  for (const { number, etag } of listed) {
    const part = upload.parts.get(number);
    if (!part || part.etag !== etag) throw new CosError(400, 'InvalidPart', `Part ${number} was not uploaded, or its ETag does not match.`);
    if (number <= previous) throw new CosError(400, 'InvalidPartOrder', 'The parts must be listed in ascending order.');
    previous = number;
    chunks.push(part.data);
  }
  const etag = `${md5(Buffer.concat(listed.map(({ etag: part }) => Buffer.from(part, 'hex'))))}-${listed.length}`;
  bucket.objects.set(key, { key, data: Buffer.concat(chunks), etag, lastModified: fake.now() });
  bucket.uploads.delete(uploadId);
  return xml(`<CompleteMultipartUploadResult xmlns="${XMLNS}"><Location>${escape(`${request.base}/${bucket.name}/${key}`)}</Location><Bucket>${bucket.name}</Bucket><Key>${escape(key)}</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`);
}

function abortUpload(bucket: FakeBucket, uploadId: string): HttpReply {
  if (!bucket.uploads.delete(uploadId)) throw new CosError(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
  return { status: 204 };
}

/** ListObjects (v1: `marker`) and ListObjectsV2 (`list-type=2`: `continuation-token`), by key order. */
function listObjects(bucket: FakeBucket, query: URLSearchParams): HttpReply {
  const v2 = query.get('list-type') === '2';
  const prefix = query.get('prefix') ?? '';
  const maxKeys = Math.min(Number(query.get('max-keys') ?? 1000) || 1000, 1000);
  const after = v2 ? (query.get('continuation-token') ?? query.get('start-after') ?? '') : (query.get('marker') ?? '');
  const keys = [...bucket.objects.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
  const page = keys.slice(0, maxKeys);
  const truncated = keys.length > page.length;
  const contents = page
    .map((key) => {
      const object = bucket.objects.get(key)!;
      return `<Contents><Key>${escape(key)}</Key><LastModified>${new Date(object.lastModified).toISOString()}</LastModified><ETag>&quot;${object.etag}&quot;</ETag><Size>${object.data.length}</Size><Owner><ID>fake</ID><DisplayName>fake</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join('');
  const paging = v2
    ? `<KeyCount>${page.length}</KeyCount>${truncated ? `<NextContinuationToken>${escape(page.at(-1)!)}</NextContinuationToken>` : ''}`
    : `<Marker>${escape(after)}</Marker>${truncated ? `<NextMarker>${escape(page.at(-1)!)}</NextMarker>` : ''}`;
  return xml(`<ListBucketResult xmlns="${XMLNS}"><Name>${bucket.name}</Name><Prefix>${escape(prefix)}</Prefix>${paging}<MaxKeys>${maxKeys}</MaxKeys><Delimiter></Delimiter><IsTruncated>${truncated}</IsTruncated>${contents}</ListBucketResult>`);
}
