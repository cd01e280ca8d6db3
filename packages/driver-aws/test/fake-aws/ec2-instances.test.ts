import test from 'ava';
import {
  CreateTagsCommand,
  DeleteVolumeCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type _InstanceType,
  type Instance,
} from '@aws-sdk/client-ec2';
import { paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { FakeClock, launchArgs, nodeTags, tagDict, UBUNTU_AMI, UBUNTU_ARM_AMI, useFake } from './helpers.js';

async function allInstances(ec2: Parameters<typeof paginateDescribeInstances>[0]['client'], pageSize?: number): Promise<Instance[]> {
  const instances: Instance[] = [];
  for await (const page of paginateDescribeInstances({ client: ec2, pageSize }, {})) {
    for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
  }
  return instances;
}

test('launches an instance as the original adapter asks and describes it back with its tags', async (t) => {
  const { ec2 } = await useFake(t);
  const tags = nodeTags('0000000001');
  const run = await ec2.send(
    new RunInstancesCommand(
      launchArgs(tags, {
        UserData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
        IamInstanceProfile: { Name: 'nodepool-role' },
        NetworkInterfaces: [{ AssociatePublicIpAddress: true, DeviceIndex: 0, Groups: ['sg-0123456789abcdef0'], SubnetId: 'subnet-00000000000000002', Ipv6AddressCount: 1 }],
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      }),
    ),
  );
  const [launched] = run.Instances ?? [];
  t.regex(launched?.InstanceId ?? '', /^i-[0-9a-f]{17}$/);
  // RunInstances always answers "pending"; with no boot delay the first look says "running".
  t.is(launched?.State?.Name, 'pending');
  t.is(launched?.State?.Code, 0);

  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [launched!.InstanceId!] }));
  const instance = described.Reservations?.[0]?.Instances?.[0];
  t.like(instance, {
    InstanceId: launched!.InstanceId,
    ImageId: UBUNTU_AMI,
    InstanceType: 't3.medium',
    KeyName: 'zuul',
    State: { Code: 16, Name: 'running' },
    Placement: { AvailabilityZone: 'us-east-1b', Tenancy: 'default' },
    SubnetId: 'subnet-00000000000000002',
    IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/nodepool-role' },
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
    Architecture: 'x86_64',
  });
  t.deepEqual(tagDict(instance?.Tags), tags);
  t.regex(instance?.PrivateIpAddress ?? '', /^10\.0\.\d+\.\d+$/);
  t.regex(instance?.PublicIpAddress ?? '', /^203\.0\.113\.\d+$/);
  t.is(instance?.NetworkInterfaces?.[0]?.Ipv6Addresses?.length, 1);
  t.deepEqual(instance?.SecurityGroups?.map((group) => group.GroupId), ['sg-0123456789abcdef0']);
  t.is(instance?.InstanceLifecycle, undefined);
});

test('an instance without a public IPv4 address reports only the private one', async (t) => {
  const { ec2 } = await useFake(t, { privateAddress: '127.0.0.1' });
  await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'), { NetworkInterfaces: [{ AssociatePublicIpAddress: false, DeviceIndex: 0 }] })));
  const [instance] = await allInstances(ec2);
  t.is(instance?.PublicIpAddress, undefined);
  t.is(instance?.PrivateIpAddress, '127.0.0.1');
});

