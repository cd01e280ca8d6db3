/**
 * Images through the provider's entry points, as nodepool-builder and `nodepool
 * alien-image-list` use them: uploads by both import methods, deletion, alien listing, and
 * imports whose upload died before tagging what they made.
 */
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportImageCommand, EC2Client } from '@aws-sdk/client-ec2';
import { createProvider, getLogger, NodeRequest, type Provider } from '@nodepool/core';
import awsDriver, { AwsAdapter, type AwsProviderConfig } from '@nodepool/driver-aws';
import type { FakeAwsHandle } from '@nodepool/driver-aws/testing';
import { waitFor } from '@nodepool/testkit';
import { FakeClock } from './fake-aws/helpers.js';
import { adapterContext, awsConfig, awsYaml, instanceListing, useFakeAws } from './helpers.js';

const metadata = { nodepool_build_id: '0000000007', nodepool_upload_id: '0000000003', nodepool_provider_name: 'aws' };

interface Setup {
  fake: FakeAwsHandle;
  config: AwsProviderConfig;
  provider: Provider;
  filename: string;
}

/** A fake with an image bucket, the provider as the builder creates it, and a built file. */
async function setup(t: { teardown(fn: () => unknown): void }, importMethod: 'snapshot' | 'image', size = 3 * 1024 * 1024, now?: () => number): Promise<Setup> {
  const fake = await useFakeAws(t, { buckets: ['nodepool-images'], now });
  const config = await awsConfig(awsYaml(fake, { bucket: 'nodepool-images', importMethod }));
  // As the builder and `nodepool alien-image-list` do: a provider created, never started.
  const provider = createProvider(config, awsDriver, { zk: undefined as never, hostname: 'test', log: getLogger('test') }, { listingIntervalMs: 1_000, quotaCacheMs: 1_000 })!;
  t.teardown(() => provider.stop());
  const dir = await mkdtemp(join(tmpdir(), 'aws-upload-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const filename = join(dir, 'base.raw');
  await writeFile(filename, Buffer.alloc(size, 1));
  return { fake, config, provider, filename };
}

const objectsIn = (fake: FakeAwsHandle): string[] => fake.state().buckets.flatMap((bucket) => bucket.objects.map((object) => object.key));

test('import-method snapshot: S3, ImportSnapshot, RegisterImage; the AMI and snapshot carry the metadata and the diskimage’s tags', async (t) => {
  const { fake, config, provider, filename } = await setup(t, 'snapshot');
  const imageId = await provider.uploadImage!({ providerImage: { name: 'base' }, imageName: 'base-0000000007', filename, imageFormat: 'raw', metadata });
  const calls = fake.calls();
  t.is(calls.PutObject, 1);
  t.is(calls.ImportSnapshot, 1);
  t.is(calls.RegisterImage, 1);
  t.is(calls.ImportImage, undefined);
  const image = fake.state().images.find((each) => each.imageId === imageId)!;
  t.like(image, { name: 'base-0000000007', architecture: 'x86_64', enaSupport: true, rootDeviceName: '/dev/sda1' });
  t.deepEqual(image.tags, { ...metadata, team: 'ci' });
  const snapshotId = image.blockDeviceMappings[0]!.snapshotId!;
  t.deepEqual(fake.state().snapshots.find((each) => each.snapshotId === snapshotId)?.tags, { ...metadata, team: 'ci' });
  t.like(image.blockDeviceMappings[0], { volumeType: 'gp2', deleteOnTermination: true });
  t.deepEqual(fake.state().importSnapshotTasks[0]?.tags, { ...metadata, team: 'ci' });
  t.deepEqual(objectsIn(fake), [], 'the upload is removed from the bucket once imported');

  // A diskimage label boots the upload the kit picks.
  const adapter = new AwsAdapter(config, adapterContext());
  t.teardown(() => adapter.stop());
  const label = config.pools.get('main')!.labels.get('diskimage')!;
  const request = Object.assign(new NodeRequest(), { id: '200-0000000001' });
  const machine = adapter.getCreateStateMachine({ hostname: 'np1', label, imageExternalId: imageId, metadata: {}, request, az: undefined, instances: instanceListing(adapter), log: getLogger('test') });
  while ((await machine.advance()) === undefined);
  t.is(fake.state().instances[0]?.imageId, imageId);

  await provider.deleteImage!(imageId);
  t.false(fake.state().images.some((each) => each.imageId === imageId));
  t.false(fake.state().snapshots.some((each) => each.snapshotId === snapshotId), 'its snapshot goes with it');
  await provider.deleteImage!(imageId);
  t.pass('an image already gone counts as deleted');
});

test('import-method image: S3, ImportImage; the AMI and snapshot EC2 made are tagged afterwards', async (t) => {
  const { fake, provider, filename } = await setup(t, 'image');
  const imageId = await provider.uploadImage!({ providerImage: { name: 'base' }, imageName: 'base-0000000007', filename, imageFormat: 'raw', metadata });
  t.is(fake.calls().ImportImage, 1);
  t.is(fake.calls().RegisterImage, undefined);
  const image = fake.state().images.find((each) => each.imageId === imageId)!;
  t.deepEqual(image.tags, { ...metadata, team: 'ci' });
  const snapshotId = image.blockDeviceMappings[0]!.snapshotId!;
  t.deepEqual(fake.state().snapshots.find((each) => each.snapshotId === snapshotId)?.tags, { ...metadata, team: 'ci' });
  t.deepEqual(objectsIn(fake), []);
});

test('a file larger than a part goes up as a multipart upload, tagged all the same', async (t) => {
  // The import runs until the test moves the fake's clock: the object is there to be seen however slow the machine.
  const clock = new FakeClock();
  const { fake, config, filename } = await setup(t, 'snapshot', 11 * 1024 * 1024, clock.now);
  const adapter = new AwsAdapter(config, adapterContext(), { imageImport: { pollMs: 10, partSizeBytes: 5 * 1024 * 1024 } });
  t.teardown(() => adapter.stop());
  fake.configure({ importDelayMs: 1_000 });
  const upload = adapter.uploadImage({ providerImage: { name: 'base' }, imageName: 'base-0000000007', filename, imageFormat: 'raw', metadata });
  // While the import runs, the object is in the bucket with Nodepool's tags (a crash leaves a findable leak).
  const objects = async () => (await adapter.listResources({ instances: instanceListing(adapter) })).filter((resource) => resource.type === 'object').map((resource) => String(resource.id));
  await waitFor(() => fake.state().importSnapshotTasks.length === 1, { timeoutMs: 30_000, message: 'the import never started' });
  t.deepEqual(await objects(), ['base-0000000007.raw']);
  clock.advance(1_000);
  await upload;
  t.deepEqual(await objects(), [], 'removed once imported');
  t.is(fake.calls().CreateMultipartUpload, 1);
  t.is(fake.calls().UploadPart, 3);
  t.is(fake.calls().PutObject, undefined);
});

test('alien images: AMIs Nodepool uploaded for this provider that ZooKeeper no longer knows', async (t) => {
  const { fake, provider } = await setup(t, 'snapshot');
  const tags = (build: string, providerName = 'aws') => ({ ...metadata, nodepool_build_id: build, nodepool_provider_name: providerName });
  const known = fake.addImage({ name: 'base-0000000001', tags: tags('0000000001') });
  const alien = fake.addImage({ name: 'base-0000000002', tags: tags('0000000002') });
  fake.addImage({ name: 'other-0000000003', tags: tags('0000000003', 'elsewhere') });
  fake.addImage({ name: 'hand-made' });
  t.deepEqual(await provider.listAlienImages!(new Set([known.imageId])), [{ id: alien.imageId, name: 'base-0000000002' }]);
});

test('an import whose upload died before tagging: the task’s tags are copied to what it made, so cleanup finds it', async (t) => {
  const { fake, config } = await setup(t, 'image');
  fake.addObject({ bucket: 'nodepool-images', key: 'base-0000000007.raw', body: 'disk' });
  const ec2 = new EC2Client({ ...fake.clientConfig(), maxAttempts: 1 });
  t.teardown(() => ec2.destroy());
  const tagged = (values: Record<string, string>) => Object.entries(values).map(([Key, Value]) => ({ Key, Value }));
  const source = { Format: 'RAW', UserBucket: { S3Bucket: 'nodepool-images', S3Key: 'base-0000000007.raw' } };
  await ec2.send(new ImportImageCommand({ DiskContainers: [source], TagSpecifications: [{ ResourceType: 'import-image-task', Tags: tagged(metadata) }] }));
  await ec2.send(new ImportImageCommand({ DiskContainers: [source], TagSpecifications: [{ ResourceType: 'import-image-task', Tags: tagged({ owner: 'someone else' }) }] }));
  const adapter = new AwsAdapter(config, adapterContext());
  t.teardown(() => adapter.stop());
  const resources = await adapter.listResources({ instances: instanceListing(adapter) });
  const ours = fake.state().images.filter((image) => image.tags.nodepool_provider_name === 'aws');
  t.is(ours.length, 1, 'only the AMI of our task is tagged');
  t.deepEqual(
    resources.filter((resource) => resource.type === 'ami' || resource.type === 'snapshot').map((resource) => resource.type).sort(),
    ['ami', 'snapshot'],
  );
  for (const resource of resources) t.is(resource.metadata.nodepool_upload_id, '0000000003');
});
