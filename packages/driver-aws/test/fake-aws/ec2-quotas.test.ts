import test from 'ava';
import { RunInstancesCommand, TerminateInstancesCommand, type EC2ServiceException, type RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { launchArgs, nodeTags, useFake } from './helpers.js';

const spot: Partial<RunInstancesCommandInput> = {
  InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } },
};

test('on-demand vCPUs are limited per quota code, and terminating frees them', async (t) => {
  // t3.medium has 2 vCPUs: three fit in 6, a fourth does not.
  const { ec2, fake } = await useFake(t, { quotas: { 'L-1216C47A': 6 } });
  const ids: string[] = [];
  for (const node of ['1', '2', '3']) ids.push((await ec2.send(new RunInstancesCommand(launchArgs(nodeTags(node))))).Instances![0]!.InstanceId!);
  const error = await t.throwsAsync<EC2ServiceException>(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('4')))), {
    name: 'VcpuLimitExceeded',
    message: /current vCPU limit of 6 allows for the instance bucket/,
  });
  t.is(error?.$metadata.httpStatusCode, 400);
  // Another family has its own quota (G and VT: L-DB2E81BA).
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('5'), { InstanceType: 'g4dn.xlarge' }))));
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[0]!] }));
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('4')))));
  t.is(fake.calls()['RunInstances.failed'], 1);
});

test('spot and on-demand vCPUs are counted apart, spot failing with MaxSpotInstanceCountExceeded', async (t) => {
  const { ec2 } = await useFake(t, { quotas: { 'L-1216C47A': 2, 'L-34B43A08': 4 } });
  await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'))));
  await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('2')))), { name: 'VcpuLimitExceeded' });
  const first = await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('3'), spot)));
  t.is(first.Instances?.[0]?.InstanceLifecycle, 'spot');
  t.regex(first.Instances?.[0]?.SpotInstanceRequestId ?? '', /^sir-/);
  await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('4'), spot)));
  await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('5'), spot))), { name: 'MaxSpotInstanceCountExceeded', message: 'Max spot instance count exceeded' });
});

test('a launch of several instances gets as many as fit between MinCount and MaxCount', async (t) => {
  const { ec2 } = await useFake(t, { quotas: { 'L-1216C47A': 7 } });
  const run = await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'), { MinCount: 2, MaxCount: 10 })));
  t.is(run.Instances?.length, 3);
  await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('2'), { MinCount: 1, MaxCount: 1 }))), { name: 'VcpuLimitExceeded' });
});

test('an instance-count limit fails with InstanceLimitExceeded', async (t) => {
  const { ec2, fake } = await useFake(t, { instanceLimit: 1 });
  await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'))));
  await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('2'), { InstanceType: 'g4dn.xlarge' }))), {
    name: 'InstanceLimitExceeded',
    message: /You have requested more instances \(1\) than your current instance limit of 1/,
  });
  fake.configure({ instanceLimit: null });
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('2')))));
});

test('capacity shortages fail with InsufficientInstanceCapacity, a server error', async (t) => {
  const { ec2, fake } = await useFake(t, { spotCapacity: false, unavailableInstanceTypes: ['m5.large'] });
  const noSpot = await t.throwsAsync<EC2ServiceException>(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'), spot))), {
    name: 'InsufficientInstanceCapacity',
    message: 'There is no Spot capacity available that matches your request.',
  });
  t.is(noSpot?.$metadata.httpStatusCode, 500);
  t.is(noSpot?.$fault, 'server');
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('2')))));
  await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('3'), { InstanceType: 'm5.large' }))), {
    name: 'InsufficientInstanceCapacity',
    message: /We currently do not have sufficient m5.large capacity in the Availability Zone you requested \(us-east-1a\)/,
  });
  fake.configure({ spotCapacity: true, unavailableInstanceTypes: [] });
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('4'), { ...spot, InstanceType: 'm5.large' }))));
});

test('EBS storage beyond the volume-type quota fails with VolumeLimitExceeded', async (t) => {
  // 1 TiB of gp3: 1024 GiB.
  const { ec2 } = await useFake(t, { quotas: { 'L-7A658B76': 1 } });
  const big = (size: number) => launchArgs(nodeTags('1'), { BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: size, VolumeType: 'gp3' } }] });
  await ec2.send(new RunInstancesCommand(big(1000)));
  await t.throwsAsync(ec2.send(new RunInstancesCommand(big(100))), { name: 'VolumeLimitExceeded', message: /maximum gp3 storage limit of 1 TiB/ });
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(big(24))));
});

test('a quota code removed from the settings is not enforced', async (t) => {
  const { ec2, fake } = await useFake(t, { quotas: { 'L-1216C47A': 0 } });
  await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1')))), { name: 'VcpuLimitExceeded' });
  fake.configure({ quotas: { 'L-1216C47A': null } });
  t.is(fake.settings().quotas['L-1216C47A'], undefined);
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1')))));
});