test('filters instances by state, tag, tag key, id and type, and refuses an unknown filter', async (t) => {
  const { ec2 } = await useFake(t);
  const ids: string[] = [];
  for (const [node, type] of [
    ['1', 't3.medium'],
    ['2', 't3.medium'],
    ['3', 'm5.large'],
  ] as const) {
    const run = await ec2.send(new RunInstancesCommand(launchArgs(nodeTags(node), { InstanceType: type })));
    ids.push(run.Instances![0]!.InstanceId!);
  }
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[0]!] }));
  const idsOf = async (filters: { Name: string; Values: string[] }[]) =>
    ((await ec2.send(new DescribeInstancesCommand({ Filters: filters }))).Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId);

  t.deepEqual(await idsOf([{ Name: 'instance-state-name', Values: ['running', 'pending'] }]), [ids[1], ids[2]]);
  t.deepEqual(await idsOf([{ Name: 'instance-state-name', Values: ['terminated'] }]), [ids[0]]);
  t.deepEqual(await idsOf([{ Name: 'tag:nodepool_node_id', Values: ['2', '3'] }]), [ids[1], ids[2]]);
  t.deepEqual(await idsOf([{ Name: 'tag:Name', Values: ['np*'] }, { Name: 'instance-type', Values: ['m5.*'] }]), [ids[2]]);
  t.deepEqual(await idsOf([{ Name: 'tag-key', Values: ['nodepool_provider_name'] }, { Name: 'instance-id', Values: [ids[1]!] }]), [ids[1]]);
  t.deepEqual(await idsOf([{ Name: 'tag:nodepool_node_id', Values: ['9'] }]), []);
  await t.throwsAsync(ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })), {
    name: 'InvalidParameterValue',
    message: "The filter 'no-such-filter' is invalid",
  });
});

test('pages through instances with MaxResults and NextToken', async (t) => {
  const { ec2, fake } = await useFake(t);
  for (let node = 1; node <= 12; node++) await ec2.send(new RunInstancesCommand(launchArgs(nodeTags(String(node)))));
  const first = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
  t.is(first.Reservations?.length, 5);
  t.truthy(first.NextToken);
  const all = await allInstances(ec2, 5);
  t.is(all.length, 12);
  t.deepEqual(new Set(all.map((instance) => instance.InstanceId)).size, 12);
  t.is(fake.calls().DescribeInstances, 1 + 3);
  await t.throwsAsync(ec2.send(new DescribeInstancesCommand({ MaxResults: 4 })), { name: 'InvalidParameterValue' });
  await t.throwsAsync(ec2.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: [all[0]!.InstanceId!] })), { name: 'InvalidParameterCombination' });
  await t.throwsAsync(ec2.send(new DescribeInstancesCommand({ NextToken: 'garbage' })), { name: 'InvalidPaginationToken' });
});

test('MinCount and MaxCount launch several instances in one reservation', async (t) => {
  const { ec2 } = await useFake(t);
  const run = await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'), { MinCount: 2, MaxCount: 3 })));
  t.is(run.Instances?.length, 3);
  t.deepEqual(
    run.Instances?.map((instance) => instance.AmiLaunchIndex),
    [0, 1, 2],
  );
  const reservations = (await ec2.send(new DescribeInstancesCommand({}))).Reservations ?? [];
  t.is(reservations.length, 1);
  t.is(reservations[0]?.ReservationId, run.ReservationId);
});

