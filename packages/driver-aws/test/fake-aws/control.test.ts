import test from 'ava';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeSnapshotsCommand, DescribeVolumesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetObjectTaggingCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { fakeAwsControl, startFakeAws } from '@nodepool/driver-aws/testing';
import { launchArgs, nodeTags, tagDict, useFake } from './helpers.js';

const leakTags = { nodepool_provider_name: 'aws', nodepool_node_id: '0000000042', nodepool_pool_name: 'main' };

test('resources made behind the API are seen through the SDK, but not counted as calls', async (t) => {
  const { fake, ec2, s3 } = await useFake(t);
  const instance = fake.addInstance({ instanceType: 'm5.large', tags: leakTags, availabilityZone: 'us-east-1c' });
  const volume = fake.addVolume({ size: 30, tags: leakTags });
  const image = fake.addImage({ name: 'leaked-image', tags: { nodepool_provider_name: 'aws' } });
  const snapshot = fake.addSnapshot({ tags: { nodepool_provider_name: 'aws' } });
  fake.addObject({ bucket: 'images', key: 'leaked.raw', body: 'x', tags: { nodepool_provider_name: 'aws' } });
  const stranger = fake.addInstance({ tags: { owner: 'someone else' } });
  t.deepEqual(fake.calls(), {});

  const instances = (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:nodepool_provider_name', Values: ['aws'] }] }))).Reservations?.flatMap((r) => r.Instances ?? []);
  t.deepEqual(instances?.map((found) => [found.InstanceId, found.State?.Name, found.Placement?.AvailabilityZone]), [[instance.instanceId, 'running', 'us-east-1c']]);
  t.deepEqual(tagDict(instances?.[0]?.Tags), leakTags);
  const volumes = (await ec2.send(new DescribeVolumesCommand({}))).Volumes ?? [];
  // The leaked instance came with a root volume; the stranger too.
  t.is(volumes.length, 3);
  t.like(volumes.find((found) => found.VolumeId === volume.volumeId), { Size: 30, State: 'available' });
  t.deepEqual((await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images?.map((found) => found.ImageId), [image.imageId]);
  const snapshots = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots?.map((found) => found.SnapshotId);
  t.true(snapshots?.includes(snapshot.snapshotId));
  t.true(snapshots?.includes(image.blockDeviceMappings[0]!.snapshotId!));
  t.deepEqual((await s3.send(new ListObjectsV2Command({ Bucket: 'images' }))).Contents?.map((object) => object.Key), ['leaked.raw']);
  t.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: 'images', Key: 'leaked.raw' }))).TagSet, [{ Key: 'nodepool_provider_name', Value: 'aws' }]);
  t.like(fake.calls(), { DescribeInstances: 1, DescribeVolumes: 1, DescribeImages: 1, DescribeSnapshots: 1, ListObjectsV2: 1 });
  t.is(fake.state().instances.find((found) => found.instanceId === stranger.instanceId)?.tags.owner, 'someone else');
});

test('a spot interruption terminates an instance behind the API', async (t) => {
  const { fake, ec2 } = await useFake(t);
  const run = await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'), { InstanceMarketOptions: { MarketType: 'spot' } })));
  const id = run.Instances![0]!.InstanceId!;
  const [after] = fake.terminateInstances([id], { code: 'Server.SpotInstanceTermination', message: 'Server.SpotInstanceTermination: Spot instance termination' });
  t.is(after?.state, 'shutting-down');
  const [instance] = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances ?? [];
  t.like(instance, { State: { Name: 'terminated' }, StateReason: { Code: 'Server.SpotInstanceTermination' } });
  t.throws(() => fake.terminateInstances(['i-00000000000000fff']), { message: /does not exist/ });
});

test('reset goes back to the starting state', async (t) => {
  const { fake, ec2 } = await useFake(t, { buckets: ['images'], quotas: { 'L-1216C47A': 8 } });
  await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'))));
  fake.configure({ bootDelayMs: 5_000, quotas: { 'L-1216C47A': 2 } });
  fake.injectFailure({ action: 'RunInstances', code: 'InternalError' });
  fake.addObject({ bucket: 'other', key: 'x' });
  fake.reset();
  t.like(fake.settings(), { bootDelayMs: 0, quotas: { 'L-1216C47A': 8 } });
  t.deepEqual(fake.calls(), {});
  t.deepEqual(fake.failures(), []);
  const state = fake.state();
  t.deepEqual(state.instances, []);
  t.deepEqual(state.volumes, []);
  t.deepEqual(state.buckets.map((bucket) => bucket.name), ['images']);
  t.is(state.images.length, 4);
  // IDs are never handed out twice, not even after a reset.
  const again = await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'))));
  t.is(again.Instances?.[0]?.InstanceId, 'i-00000000000000002');
});

