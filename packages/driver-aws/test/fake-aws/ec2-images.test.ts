import test from 'ava';
import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeImportImageTasksCommand,
  DescribeImportSnapshotTasksCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  ImportImageCommand,
  ImportSnapshotCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CANONICAL_ACCOUNT } from '@nodepool/driver-aws/testing';
import { FakeClock, launchArgs, nodeTags, tagDict, tagList, UBUNTU_AMI, useFake, type FakeSetup } from './helpers.js';

const BUCKET = 'nodepool-images';
const imageTags = { nodepool_build_id: '0000000001', nodepool_upload_id: '0000000001', nodepool_provider_name: 'aws' };

/** What nodepool-builder does first: the image file into the bucket, tagged with the metadata. */
async function upload({ s3 }: FakeSetup, key: string, bytes: number): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(bytes, 7), Tagging: new URLSearchParams(imageTags).toString() }));
}

test('imports a snapshot from S3, then registers it as an AMI, as the original adapter does', async (t) => {
  const clock = new FakeClock();
  const setup = await useFake(t, { now: clock.now, importDelayMs: 30_000, buckets: [BUCKET] });
  const { ec2, fake } = setup;
  await upload(setup, 'debian-0000000001.raw', 1500);

  const started = await ec2.send(
    new ImportSnapshotCommand({
      DiskContainer: { Format: 'raw', UserBucket: { S3Bucket: BUCKET, S3Key: 'debian-0000000001.raw' } },
      TagSpecifications: [{ ResourceType: 'import-snapshot-task', Tags: tagList(imageTags) }],
    }),
  );
  const taskId = started.ImportTaskId!;
  t.regex(taskId, /^import-snap-[0-9a-f]{17}$/);
  t.like(started.SnapshotTaskDetail, { Status: 'active', Format: 'RAW', UserBucket: { S3Bucket: BUCKET, S3Key: 'debian-0000000001.raw' } });
  t.deepEqual(tagDict(started.Tags), imageTags);

  const task = async () => (await ec2.send(new DescribeImportSnapshotTasksCommand({ ImportTaskIds: [taskId] }))).ImportSnapshotTasks?.[0];
  t.is((await task())?.SnapshotTaskDetail?.Status, 'active');
  clock.advance(30_000);
  const done = await task();
  t.like(done?.SnapshotTaskDetail, { Status: 'completed', DiskImageSize: 1500 });
  const snapshotId = done!.SnapshotTaskDetail!.SnapshotId!;
  // Listing all tasks (no IDs), as the original does when it reconciles tags, finds it too.
  t.deepEqual((await ec2.send(new DescribeImportSnapshotTasksCommand({}))).ImportSnapshotTasks?.map((listed) => listed.ImportTaskId), [taskId]);

  // As in AWS, the snapshot does not carry the task's tags: the adapter copies them.
  const [snapshot] = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots ?? [];
  t.like(snapshot, { State: 'completed', VolumeSize: 1, OwnerId: '123456789012', Description: `Created by AWS-VMImport service for ${taskId}` });
  t.is(snapshot?.Tags, undefined);
  await ec2.send(new CreateTagsCommand({ Resources: [snapshotId], Tags: done!.Tags }));

  const registered = await ec2.send(
    new RegisterImageCommand({
      Architecture: 'x86_64',
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { DeleteOnTermination: true, SnapshotId: snapshotId, VolumeSize: 20, VolumeType: 'gp3', Iops: 3000, Throughput: 125 } }],
      RootDeviceName: '/dev/sda1',
      VirtualizationType: 'hvm',
      EnaSupport: true,
      BootMode: 'uefi',
      Name: 'debian-0000000001',
    }),
  );
  const imageId = registered.ImageId!;
  await ec2.send(new CreateTagsCommand({ Resources: [imageId], Tags: done!.Tags }));
  const own = (await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? [];
  t.is(own.length, 1);
  t.like(own[0], {
    ImageId: imageId,
    Name: 'debian-0000000001',
    State: 'available',
    Architecture: 'x86_64',
    EnaSupport: true,
    BootMode: 'uefi',
    RootDeviceName: '/dev/sda1',
    BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: snapshotId, VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true, Encrypted: false } }],
  });
  t.deepEqual(tagDict(own[0]?.Tags), imageTags);
  t.deepEqual(tagDict((await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots?.[0]?.Tags), imageTags);

  // The uploaded image boots.
  const run = await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'), { ImageId: imageId })));
  t.is(run.Instances?.[0]?.ImageId, imageId);

  // Deleting it takes the AMI first: its snapshot is in use until then.
  await t.throwsAsync(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })), { name: 'InvalidSnapshot.InUse', message: `The snapshot ${snapshotId} is currently in use by ${imageId}` });
  await ec2.send(new DeregisterImageCommand({ ImageId: imageId }));
  await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
  t.deepEqual((await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images, []);
  t.deepEqual((await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots, []);
  t.like(fake.calls(), { ImportSnapshot: 1, RegisterImage: 1, DeregisterImage: 1, DeleteSnapshot: 2, 'DeleteSnapshot.failed': 1 });
});