test('an instance stays pending for the boot delay, then runs', async (t) => {
  const clock = new FakeClock();
  const { ec2 } = await useFake(t, { bootDelayMs: 5_000, now: clock.now });
  const id = (await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'))))).Instances![0]!.InstanceId!;
  const state = async () => (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name;
  t.is(await state(), 'pending');
  clock.advance(4_999);
  t.is(await state(), 'pending');
  clock.advance(1);
  t.is(await state(), 'running');
});

test('a terminated instance shuts down, stays listed as terminated for a while, then vanishes', async (t) => {
  const clock = new FakeClock();
  const { ec2 } = await useFake(t, { shutdownDelayMs: 1_000, terminatedRetentionMs: 60_000, now: clock.now });
  const id = (await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'))))).Instances![0]!.InstanceId!;
  const terminated = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  t.like(terminated.TerminatingInstances?.[0], { InstanceId: id, PreviousState: { Name: 'running', Code: 16 }, CurrentState: { Name: 'shutting-down', Code: 32 } });
  const describe = async () => (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
  t.is((await describe())[0]?.State?.Name, 'shutting-down');
  clock.advance(1_000);
  const [gone] = await describe();
  t.like(gone, { State: { Name: 'terminated', Code: 48 }, StateReason: { Code: 'Client.UserInitiatedShutdown' } });
  // A terminated instance has given back its addresses and volumes.
  t.is(gone?.PrivateIpAddress, undefined);
  t.deepEqual(gone?.BlockDeviceMappings ?? [], []);
  clock.advance(59_999);
  t.is((await describe()).length, 1);
  clock.advance(1);
  t.deepEqual(await describe(), []);
  await t.throwsAsync(ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })), { name: 'InvalidInstanceID.NotFound', message: `The instance ID '${id}' does not exist` });
});

test('volumes are made with the instance, tagged as asked, and follow DeleteOnTermination', async (t) => {
  const { ec2 } = await useFake(t);
  const tags = nodeTags('1');
  const run = await ec2.send(
    new RunInstancesCommand(
      launchArgs(tags, {
        BlockDeviceMappings: [
          { DeviceName: '/dev/sda1', Ebs: { DeleteOnTermination: true, VolumeSize: 40, VolumeType: 'gp3', Iops: 4000, Throughput: 250 } },
          { DeviceName: '/dev/sdb', Ebs: { DeleteOnTermination: false, VolumeSize: 10, VolumeType: 'io1', Iops: 500 } },
        ],
      }),
    ),
  );
  const id = run.Instances![0]!.InstanceId!;
  const volumes = (await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }))).Volumes ?? [];
  t.is(volumes.length, 2);
  const root = volumes.find((volume) => volume.Attachments?.[0]?.Device === '/dev/sda1');
  t.like(root, { Size: 40, VolumeType: 'gp3', Iops: 4000, Throughput: 250, State: 'in-use', Attachments: [{ InstanceId: id, DeleteOnTermination: true }] });
  // The root volume comes from the AMI's snapshot.
  t.regex(root?.SnapshotId ?? '', /^snap-/);
  for (const volume of volumes) t.deepEqual(tagDict(volume.Tags), tags);

  await t.throwsAsync(ec2.send(new DeleteVolumeCommand({ VolumeId: root!.VolumeId! })), { name: 'VolumeInUse' });
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  const left = (await ec2.send(new DescribeVolumesCommand({}))).Volumes ?? [];
  t.is(left.length, 1);
  t.like(left[0], { Size: 10, VolumeType: 'io1', State: 'available', Attachments: [] });
  await ec2.send(new DeleteVolumeCommand({ VolumeId: left[0]!.VolumeId! }));
  t.deepEqual((await ec2.send(new DescribeVolumesCommand({}))).Volumes, []);
  await t.throwsAsync(ec2.send(new DeleteVolumeCommand({ VolumeId: left[0]!.VolumeId! })), { name: 'InvalidVolume.NotFound' });
});

