/**
 * The adapter against the fake AWS through the real SDK: what RunInstances asks for, the
 * machines, quota, leak listings and deletion. The launcher runs it in launcher.test.ts.
 */
import test from 'ava';
import { getLogger, NodeRequest, type Instance, type StateMachine } from '@nodepool/core';
import type { AwsInstanceView } from '@nodepool/driver-aws';
import { UBUNTU_AMI, awsSetup } from './helpers.js';

const log = getLogger('test.driver-aws');

function request(): NodeRequest {
  const created = new NodeRequest();
  created.id = '200-0000000042';
  created.nodeTypes = ['small'];
  return created;
}

const metadata = (nodeId: string) => ({ nodepool_node_id: nodeId, nodepool_pool_name: 'main', nodepool_provider_name: 'aws' });

/** Runs a machine to completion, as the kit does. */
async function run<T>(machine: StateMachine<T>): Promise<T> {
  for (let step = 0; step < 1000; step++) {
    const result = await machine.advance();
    if (result !== undefined || machine.complete) return result as T;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`machine stuck in ${machine.state}`);
}

test('a launch runs a tagged instance from the cloud image with the label’s settings, and deletion terminates it', async (t) => {
  const { fake, adapter, listing, label } = await awsSetup(t);
  const machine = adapter.getCreateStateMachine({ hostname: 'np0000000001', label: label('small'), imageExternalId: undefined, metadata: metadata('0000000001'), request: request(), az: undefined, instances: listing, log });
  const instance = (await run(machine)) as AwsInstanceView;
  t.is(machine.externalId, instance.externalId);
  t.is(instance.state, 'running');
  t.truthy(instance.interfaceIp);
  t.like(instance.getQuotaInformation?.()?.toJson(), { cores: 1, instances: 1, ram: 4096, 'L-1216C47A': 2 });

  const [ec2] = fake.state().instances;
  t.like(ec2, { imageId: UBUNTU_AMI, instanceType: 't3.medium', keyName: 'zuul', subnetId: 'subnet-0123456789abcdef0' });
  const tags = { ...metadata('0000000001'), Name: 'np0000000001', team: 'ci', request: '200-0000000042' };
  t.deepEqual(ec2!.tags, tags);
  const volumes = fake.state().volumes;
  t.true(volumes.length > 0);
  for (const volume of volumes) t.deepEqual(volume.tags, tags, 'volumes carry the node’s tags too');

  await run(adapter.getDeleteStateMachine(instance.externalId, { instances: listing, log }));
  t.is(fake.state().instances[0]!.state, 'terminated');
  // A node whose instance is gone already deletes at once.
  await run(adapter.getDeleteStateMachine(instance.externalId, { instances: listing, log }));
  await run(adapter.getDeleteStateMachine('i-00000000000000fff', { instances: listing, log }));
  t.pass();
});

test('deletions asked for together go out as one TerminateInstances', async (t) => {
  const { fake, adapter, listing } = await awsSetup(t);
  const ids = Array.from({ length: 5 }, () => fake.addInstance({ tags: metadata('1') }).instanceId);
  fake.resetCalls();
  await Promise.all(ids.map((id) => run(adapter.getDeleteStateMachine(id, { instances: listing, log }))));
  t.is(fake.calls().TerminateInstances, 1);
  t.true(fake.state().instances.every((instance) => instance.state === 'terminated'));

  // An ID EC2 does not know fails the whole call: the others are then terminated one by one.
  const more = Array.from({ length: 2 }, () => fake.addInstance({ tags: metadata('2') }).instanceId);
  await Promise.all([...more, 'i-0000000000000ffff'].map((id) => run(adapter.getDeleteStateMachine(id, { instances: listing, log }))));
  t.true(fake.state().instances.every((instance) => instance.state === 'terminated'));
});

