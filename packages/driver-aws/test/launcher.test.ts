/**
 * The aws driver under a real launcher and ZooKeeper, with the Zuul-like client, against the
 * fake AWS through the real SDK: launch and delete, spot, quota by instance family, throttling,
 * shared listings, leaked resources, and a launcher killed mid-launch.
 */
import test, { type ExecutionContext } from 'ava';
import { launcherCluster, poolPaused } from '@nodepool/core/testing';
import awsDriver from '@nodepool/driver-aws';
import { EC2_ACTIONS, type FakeAwsHandle } from '@nodepool/driver-aws/testing';
import {
  bootAtOnce,
  cloudLauncherScenario,
  expectHeldAtQuota,
  expectJobsSucceed,
  expectListedOncePerInterval,
  expectQuotaHoldsThird,
  expectSecondSighting,
  expectServed,
  fulfil,
  returnAndWaitDeleted,
  useZooKeeper,
  waitFor,
} from '@nodepool/testkit';
import { awsYaml, useFakeAws } from './helpers.js';

const zk = useZooKeeper(test);
const scenario = cloudLauncherScenario((t) => launcherCluster(t, zk(), [awsDriver]));

/** A launcher on the provider of `awsYaml`, the Zuul-like client and the caches of requests and nodes. */
const cluster = (t: ExecutionContext, fake: FakeAwsHandle, yaml = awsYaml(fake), timings = {}) => scenario.start(t, yaml, { timings });

const ec2Calls = (fake: FakeAwsHandle): number =>
  Object.entries(fake.calls())
    .filter(([action]) => EC2_ACTIONS.includes(action))
    .reduce((sum, [, count]) => sum + count, 0);

test('a job gets a tagged EC2 instance, and the instance is terminated once the job returns it', async (t) => {
  const fake = await useFakeAws(t);
  const { zuul, nodes } = await cluster(t, fake);
  const { request, nodeset, node } = await fulfil(t, zuul, ['small']);
  const record = node.record;
  const [instance] = fake.state().instances;
  t.like(record, { state: 'ready', provider: 'aws', pool: 'main', type: ['small'], external_id: instance!.instanceId, cloud: 'AWS', region: 'us-east-1', username: 'ubuntu', connection_type: 'ssh', connection_port: 22 });
  t.is(record.interface_ip, instance!.publicIpAddress);
  t.is(record.private_ipv4, instance!.privateIpAddress);
  t.like(record.resources, { cores: 1, instances: 1, ram: 4096 });
  t.like(instance!.tags, { nodepool_node_id: node.id, nodepool_pool_name: 'main', nodepool_provider_name: 'aws', Name: `np${node.id}`, team: 'ci', request: request.id });

  await returnAndWaitDeleted(zuul, nodes, nodeset, () => fake.state().instances[0]!.state === 'terminated', 'the used node’s instance was not terminated');
});

test('spot labels get spot instances; a fallback label gets on-demand when spot capacity is short', async (t) => {
  const fake = await useFakeAws(t);
  const { zuul } = await cluster(t, fake);
  t.is((await zuul.runJob(['spot'], { timeoutMs: 20_000 })).result, 'SUCCESS');
  t.is(fake.state().instances[0]!.lifecycle, 'spot');
  fake.configure({ spotCapacity: false });
  t.is((await zuul.runJob(['spot-or-not'], { timeoutMs: 20_000 })).result, 'SUCCESS');
  t.is(fake.state().instances[1]!.lifecycle, null);
  const failed = await zuul.runJob(['spot'], { timeoutMs: 20_000 });
  t.is(failed.result, 'NODE_FAILURE', 'without the fallback, no spot capacity fails the node after its retries');
});

test('beyond the instance family’s vCPU quota, less what others run, requests wait with the pool paused', async (t) => {
  // g4dn.xlarge has 4 vCPUs: the G family's 12 fit three, of which someone else runs one.
  const fake = await useFakeAws(t, { quotas: { 'L-DB2E81BA': 12 } });
  fake.addInstance({ instanceType: 'g4dn.xlarge', tags: { Name: 'someone-elses' } });
  // Quota read afresh at every look, so each look at the waiting request shows as a call.
  const { c, zuul, requests } = await cluster(t, fake, awsYaml(fake), { quotaCacheMs: 0 });
  // Once the third waits, a used node is deleted, which frees its vCPUs for a new instance.
  await expectQuotaHoldsThird(t, { zuul, requests, paused: () => poolPaused(c) }, { label: 'gpu', api: 'EC2', quotaReads: () => fake.calls().ListServiceQuotas ?? 0, launches: () => fake.calls().RunInstances ?? 0 });
  t.like(fake.calls(), { RunInstances: 3, 'RunInstances.failed': undefined });
});

test('a launch EC2 refuses for volume quota is aborted, not failed, and served once the quota is read again', async (t) => {
  const fake = await useFakeAws(t);
  const { zuul, requests } = await cluster(t, fake);
  fake.injectFailure({ action: 'RunInstances', code: 'VolumeLimitExceeded', count: 3 });
  const request = await zuul.requestNodes(['small']);
  await waitFor(() => (fake.calls()['RunInstances.failed'] ?? 0) >= 1, { timeoutMs: 10_000 });
  t.not(requests.get(request.id)?.state, 'failed');
  await expectServed(t, zuul, requests, request);
  t.is(fake.calls()['RunInstances.failed'], 3);
});