test('imports an image from S3 into an AMI named after its task', async (t) => {
  const clock = new FakeClock();
  const setup = await useFake(t, { now: clock.now, importDelayMs: 60_000, buckets: [BUCKET] });
  const { ec2 } = setup;
  await upload(setup, 'debian-0000000002.vmdk', 3 * 1024 ** 3 / 1024);
  const started = await ec2.send(
    new ImportImageCommand({
      Architecture: 'arm64',
      DiskContainers: [{ Format: 'vmdk', UserBucket: { S3Bucket: BUCKET, S3Key: 'debian-0000000002.vmdk' } }],
      TagSpecifications: [{ ResourceType: 'import-image-task', Tags: tagList(imageTags) }],
    }),
  );
  const taskId = started.ImportTaskId!;
  t.regex(taskId, /^import-ami-[0-9a-f]{17}$/);
  t.like(started, { Status: 'active', Architecture: 'arm64' });
  const task = async () => (await ec2.send(new DescribeImportImageTasksCommand({ ImportTaskIds: [taskId] }))).ImportImageTasks?.[0];
  t.is((await task())?.Status, 'active');
  t.is((await task())?.ImageId, undefined);
  clock.advance(60_000);
  const done = await task();
  t.like(done, { Status: 'completed', Architecture: 'arm64', SnapshotDetails: [{ Status: 'completed', Format: 'VMDK', DeviceName: '/dev/sda1' }] });
  t.deepEqual(tagDict(done?.Tags), imageTags);
  const [image] = (await ec2.send(new DescribeImagesCommand({ ImageIds: [done!.ImageId!] }))).Images ?? [];
  // The original adapter recognises an untagged import by this name and copies the task's tags.
  t.like(image, { Name: taskId, Architecture: 'arm64', OwnerId: '123456789012', BlockDeviceMappings: [{ Ebs: { SnapshotId: done!.SnapshotDetails![0]!.SnapshotId } }] });
  t.is(image?.Tags, undefined);
  const [snapshot] = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [done!.SnapshotDetails![0]!.SnapshotId!] }))).Snapshots ?? [];
  t.true(snapshot?.Description?.includes(taskId));

  await t.throwsAsync(ec2.send(new DescribeImportImageTasksCommand({ ImportTaskIds: ['import-ami-0000000000000ffff'] })), { name: 'InvalidConversionTaskId.Malformed' });
});

test('with tagImportResults the snapshot and AMI get the task tags', async (t) => {
  const setup = await useFake(t, { tagImportResults: true, buckets: [BUCKET] });
  const { ec2 } = setup;
  await upload(setup, 'a.raw', 10);
  const started = await ec2.send(
    new ImportImageCommand({ DiskContainers: [{ Format: 'raw', UserBucket: { S3Bucket: BUCKET, S3Key: 'a.raw' } }], TagSpecifications: [{ ResourceType: 'import-image-task', Tags: tagList(imageTags) }] }),
  );
  const done = (await ec2.send(new DescribeImportImageTasksCommand({ ImportTaskIds: [started.ImportTaskId!] }))).ImportImageTasks![0]!;
  const [image] = (await ec2.send(new DescribeImagesCommand({ ImageIds: [done.ImageId!] }))).Images ?? [];
  t.deepEqual(tagDict(image?.Tags), imageTags);
});

test('an import whose S3 object is gone before it runs ends deleted', async (t) => {
  const clock = new FakeClock();
  const setup = await useFake(t, { now: clock.now, importDelayMs: 1_000, buckets: [BUCKET] });
  const { ec2, s3 } = setup;
  await upload(setup, 'b.raw', 10);
  const started = await ec2.send(new ImportSnapshotCommand({ DiskContainer: { Format: 'RAW', UserBucket: { S3Bucket: BUCKET, S3Key: 'b.raw' } } }));
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'b.raw' }));
  clock.advance(1_000);
  const [task] = (await ec2.send(new DescribeImportSnapshotTasksCommand({ ImportTaskIds: [started.ImportTaskId!] }))).ImportSnapshotTasks ?? [];
  t.is(task?.SnapshotTaskDetail?.Status, 'deleted');
  t.regex(task?.SnapshotTaskDetail?.StatusMessage ?? '', /^ClientError: The specified S3 object s3:\/\/nodepool-images\/b.raw/);
  t.deepEqual((await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots, []);
});