test('refuses bad settings and requests with the reason', async (t) => {
  const { fake } = await useFake(t);
  t.throws(() => fake.configure({ bootDelayMs: -1 }), { message: 'bootDelayMs must be a number >= 0' });
  t.throws(() => fake.configure({ zones: [] }), { message: 'zones must be a non-empty list of names' });
  t.throws(() => fake.configure({ nonsense: 1 } as never), { message: /unknown setting nonsense/ });
  t.throws(() => fake.configure({ rateLimits: { bogus: 1 } as never }), { message: /unknown rate limit class bogus/ });
  t.throws(() => fake.injectFailure({ action: 'RunInstances', code: 'X', count: 1, rate: 0.5 }), { message: 'give count or rate, not both' });
  t.throws(() => fake.injectFailure({ action: 'RunInstances', code: 'X', every: 0 }), { message: 'every must be an integer >= 1' });
  t.throws(() => fake.configure({ throttles: { RunInstances: { every: 0 } } }), { message: 'throttles.RunInstances.every must be an integer >= 1' });
  t.throws(() => fake.configure({ throttles: { RunInstances: {} } }), { message: /throttles\.RunInstances throttles nothing/ });
  t.throws(() => fake.configure({ throttles: { RunInstances: { rate: 2 } as never } }), { message: /unknown key throttles\.RunInstances\.rate/ });
  t.throws(() => fake.addInstance({ instanceType: 'z9.huge' }), { message: 'unknown instance type z9.huge' });
  await t.throwsAsync(startFakeAws({ accountId: 'me' }), { instanceOf: TypeError, message: 'invalid fake AWS options: accountId must be 12 digits' });
});

test('controls a fake over HTTP as the in-process handle does', async (t) => {
  const { fake, ec2 } = await useFake(t);
  const control = fakeAwsControl(`${fake.url}/`);
  t.like(await control.configure({ bootDelayMs: 0, quotas: { 'L-1216C47A': 4 } }), { quotas: { 'L-1216C47A': 4 } });
  t.like(await control.settings(), { quotas: { 'L-1216C47A': 4 } });
  const leak = await control.addInstance({ tags: leakTags });
  const volume = await control.addVolume({ size: 2 });
  const image = await control.addImage({ name: 'from-http' });
  const snapshot = await control.addSnapshot({ volumeSize: 3 });
  const host = await control.addHost({ instanceType: 'm5.large' });
  const object = await control.addObject({ bucket: 'bucket-1', key: 'k', body: new Uint8Array([1, 2, 3]), tags: { a: 'b' } });
  t.like(object, { bucket: 'bucket-1', key: 'k', size: 3, tags: { a: 'b' } });
  await t.throwsAsync(control.addObject({ bucket: 'b1', key: 'k' }), { message: /HTTP 400: The specified bucket is not valid/ });
  const state = await control.state();
  t.true(state.instances.some((found) => found.instanceId === leak.instanceId));
  t.true(state.volumes.some((found) => found.volumeId === volume.volumeId));
  t.true(state.images.some((found) => found.imageId === image.imageId));
  t.true(state.snapshots.some((found) => found.snapshotId === snapshot.snapshotId));
  t.deepEqual(state.hosts.map((found) => found.hostId), [host.hostId]);

  t.like(await control.injectFailure({ action: 'DescribeInstances', code: 'Unavailable' }), [{ code: 'Unavailable', status: 503, remaining: 1 }]);
  await t.throwsAsync(ec2.send(new DescribeInstancesCommand({})), { name: 'Unavailable' });
  t.deepEqual(await control.failures(), []);
  await control.injectFailure({ action: 'DescribeInstances', code: 'Unavailable', rate: 1 });
  await control.clearFailures();
  await t.notThrowsAsync(ec2.send(new DescribeInstancesCommand({})));
  t.deepEqual(await control.calls(), { DescribeInstances: 2, 'DescribeInstances.failed': 1 });
  t.deepEqual(await control.callLog(), ['DescribeInstances', 'DescribeInstances.failed', 'DescribeInstances'], 'in the order they were counted');
  t.deepEqual(await control.resetCalls(), { DescribeInstances: 2, 'DescribeInstances.failed': 1 });
  t.deepEqual(await control.calls(), {});
  t.deepEqual(await control.callLog(), []);
  t.like(await control.terminateInstances([leak.instanceId]), [{ instanceId: leak.instanceId, state: 'shutting-down' }]);

  t.like(await control.configure({ throttles: { DescribeInstances: { first: 1 } } }), { throttles: { DescribeInstances: { first: 1 } } });
  await t.throwsAsync(ec2.send(new DescribeInstancesCommand({})), { name: 'RequestLimitExceeded' });
  t.like(await control.calls(), { 'DescribeInstances.throttled': 1 });

  await control.reset();
  t.deepEqual((await control.state()).instances, []);
  t.deepEqual((await control.settings()).throttles, {});
  await t.throwsAsync(control.configure({ latencyMs: 'slow' as never }), { message: /HTTP 400: latencyMs must be a number >= 0/ });
  await t.throwsAsync(control.addImage({ name: 'bad', imageId: 'nope' }), { message: /HTTP 400: imageId nope is not of the form/ });
  const missing = await fetch(`${fake.url}/_fake/nothing`);
  t.is(missing.status, 404);
});