test('checks a launch the way EC2 does', async (t) => {
  const { ec2, fake } = await useFake(t);
  const tags = nodeTags('1');
  const cases: [Partial<Parameters<typeof launchArgs>[1]>, string, RegExp?][] = [
    [{ ImageId: 'ami-00000000000000fff' }, 'InvalidAMIID.NotFound'],
    [{ ImageId: 'debian' }, 'InvalidAMIID.Malformed'],
    [{ InstanceType: 'z9.huge' as _InstanceType }, 'InvalidParameterValue', /Invalid value 'z9.huge' for InstanceType/],
    [{ ImageId: UBUNTU_ARM_AMI }, 'InvalidParameterValue', /architecture 'x86_64' of the specified instance type does not match the architecture 'arm64'/],
    [{ SubnetId: 'subnet-00000000000000001' }, 'InvalidParameterCombination', /Network interfaces and an instance-level subnet ID/],
    [{ BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 4 } }] }, 'InvalidBlockDeviceMapping', /smaller than snapshot/],
    [{ BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { Encrypted: false } }] }, 'InvalidBlockDeviceMapping', /encrypted flag cannot be specified/],
    [{ BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeType: 'io2' } }] }, 'InvalidParameterCombination', /iops must be specified/],
    [{ BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeType: 'gp2', Throughput: 200 } }] }, 'InvalidParameterCombination', /throughput is not supported/],
    [{ TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'a', Value: 'b' }] }] }, 'InvalidParameterValue', /not a valid taggable resource type/],
    [{ TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'aws:x', Value: 'b' }] }] }, 'InvalidParameterValue', /reserved/],
    [{ Placement: { AvailabilityZone: 'us-west-2a' } }, 'InvalidParameterValue', /Invalid availability zone/],
    [{ IamInstanceProfile: { Arn: 'not-an-arn' } }, 'InvalidParameterValue'],
  ];
  for (const [extra, name, message] of cases) {
    await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs(tags, extra))), { name, ...(message ? { message } : {}) }, `${JSON.stringify(extra)} should fail with ${name}`);
  }
  t.deepEqual(fake.state().instances, []);
  t.deepEqual(fake.state().volumes, []);
});

test('the same ClientToken gets the same instance back', async (t) => {
  const { ec2, fake } = await useFake(t);
  const first = await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'), { ClientToken: 'token-1' })));
  const again = await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'), { ClientToken: 'token-1' })));
  t.is(again.Instances?.[0]?.InstanceId, first.Instances?.[0]?.InstanceId);
  t.is(fake.state().instances.length, 1);
});

test('tags resources after the fact and refuses malformed or unknown IDs', async (t) => {
  const { ec2 } = await useFake(t);
  const id = (await ec2.send(new RunInstancesCommand(launchArgs({})))).Instances![0]!.InstanceId!;
  await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'late', Value: 'yes' }] }));
  const [instance] = await allInstances(ec2);
  t.deepEqual(tagDict(instance?.Tags), { late: 'yes' });
  await t.throwsAsync(ec2.send(new CreateTagsCommand({ Resources: ['i-00000000000000fff'], Tags: [{ Key: 'a', Value: 'b' }] })), { name: 'InvalidInstanceID.NotFound' });
  await t.throwsAsync(ec2.send(new CreateTagsCommand({ Resources: ['bogus-1'], Tags: [{ Key: 'a', Value: 'b' }] })), { name: 'InvalidID' });
  await t.throwsAsync(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['np0000000001'] })), { name: 'InvalidInstanceID.Malformed' });
  await t.throwsAsync(ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-00000000000000fff'] })), { name: 'InvalidInstanceID.NotFound' });
});

test('describes the modelled instance types and the zones', async (t) => {
  const { ec2 } = await useFake(t, { zones: ['us-east-1a', 'us-east-1d'] });
  const types = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.medium', 'g4dn.xlarge'] }));
  t.like(
    Object.fromEntries((types.InstanceTypes ?? []).map((type) => [type.InstanceType, type])),
    {
      't3.medium': { VCpuInfo: { DefaultVCpus: 2, DefaultCores: 1 }, MemoryInfo: { SizeInMiB: 4096 }, ProcessorInfo: { SupportedArchitectures: ['x86_64'] } },
      'g4dn.xlarge': { VCpuInfo: { DefaultVCpus: 4, DefaultCores: 2 }, MemoryInfo: { SizeInMiB: 16384 } },
    },
  );
  await t.throwsAsync(ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.bogus' as _InstanceType] })), {
    name: 'InvalidInstanceType',
    message: 'The following supplied instance types do not exist: [t3.bogus]',
  });
  const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
  t.deepEqual(
    zones.AvailabilityZones?.map((zone) => [zone.ZoneName, zone.ZoneId, zone.State, zone.RegionName]),
    [
      ['us-east-1a', 'use1-az1', 'available', 'us-east-1'],
      ['us-east-1d', 'use1-az2', 'available', 'us-east-1'],
    ],
  );
});