test('too many active imports fail with ResourceCountLimitExceeded', async (t) => {
  const clock = new FakeClock();
  const setup = await useFake(t, { now: clock.now, importDelayMs: 1_000, maxActiveImportTasks: 2, buckets: [BUCKET] });
  const { ec2 } = setup;
  await upload(setup, 'c.raw', 10);
  const start = () => ec2.send(new ImportSnapshotCommand({ DiskContainer: { Format: 'RAW', UserBucket: { S3Bucket: BUCKET, S3Key: 'c.raw' } } }));
  await start();
  await start();
  await t.throwsAsync(start(), { name: 'ResourceCountLimitExceeded' });
  clock.advance(1_000);
  await t.notThrowsAsync(start());
  await t.throwsAsync(ec2.send(new ImportSnapshotCommand({ DiskContainer: { Format: 'QCOW2', UserBucket: { S3Bucket: BUCKET, S3Key: 'c.raw' } } })), { name: 'InvalidParameterValue' });
});

test('finds cloud images by filters and owners, newest last in creation order', async (t) => {
  const { ec2, fake } = await useFake(t);
  const byFilters = async (filters: { Name: string; Values: string[] }[], owners?: string[]) =>
    ((await ec2.send(new DescribeImagesCommand({ Filters: filters, Owners: owners }))).Images ?? []).map((image) => [image.ImageId, image.CreationDate]);
  const ubuntu = await byFilters([{ Name: 'name', Values: ['ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*'] }], [CANONICAL_ACCOUNT]);
  t.deepEqual(ubuntu, [
    ['ami-00000000000ab0001', '2024-01-01T00:00:00.000Z'],
    ['ami-00000000000ab0002', '2024-02-01T00:00:00.000Z'],
  ]);
  t.deepEqual(await byFilters([{ Name: 'architecture', Values: ['arm64'] }]), [['ami-00000000000ab0003', '2024-02-01T00:00:00.000Z']]);
  t.deepEqual(await byFilters([{ Name: 'name', Values: ['debian-12-*'] }], ['self']), []);
  // Someone else's private image is invisible; a leaked one of ours is found by its tags.
  fake.addImage({ name: 'private', ownerId: '210987654321', public: false });
  const leaked = fake.addImage({ name: 'leaked', tags: { nodepool_provider_name: 'aws', nodepool_build_id: '9' } });
  t.deepEqual(await byFilters([{ Name: 'tag:nodepool_provider_name', Values: ['aws'] }]), [[leaked.imageId, leaked.creationDate]]);
  t.is((await byFilters([{ Name: 'name', Values: ['private'] }])).length, 0);
  await t.throwsAsync(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-000000000000fffff'] })), { name: 'InvalidAMIID.NotFound', message: "The image id '[ami-000000000000fffff]' does not exist" });
  const [image] = (await ec2.send(new DescribeImagesCommand({ ImageIds: [UBUNTU_AMI] }))).Images ?? [];
  t.like(image, { Public: true, OwnerId: CANONICAL_ACCOUNT, RootDeviceName: '/dev/sda1', BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, VolumeType: 'gp2', Encrypted: false } }] });
});

test('registering checks the name, the snapshot and the sizes', async (t) => {
  const { ec2, fake } = await useFake(t);
  const snapshot = fake.addSnapshot({ volumeSize: 10 });
  const register = (name: string, ebs: { SnapshotId?: string; VolumeSize?: number }, tags: Tag[] = []) =>
    ec2.send(new RegisterImageCommand({ Name: name, Architecture: 'x86_64', RootDeviceName: '/dev/sda1', BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: ebs }], TagSpecifications: tags.length ? [{ ResourceType: 'image', Tags: tags }] : undefined }));
  await t.throwsAsync(register('x', { SnapshotId: snapshot.snapshotId }), { name: 'InvalidAMIName.Malformed' });
  await t.throwsAsync(register('image-1', { SnapshotId: 'snap-0000000000000ffff' }), { name: 'InvalidSnapshot.NotFound' });
  await t.throwsAsync(register('image-1', { SnapshotId: snapshot.snapshotId, VolumeSize: 5 }), { name: 'InvalidBlockDeviceMapping', message: /expect size >= 10GB/ });
  const first = await register('image-1', { SnapshotId: snapshot.snapshotId }, [{ Key: 'k', Value: 'v' }]);
  await t.throwsAsync(register('image-1', { SnapshotId: snapshot.snapshotId }), { name: 'InvalidAMIName.Duplicate', message: `AMI name image-1 is already in use by AMI ${first.ImageId}` });
  const [image] = (await ec2.send(new DescribeImagesCommand({ ImageIds: [first.ImageId!] }))).Images ?? [];
  t.deepEqual(tagDict(image?.Tags), { k: 'v' });
  t.is(image?.BlockDeviceMappings?.[0]?.Ebs?.VolumeSize, 10);
  await t.throwsAsync(ec2.send(new DeregisterImageCommand({ ImageId: UBUNTU_AMI })), { name: 'AuthFailure' });
  // An instance of it is listed with the image's root device.
  await ec2.send(new RunInstancesCommand(launchArgs({}, { ImageId: first.ImageId! })));
  const [instance] = (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.[0]?.Instances ?? [];
  t.is(instance?.RootDeviceName, '/dev/sda1');
});