test('spot labels buy spot, image-filters pick the newest match, and imds-http-tokens turns IMDSv1 off', async (t) => {
  const { fake, adapter, listing, label } = await awsSetup(t);
  const launch = (name: string, node: string) =>
    run(adapter.getCreateStateMachine({ hostname: `np${node}`, label: label(name), imageExternalId: undefined, metadata: metadata(node), request: request(), az: undefined, instances: listing, log }));
  const spot = (await launch('spot', '1')) as AwsInstanceView;
  t.is(spot.market, 'spot');
  t.like(spot.getQuotaInformation?.()?.toJson(), { 'L-34B43A08': 2 });
  const imds = await launch('imdsv2', '2');
  const byId = new Map(fake.state().instances.map((instance) => [instance.instanceId, instance]));
  t.like(byId.get(spot.externalId), { lifecycle: 'spot', imageId: 'ami-00000000000ab0002' });
  t.like(byId.get(imds.externalId), { metadataHttpTokens: 'required' });
});

test('without spot capacity a spot label fails, unless it may fall back to on-demand', async (t) => {
  const { fake, adapter, listing, label } = await awsSetup(t, { spotCapacity: false });
  const launch = (name: string) => run(adapter.getCreateStateMachine({ hostname: 'np1', label: label(name), imageExternalId: undefined, metadata: metadata('1'), request: request(), az: undefined, instances: listing, log }));
  const error = await t.throwsAsync(launch('spot'));
  t.is(error?.name, 'AwsCapacityError');
  t.is((error as { statsdKey?: string }).statsdKey, 'error.capacity');
  const instance = (await launch('spot-or-not')) as AwsInstanceView;
  t.is(instance.market, 'on-demand');
  t.like(instance.getQuotaInformation?.()?.toJson(), { 'L-1216C47A': 2 });
  t.is(fake.calls().RunInstances, 3);
});

test('quota: vCPU limits per instance family and market from Service Quotas; a label uses its family’s code', async (t) => {
  const { adapter, label } = await awsSetup(t, { quotas: { 'L-1216C47A': 16, 'L-34B43A08': 8, 'L-DB2E81BA': 4 } });
  const limits = await adapter.getQuotaLimits();
  t.is(limits.get('L-1216C47A'), 16);
  t.is(limits.get('L-34B43A08'), 8);
  t.is(limits.get('L-DB2E81BA'), 4);
  t.is(limits.get('cores'), Infinity);
  t.deepEqual((await adapter.getQuotaForLabel(label('gpu'))).toJson(), { cores: 2, ram: 16384, instances: 1, 'L-DB2E81BA': 4 });
});

test('a volume quota refusal is a QuotaError (the launch is aborted, not failed), as in Nodepool 9.0.0', async (t) => {
  const { fake, adapter, listing, label } = await awsSetup(t);
  fake.injectFailure({ action: 'RunInstances', code: 'VolumeLimitExceeded', count: 1 });
  const error = await t.throwsAsync(
    run(adapter.getCreateStateMachine({ hostname: 'np1', label: label('small'), imageExternalId: undefined, metadata: metadata('1'), request: request(), az: undefined, instances: listing, log })),
  );
  t.is(error?.name, 'QuotaError');
});

test('throttled calls back off through the kit’s limiter and then succeed', async (t) => {
  const { fake, adapter, listing, label } = await awsSetup(t);
  fake.injectFailure({ action: 'RunInstances', code: 'RequestLimitExceeded', count: 2 });
  fake.injectFailure({ action: 'DescribeInstances', code: 'RequestLimitExceeded', count: 1 });
  const started = Date.now();
  const instance: Instance = await run(
    adapter.getCreateStateMachine({ hostname: 'np1', label: label('small'), imageExternalId: undefined, metadata: metadata('1'), request: request(), az: undefined, instances: listing, log }),
  );
  t.truthy(instance.externalId);
  t.is(fake.calls()['RunInstances.failed'], 2);
  t.is(fake.state().instances.length, 1, 'one instance, however often the call was refused');
  t.true(Date.now() - started >= 2_000, 'each refusal paused the limiter');
});

test('an instance that ends while booting (a spot interruption) fails the launch with its reason', async (t) => {
  const { fake, adapter, listing, label } = await awsSetup(t, { bootDelayMs: 60_000 });
  const machine = adapter.getCreateStateMachine({ hostname: 'np1', label: label('spot'), imageExternalId: undefined, metadata: metadata('1'), request: request(), az: undefined, instances: listing, log });
  await machine.advance();
  t.is(machine.state, 'waiting for instance');
  fake.terminateInstances([machine.externalId!], { code: 'Server.SpotInstanceTermination', message: 'Spot instance termination' });
  const error = await t.throwsAsync(run(machine));
  t.regex(error!.message, /terminated|shutting-down/);
  t.regex(error!.message, /Spot/);
});

