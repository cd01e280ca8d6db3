import test from 'ava';
import { AllocateHostsCommand, DescribeHostsCommand, DescribeInstancesCommand, ReleaseHostsCommand, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { FakeClock, launchArgs, nodeTags, tagDict, tagList, useFake } from './helpers.js';

const allocate = (tags: Record<string, string>, extra: { Quantity?: number; InstanceType?: string } = {}) =>
  new AllocateHostsCommand({
    AutoPlacement: 'off',
    AvailabilityZone: 'us-east-1b',
    InstanceType: 'mac1.metal',
    Quantity: 1,
    HostRecovery: 'off',
    HostMaintenance: 'off',
    TagSpecifications: [{ ResourceType: 'dedicated-host', Tags: tagList(tags) }],
    ...extra,
  });

test('allocates a dedicated host, launches on it, and releases it once the instance is gone', async (t) => {
  const clock = new FakeClock();
  const { ec2 } = await useFake(t, { now: clock.now, hostDelayMs: 10_000 });
  const tags = nodeTags('1');
  const { HostIds } = await ec2.send(allocate(tags));
  const hostId = HostIds![0]!;
  t.regex(hostId, /^h-[0-9a-f]{17}$/);
  const host = async () => (await ec2.send(new DescribeHostsCommand({ HostIds: [hostId] }))).Hosts?.[0];
  t.like(await host(), { State: 'pending', AvailabilityZone: 'us-east-1b', HostProperties: { InstanceType: 'mac1.metal', TotalVCpus: 12 } });
  t.deepEqual(tagDict((await host())?.Tags), tags);
  const onHost = launchArgs(tags, { InstanceType: 'mac1.metal', Placement: { Tenancy: 'host', HostId: hostId, Affinity: 'host' } });
  await t.throwsAsync(ec2.send(new RunInstancesCommand(onHost)), { name: 'IncorrectHostState' });

  clock.advance(10_000);
  t.like(await host(), { State: 'available', AvailableCapacity: { AvailableVCpus: 12, AvailableInstanceCapacity: [{ InstanceType: 'mac1.metal', AvailableCapacity: 1, TotalCapacity: 1 }] } });
  const run = await ec2.send(new RunInstancesCommand(onHost));
  const instanceId = run.Instances![0]!.InstanceId!;
  t.like(run.Instances?.[0], { Placement: { Tenancy: 'host', HostId: hostId, AvailabilityZone: 'us-east-1b' } });
  t.like(await host(), { Instances: [{ InstanceId: instanceId, InstanceType: 'mac1.metal' }], AvailableCapacity: { AvailableVCpus: 0 } });
  // The host is full: one mac1.metal takes all of it.
  await t.throwsAsync(ec2.send(new RunInstancesCommand(onHost)), { name: 'InsufficientHostCapacity' });

  const refused = await ec2.send(new ReleaseHostsCommand({ HostIds: [hostId] }));
  t.deepEqual(refused.Successful, []);
  t.like(refused.Unsuccessful, [{ ResourceId: hostId, Error: { Code: 'Client.InvalidHostState' } }]);
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  const released = await ec2.send(new ReleaseHostsCommand({ HostIds: [hostId, 'h-0000000000000ffff'] }));
  t.deepEqual(released.Successful, [hostId]);
  t.like(released.Unsuccessful, [{ ResourceId: 'h-0000000000000ffff', Error: { Code: 'Client.InvalidHostID.NotFound' } }]);
  t.like(await host(), { State: 'released' });
  t.truthy((await host())?.ReleaseTime);
});

test('instances on a dedicated host do not count against the on-demand vCPU quota', async (t) => {
  const { ec2, fake } = await useFake(t, { quotas: { 'L-1216C47A': 0 } });
  const { HostIds } = await ec2.send(allocate({}, { InstanceType: 'm5.large' }));
  await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs({}, { InstanceType: 'm5.large' }))), { name: 'VcpuLimitExceeded' });
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(launchArgs({}, { InstanceType: 'm5.large', Placement: { Tenancy: 'host', HostId: HostIds![0] } }))));
  await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs({}, { InstanceType: 't3.medium', Placement: { Tenancy: 'host', HostId: HostIds![0] } }))), {
    name: 'InvalidParameterValue',
    message: /not supported on host/,
  });
  t.is(fake.state().hosts[0]?.instanceIds.length, 1);
});

test('allocating beyond the family host quota fails with HostLimitExceeded', async (t) => {
  const { ec2 } = await useFake(t, { quotas: { 'L-A8448DC5': 2 } });
  await ec2.send(allocate({}, { Quantity: 2 }));
  await t.throwsAsync(ec2.send(allocate({})), { name: 'HostLimitExceeded', message: /current limit of 2 allows for the mac1 instance family/ });
  await t.throwsAsync(ec2.send(allocate({}, { InstanceType: 'mac9.metal' })), { name: 'InvalidParameterValue' });
});

test('filters and pages hosts', async (t) => {
  const { ec2, fake } = await useFake(t, { quotas: { 'L-8B7BF662': 10 } });
  await ec2.send(allocate({ pool: 'a' }, { InstanceType: 'm5.large', Quantity: 6 }));
  await ec2.send(allocate({ pool: 'b' }, { InstanceType: 'mac1.metal' }));
  const ids = async (filters: { Name: string; Values: string[] }[]) => ((await ec2.send(new DescribeHostsCommand({ Filter: filters }))).Hosts ?? []).map((host) => host.HostId);
  t.is((await ids([{ Name: 'tag:pool', Values: ['a'] }])).length, 6);
  t.is((await ids([{ Name: 'instance-type', Values: ['mac1.metal'] }])).length, 1);
  t.is((await ids([{ Name: 'state', Values: ['available'] }])).length, 7);
  const first = await ec2.send(new DescribeHostsCommand({ MaxResults: 5 }));
  t.is(first.Hosts?.length, 5);
  const second = await ec2.send(new DescribeHostsCommand({ MaxResults: 5, NextToken: first.NextToken }));
  t.is(second.Hosts?.length, 2);
  t.is(second.NextToken, undefined);
  t.is(fake.calls().DescribeHosts, 5);
  t.deepEqual((await ec2.send(new DescribeInstancesCommand({}))).Reservations, []);
});