test('a pool’s max-resources on a quota code limits it like the cloud’s quota', async (t) => {
  const fake = await useFakeAws(t);
  // t3.medium: 2 vCPUs against the standard on-demand code.
  const { c, zuul, requests } = await cluster(t, fake, awsYaml(fake, { pool: '        max-resources:\n          L-1216C47A: 2\n' }));
  const first = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 20_000 })).state, 'fulfilled');
  const second = await zuul.requestNodes(['small']);
  await expectHeldAtQuota(requests, second, () => poolPaused(c), 'the pool did not pause at max-resources');
  t.is(fake.calls().RunInstances, 1);
  await zuul.returnNodes(await zuul.acceptNodes(first));
  t.is((await zuul.waitForRequest(second, { timeoutMs: 30_000 })).state, 'fulfilled');
  // The returned node is reused; over the whole test nothing was launched beyond max-resources.
  t.is(fake.calls().RunInstances, 1);
});

test('an EC2 that throttles is waited out: every launch succeeds', async (t) => {
  // Throttled by count, not by rate: the same calls are refused however fast the machine runs.
  // RunInstances: calls 1 and 2, then every 4th after them (6 and 10) of the 12 it takes to launch 8.
  const fake = await useFakeAws(t, { throttles: { RunInstances: { first: 2, every: 4 }, DescribeInstances: { first: 1 } } });
  const { zuul } = await cluster(t, fake);
  await expectJobsSucceed(t, zuul, 8);
  t.like(fake.calls(), { RunInstances: 8, 'RunInstances.throttled': 4, 'DescribeInstances.throttled': 1 });
  t.is(fake.state().instances.length, 8);
});

test('however many nodes boot at once, the instances are listed once per interval', async (t) => {
  const fake = await useFakeAws(t, { bootDelayMs: 1_500 });
  const { zuul } = await cluster(t, fake, awsYaml(fake), { cleanupIntervalMs: 60_000 });
  const { counted: calls, elapsedMs } = await bootAtOnce(t, zuul, fake, 'EC2');
  // Listings are shared by every booting node: one per interval (1 s), however many boot.
  const lists = calls.DescribeInstances ?? 0;
  expectListedOncePerInterval(t, lists, elapsedMs);
  t.is(calls.RunInstances, 8);
  // Besides the shared listings, a node costs its launch and little else.
  const perNode = (ec2Calls(fake) - lists) / 8;
  t.true(perNode < 2, `${ec2Calls(fake) - lists} EC2 calls besides listings for 8 nodes`);
});

test('leaked instances, volumes, AMIs, snapshots and objects are deleted, but only once seen on two passes', async (t) => {
  const fake = await useFakeAws(t, { buckets: ['nodepool-images'] });
  const node = { nodepool_node_id: '0000009999', nodepool_pool_name: 'main', nodepool_provider_name: 'aws' };
  const upload = { nodepool_build_id: '0000000001', nodepool_upload_id: '0000009999', nodepool_provider_name: 'aws' };
  const instance = fake.addInstance({ tags: node });
  const volume = fake.addVolume({ tags: node });
  const snapshot = fake.addSnapshot({ tags: upload });
  const image = fake.addImage({ name: 'base-0000000001', tags: upload, snapshotId: snapshot.snapshotId });
  fake.addObject({ bucket: 'nodepool-images', key: 'base-0000000001.raw', body: 'disk', tags: upload });
  const theirs = fake.addInstance({ tags: { ...node, nodepool_provider_name: 'another-provider' } });
  const leaked = () => {
    const state = fake.state();
    return [
      state.instances.some((each) => each.instanceId === instance.instanceId && each.state === 'running'),
      state.volumes.some((each) => each.volumeId === volume.volumeId),
      state.images.some((each) => each.imageId === image.imageId),
      state.snapshots.some((each) => each.snapshotId === snapshot.snapshotId),
      state.buckets[0]!.objects.length > 0,
    ];
  };
  await cluster(t, fake, awsYaml(fake, { bucket: 'nodepool-images' }));
  await waitFor(() => leaked().every((present) => !present), { timeoutMs: 20_000, message: `still there: ${JSON.stringify(leaked())}` });
  // Each cleanup pass lists volumes once; nothing may be deleted before the second pass.
  expectSecondSighting(t, fake.callLog(), 'DescribeVolumes', ['TerminateInstances', 'DeleteVolume', 'DeregisterImage', 'DeleteSnapshot', 'DeleteObject']);
  t.is(fake.state().instances.find((each) => each.instanceId === theirs.instanceId)?.state, 'running', 'another provider’s resources are left alone');
});

test('the instance of a launcher killed mid-launch is deleted by another, which serves the request', async (t) => {
  const fake = await useFakeAws(t, { bootDelayMs: 600_000 });
  await scenario.killedMidLaunch(t, {
    script: new URL('./fixtures/launcher-process.ts', import.meta.url),
    yaml: awsYaml(fake),
    abandoned: () => fake.state().instances[0]!.instanceId,
    afterKill: () => fake.configure({ bootDelayMs: 0 }),
    gone: (id) => fake.state().instances.find((each) => each.instanceId === id)?.state === 'terminated',
    goneMessage: 'the abandoned instance was not terminated',
  });
});
