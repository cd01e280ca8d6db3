import test from 'ava';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { useFake } from './helpers.js';

const signature = (region: string, service: string): string =>
  `AWS4-HMAC-SHA256 Credential=AKIAFAKE/20240101/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

test('creates a bucket, then puts, heads, gets and deletes an object with tags', async (t) => {
  const { s3, fake } = await useFake(t);
  await t.throwsAsync(s3.send(new HeadBucketCommand({ Bucket: 'images' })), { name: 'NotFound' });
  await s3.send(new CreateBucketCommand({ Bucket: 'images' }));
  await t.notThrowsAsync(s3.send(new HeadBucketCommand({ Bucket: 'images' })));
  await t.throwsAsync(s3.send(new CreateBucketCommand({ Bucket: 'images' })), { name: 'BucketAlreadyOwnedByYou' });

  const key = 'debian bookworm/0000000001.raw';
  const put = await s3.send(new PutObjectCommand({ Bucket: 'images', Key: key, Body: 'image bytes', ContentType: 'application/octet-stream', Tagging: 'nodepool_build_id=0000000001&nodepool_provider_name=aws' }));
  t.is(put.ETag, `"${createHash('md5').update('image bytes').digest('hex')}"`);
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'images', Key: key }));
  t.like(head, { ContentLength: 11, ETag: put.ETag, TagCount: 2 });
  const got = await s3.send(new GetObjectCommand({ Bucket: 'images', Key: key }));
  t.is(await got.Body?.transformToString(), 'image bytes');
  const ranged = await s3.send(new GetObjectCommand({ Bucket: 'images', Key: key, Range: 'bytes=6-10' }));
  t.is(await ranged.Body?.transformToString(), 'bytes');
  t.is(ranged.ContentRange, 'bytes 6-10/11');

  const tagging = await s3.send(new GetObjectTaggingCommand({ Bucket: 'images', Key: key }));
  t.deepEqual(tagging.TagSet, [
    { Key: 'nodepool_build_id', Value: '0000000001' },
    { Key: 'nodepool_provider_name', Value: 'aws' },
  ]);
  await s3.send(new PutObjectTaggingCommand({ Bucket: 'images', Key: key, Tagging: { TagSet: [{ Key: 'only', Value: 'this' }] } }));
  t.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: 'images', Key: key }))).TagSet, [{ Key: 'only', Value: 'this' }]);
  t.deepEqual(fake.state().buckets[0]?.objects.map((object) => [object.key, object.size, object.tags]), [[key, 11, { only: 'this' }]]);

  await s3.send(new DeleteObjectCommand({ Bucket: 'images', Key: key }));
  // As in S3, deleting what is not there succeeds.
  await t.notThrowsAsync(s3.send(new DeleteObjectCommand({ Bucket: 'images', Key: key })));
  await t.throwsAsync(s3.send(new GetObjectCommand({ Bucket: 'images', Key: key })), { name: 'NoSuchKey', message: 'The specified key does not exist.' });
  await t.throwsAsync(s3.send(new HeadObjectCommand({ Bucket: 'images', Key: key })), { name: 'NotFound' });
  await t.throwsAsync(s3.send(new GetObjectTaggingCommand({ Bucket: 'images', Key: key })), { name: 'NoSuchKey' });
  await t.throwsAsync(s3.send(new PutObjectCommand({ Bucket: 'nope', Key: 'k', Body: 'x' })), { name: 'NoSuchBucket' });
  t.like(fake.calls(), { PutObject: 2, 'PutObject.failed': 1, GetObject: 3, 'GetObject.failed': 1, HeadObject: 2, PutObjectTagging: 1 });
});

test('lists objects by prefix and delimiter, page by page', async (t) => {
  const { s3, fake } = await useFake(t, { buckets: ['images'] });
  for (const key of ['a/1.raw', 'a/2.raw', 'a/3.raw', 'b/1.raw', 'top.raw']) fake.addObject({ bucket: 'images', key, body: key });
  const list = await s3.send(new ListObjectsV2Command({ Bucket: 'images', Prefix: 'a/' }));
  t.deepEqual(
    list.Contents?.map((object) => [object.Key, object.Size]),
    [
      ['a/1.raw', 7],
      ['a/2.raw', 7],
      ['a/3.raw', 7],
    ],
  );
  t.is(list.KeyCount, 3);
  const folded = await s3.send(new ListObjectsV2Command({ Bucket: 'images', Delimiter: '/' }));
  t.deepEqual(folded.Contents?.map((object) => object.Key), ['top.raw']);
  t.deepEqual(folded.CommonPrefixes?.map((prefix) => prefix.Prefix), ['a/', 'b/']);
  const keys: string[] = [];
  let pages = 0;
  for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: 'images' })) {
    pages++;
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
  }
  t.deepEqual(keys, ['a/1.raw', 'a/2.raw', 'a/3.raw', 'b/1.raw', 'top.raw']);
  t.is(pages, 3);
  const deleted = await s3.send(new DeleteObjectsCommand({ Bucket: 'images', Delete: { Objects: [{ Key: 'a/1.raw' }, { Key: 'b/1.raw' }] } }));
  t.deepEqual(deleted.Deleted?.map((object) => object.Key), ['a/1.raw', 'b/1.raw']);
  t.deepEqual((await s3.send(new ListObjectsV2Command({ Bucket: 'images' }))).Contents?.map((object) => object.Key), ['a/2.raw', 'a/3.raw', 'top.raw']);
});

test('takes a streamed upload (aws-chunked with a trailing checksum)', async (t) => {
  const { s3, fake } = await useFake(t, { buckets: ['images'] });
  const chunks = [Buffer.alloc(70_000, 1), Buffer.alloc(70_000, 2), Buffer.from('end')];
  await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'streamed.raw', Body: Readable.from(chunks), ContentLength: 140_003 }));
  const stored = fake.state().buckets[0]?.objects[0];
  t.is(stored?.size, 140_003);
  const body = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'images', Key: 'streamed.raw' }))).Body!.transformToByteArray());
  t.true(body.equals(Buffer.concat(chunks)));

  // The same framing sent by hand, signature chunks and trailer included.
  const framed = Buffer.concat([
    Buffer.from(`5;chunk-signature=${'a'.repeat(64)}\r\nhello\r\n6;chunk-signature=${'b'.repeat(64)}\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`),
  ]);
  const response = await fetch(`${fake.url}/images/raw.txt`, {
    method: 'PUT',
    headers: { authorization: signature('us-east-1', 's3'), 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '11', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
    body: framed,
  });
  t.is(response.status, 200);
  t.is(await (await s3.send(new GetObjectCommand({ Bucket: 'images', Key: 'raw.txt' }))).Body?.transformToString(), 'hello world');
});

test('assembles a multipart upload, and forgets an aborted one', async (t) => {
  const { s3, fake } = await useFake(t, { buckets: ['images'] });
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'images', Key: 'big.raw', Tagging: 'nodepool_upload_id=1' }));
  const part1 = Buffer.alloc(5 * 1024 * 1024, 1);
  const part2 = Buffer.from('tail');
  const etag1 = (await s3.send(new UploadPartCommand({ Bucket: 'images', Key: 'big.raw', UploadId, PartNumber: 1, Body: part1 }))).ETag;
  const etag2 = (await s3.send(new UploadPartCommand({ Bucket: 'images', Key: 'big.raw', UploadId, PartNumber: 2, Body: part2 }))).ETag;
  const completed = await s3.send(
    new CompleteMultipartUploadCommand({ Bucket: 'images', Key: 'big.raw', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag1 }, { PartNumber: 2, ETag: etag2 }] } }),
  );
  t.regex(completed.ETag ?? '', /^"[0-9a-f]{32}-2"$/);
  const stored = fake.state().buckets[0]?.objects[0];
  t.like(stored, { key: 'big.raw', size: part1.length + part2.length, tags: { nodepool_upload_id: '1' } });

  const small = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'images', Key: 'small.raw' }));
  const a = (await s3.send(new UploadPartCommand({ Bucket: 'images', Key: 'small.raw', UploadId: small.UploadId, PartNumber: 1, Body: 'a' }))).ETag;
  const b = (await s3.send(new UploadPartCommand({ Bucket: 'images', Key: 'small.raw', UploadId: small.UploadId, PartNumber: 2, Body: 'b' }))).ETag;
  await t.throwsAsync(
    s3.send(new CompleteMultipartUploadCommand({ Bucket: 'images', Key: 'small.raw', UploadId: small.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: a }, { PartNumber: 2, ETag: b }] } })),
    { name: 'EntityTooSmall' },
  );
  await s3.send(new AbortMultipartUploadCommand({ Bucket: 'images', Key: 'small.raw', UploadId: small.UploadId }));
  await t.throwsAsync(s3.send(new UploadPartCommand({ Bucket: 'images', Key: 'small.raw', UploadId: small.UploadId, PartNumber: 3, Body: 'c' })), { name: 'NoSuchUpload' });
  t.is(fake.state().buckets[0]?.objects.length, 1);
});

test('refuses unsigned requests and signatures for another region or service', async (t) => {
  const { fake } = await useFake(t, { buckets: ['images'] });
  const unsigned = await fetch(`${fake.url}/images/x`, { method: 'PUT', body: 'x' });
  t.is(unsigned.status, 403);
  t.regex(await unsigned.text(), /<Code>AccessDenied<\/Code>/);
  const otherRegion = new S3Client({ ...fake.s3ClientConfig(), region: 'eu-west-1', maxAttempts: 1 });
  t.teardown(() => otherRegion.destroy());
  await t.throwsAsync(otherRegion.send(new PutObjectCommand({ Bucket: 'images', Key: 'x', Body: 'x' })), {
    name: 'AuthorizationHeaderMalformed',
    message: /the region 'eu-west-1' is wrong; expecting 'us-east-1'/,
  });
  const wrongService = await fetch(`${fake.url}/`, {
    method: 'POST',
    headers: { authorization: signature('us-east-1', 's3'), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=DescribeInstances&Version=2016-11-15',
  });
  t.is(wrongService.status, 401);
  t.regex(await wrongService.text(), /<Code>AuthFailure<\/Code>/);
  t.deepEqual(fake.state().buckets[0]?.objects, []);
  t.like(fake.calls(), { 'PutObject.failed': 2, 'DescribeInstances.failed': 1 });
});