test('dedicated hosts: one allocated per instance, tagged alike, released after it', async (t) => {
  const mac = { name: 'mac', yaml: 'cloud-image: ubuntu\ninstance-type: mac1.metal\nkey-name: zuul\ndedicated-host: true' };
  const { fake, adapter, listing, label } = await awsSetup(t, {}, { pool: '        availability-zone: us-east-1b\n', label: mac });
  const machine = adapter.getCreateStateMachine({ hostname: 'np7', label: label('mac'), imageExternalId: undefined, metadata: metadata('7'), request: request(), az: undefined, instances: listing, log });
  const instance = (await run(machine)) as AwsInstanceView;
  const [host] = fake.state().hosts;
  t.like(host, { state: 'available', availabilityZone: 'us-east-1b' });
  t.is(instance.hostId, host!.hostId);
  t.like(host!.tags, { ...metadata('7'), Name: 'np7' });
  t.deepEqual(Object.keys(instance.getQuotaInformation?.()?.toJson() ?? {}).sort(), ['L-A8448DC5', 'cores', 'instances', 'ram'], 'a host, not vCPUs, against quota');
  await run(adapter.getDeleteStateMachine(instance.externalId, { instances: listing, log }));
  t.is(fake.state().hosts[0]!.state, 'released');

  // A launch that failed between host and instance: its node names the host, which is released.
  fake.injectFailure({ action: 'RunInstances', code: 'InsufficientHostCapacity', count: 1 });
  const failing = adapter.getCreateStateMachine({ hostname: 'np8', label: label('mac'), imageExternalId: undefined, metadata: metadata('8'), request: request(), az: undefined, instances: listing, log });
  await t.throwsAsync(run(failing));
  t.regex(failing.externalId ?? '', /^h-/);
  await run(adapter.getDeleteStateMachine(failing.externalId!, { instances: listing, log }));
  t.true(fake.state().hosts.every((each) => each.state === 'released'));
});

test('leak listing: instances, volumes, AMIs, snapshots and objects with Nodepool’s tags, and nothing else', async (t) => {
  const { fake, adapter, listing } = await awsSetup(t, { buckets: ['images'] }, { bucket: 'images' });
  const ours = metadata('9');
  const instance = fake.addInstance({ tags: ours, rootVolume: false });
  fake.addInstance({ tags: { Name: 'someone-elses' } });
  const volume = fake.addVolume({ tags: ours });
  fake.addVolume({});
  const snapshot = fake.addSnapshot({ tags: { ...ours, nodepool_upload_id: '0001' } });
  const image = fake.addImage({ name: 'leaked', tags: { ...ours, nodepool_upload_id: '0001' }, snapshotId: snapshot.snapshotId });
  fake.addObject({ bucket: 'images', key: 'leaked.raw', body: 'x', tags: { nodepool_provider_name: 'aws', nodepool_upload_id: '0001' } });
  fake.addObject({ bucket: 'images', key: 'mine.txt', body: 'x' });
  const resources = await adapter.listResources({ instances: listing });
  const found = resources.map((resource) => `${resource.type}:${String(resource.id)}`).sort();
  t.deepEqual(found, [`ami:${image.imageId}`, `instance:${instance.instanceId}`, 'object:leaked.raw', `snapshot:${snapshot.snapshotId}`, `volume:${volume.volumeId}`].sort());
  for (const resource of resources) await adapter.deleteResource(resource);
  const state = fake.state();
  t.is(state.instances.find((each) => each.instanceId === instance.instanceId)?.state, 'terminated');
  t.false(state.volumes.some((each) => each.volumeId === volume.volumeId));
  t.false(state.snapshots.some((each) => each.snapshotId === snapshot.snapshotId));
  t.false(state.images.some((each) => each.imageId === image.imageId));
  t.deepEqual(
    state.buckets.flatMap((bucket) => bucket.objects.map((object) => object.key)),
    ['mine.txt'],
  );
});
