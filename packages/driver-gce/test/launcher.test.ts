/**
 * The gce driver under a real launcher and ZooKeeper, with the Zuul-like client, against the
 * fake Compute Engine over HTTP: launch and delete, quota (the region's limits, and
 * QUOTA_EXCEEDED from Compute), failed boots retried, throttling waited out, one listing per
 * interval, leaks, and a launcher killed mid-launch.
 */
import test, { type ExecutionContext } from 'ava';
import { launcherCluster, poolPaused } from '@nodepool/core/testing';
import gceDriver from '@nodepool/driver-gce';
import {
  bootAtOnce,
  callCount,
  cloudLauncherScenario,
  countingStats,
  expectAbortedAtQuota,
  expectJobsSucceed,
  expectListedOncePerInterval,
  expectQuotaHoldsThird,
  expectRetriedThenFailed,
  expectSecondSighting,
  expectServed,
  fulfil,
  returnAndWaitDeleted,
  useZooKeeper,
  waitFor,
} from '@nodepool/testkit';
import { CREDENTIALS_FILE, gceYaml, useFakeGce } from './helpers.js';

const zk = useZooKeeper(test);
const scenario = cloudLauncherScenario((t) => launcherCluster(t, zk(), [gceDriver]));

type Fake = Awaited<ReturnType<typeof useFakeGce>>;
type Json = Record<string, any>;

/** A launcher on the provider of `gceYaml`, the Zuul-like client and the caches of requests and nodes. */
const cluster = (t: ExecutionContext, fake: Fake, yaml = gceYaml(fake), timings = {}) => scenario.start(t, yaml, { timings });

const calls = callCount;
const instances = (fake: Fake): Json[] => fake.state().instances as Json[];

test('a job gets a GCE instance carrying Nodepool’s metadata; it is deleted once the job returns it', async (t) => {
  const fake = await useFakeGce(t);
  const { zuul, nodes } = await cluster(t, fake);
  const { nodeset, node } = await fulfil(t, zuul, ['small']);
  const [instance] = instances(fake);
  const nic = instance!.networkInterfaces[0];
  t.like(node.record, {
    state: 'ready',
    provider: 'gce',
    pool: 'main',
    type: ['small'],
    external_id: `np${node.id}`,
    cloud: 'Google',
    region: 'us-central1',
    az: 'us-central1-a',
    username: 'zuul',
    connection_type: 'ssh',
    connection_port: 22,
    image_id: 'debian',
    public_ipv4: nic.accessConfigs[0].natIP,
    private_ipv4: nic.networkIP,
    interface_ip: nic.accessConfigs[0].natIP,
  });
  t.deepEqual(node.record.resources, { cores: 2, instances: 1, ram: 2048 });
  const items = Object.fromEntries((instance!.metadata.items as { key: string; value: string }[]).map((item) => [item.key, item.value]));
  t.like(items, { nodepool_node_id: node.id, nodepool_pool_name: 'main', nodepool_provider_name: 'gce' });
  t.is(instance!.name, `np${node.id}`);

  await returnAndWaitDeleted(zuul, nodes, nodeset, () => instances(fake).length === 0, 'the instance was not deleted');
  t.like(fake.calls(), { 'instances.insert': 1, 'instances.delete': 1 });
});

test('use-internal-ip: the node is reached on its internal address', async (t) => {
  const fake = await useFakeGce(t);
  const { zuul } = await cluster(t, fake, gceYaml(fake, { pool: '        use-internal-ip: true\n' }));
  const { node } = await fulfil(t, zuul, ['large']);
  const nic = instances(fake)[0]!.networkInterfaces[0];
  t.like(node.record, { interface_ip: nic.networkIP, private_ipv4: nic.networkIP, public_ipv4: nic.accessConfigs[0].natIP, image_id: 'ubuntu', username: 'ubuntu' });
  t.deepEqual(node.record.resources, { cores: 8, instances: 1, ram: 32768 });
});

test('beyond the region’s CPUS quota, requests wait with the pool paused, and are served once a node goes', async (t) => {
  // e2-small has 2 vCPUs: 5 CPUs hold two nodes.
  const fake = await useFakeGce(t, { quotas: { CPUS: 5 } });
  const { c, zuul, requests } = await cluster(t, fake, gceYaml(fake), { quotaCacheMs: 0 });
  await expectQuotaHoldsThird(t, { zuul, requests, paused: () => poolPaused(c) }, { label: 'small', api: 'Compute', quotaReads: () => calls(fake, 'regions.get'), launches: () => calls(fake, 'instances.insert') });
});

test('an insert Compute fails with QUOTA_EXCEEDED aborts the launch (not failed, not declined) and pauses the pool until the quota is read again', async (t) => {
  const fake = await useFakeGce(t);
  // Every insert refused, however often it is tried, until the faults are cleared.
  fake.failBoots({ every: 1, code: 'QUOTA_EXCEEDED', message: "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1." });
  const { stats, counted } = countingStats();
  const { c, zuul, requests } = await scenario.start(t, gceYaml(fake), { stats });
  // The insert is accepted and its operation ends in the error, so every insert counts as a refusal.
  const request = await expectAbortedAtQuota(t, { zuul, requests, counted, paused: () => poolPaused(c) }, { provider: 'gce', refusals: () => calls(fake, 'instances.insert'), quotaReads: () => calls(fake, 'regions.get') });
  t.true(calls(fake, 'zoneOperations.get') >= 1, 'the failed operation was read');

  fake.clearFaults();
  await expectServed(t, zuul, requests, request);
  await waitFor(() => instances(fake).length === 1, { timeoutMs: 20_000, message: 'refused instances were left behind' });
});

test('an instance that fails to come up is deleted and the launch tried again; after launch-retries the node fails', async (t) => {
  const fake = await useFakeGce(t);
  const { zuul } = await cluster(t, fake);
  await expectRetriedThenFailed(t, zuul, {
    what: 'the TERMINATED instance',
    // The boot retried comes up TERMINATED; the two that fail the node fail as the fake does by default.
    failBoots: (count) => fake.failBoots(count === 1 ? { first: 1, mode: 'terminated', message: 'The instance failed to start.' } : { first: count }),
    launches: () => calls(fake, 'instances.insert'),
    deletions: () => calls(fake, 'instances.delete'),
    nothingLeft: () => instances(fake).length === 0,
  });
});

test('a Compute API that throttles (403 and 429 rateLimitExceeded) is waited out: every launch succeeds', async (t) => {
  // By count, not by rate: inserts 1 and 2, then every 4th after them; the first listing.
  const fake = await useFakeGce(t);
  fake.injectFault({ operation: 'instances.insert', status: 429, first: 2, every: 4 });
  fake.injectFault({ operation: 'instances.list', status: 403, first: 1 });
  const { zuul } = await cluster(t, fake);
  await expectJobsSucceed(t, zuul, 6);
  t.like(fake.calls(), { 'instances.insert': 6, 'instances.insert.throttled': 3, 'instances.list.throttled': 1 });
});

test('however many nodes boot at once, instances are listed once per interval and each node costs an insert', async (t) => {
  const fake = await useFakeGce(t, { bootDelayMs: 1_500 });
  const { zuul } = await cluster(t, fake, gceYaml(fake), { cleanupIntervalMs: 600_000 });
  // Start-up reads (machine types, quota) first, so the window holds only the launches.
  await waitFor(() => calls(fake, 'machineTypes.get') >= 2, { timeoutMs: 20_000 });
  const { counted, elapsedMs } = await bootAtOnce(t, zuul, fake, 'Compute');
  const lists = counted['instances.list'] ?? 0;
  expectListedOncePerInterval(t, lists, elapsedMs);
  t.is(counted['instances.insert'], 8);
  t.is(counted['zoneOperations.get'] ?? 0, 0, 'no operation was polled: the listing showed every instance');
  const total = Object.values(counted).reduce((sum, count) => sum + count, 0);
  t.true(total - lists - 8 <= 3, `more than the inserts and the listings: ${JSON.stringify(counted)}`);
});

test('leaked instances are deleted by Nodepool’s metadata, only once seen on two passes; others are left alone', async (t) => {
  const fake = await useFakeGce(t);
  const leak = { nodepool_node_id: '0000009999', nodepool_pool_name: 'main', nodepool_provider_name: 'gce' };
  fake.addInstance({ project: 'nodepool-test', zone: 'us-central1-a', name: 'np0000009999', metadata: leak });
  fake.addInstance({ project: 'nodepool-test', zone: 'us-central1-a', name: 'theirs', metadata: { ...leak, nodepool_provider_name: 'another' } });
  fake.addInstance({ project: 'nodepool-test', zone: 'us-central1-a', name: 'unmanaged' });
  await cluster(t, fake);
  await waitFor(() => !instances(fake).some((each) => each.name === 'np0000009999'), { timeoutMs: 30_000, message: 'the leak stayed' });
  expectSecondSighting(t, fake.callLog(), 'instances.list', 'instances.delete');
  t.deepEqual(instances(fake).map((each) => each.name).sort(), ['theirs', 'unmanaged']);
});

test('the instance of a launcher killed mid-launch is deleted by another, which serves the request', async (t) => {
  const fake = await useFakeGce(t, { bootDelayMs: 600_000 });
  await scenario.killedMidLaunch(t, {
    script: new URL('./fixtures/launcher-process.ts', import.meta.url),
    yaml: gceYaml(fake),
    env: { GOOGLE_APPLICATION_CREDENTIALS: CREDENTIALS_FILE },
    launched: () => instances(fake).length === 1,
    abandoned: () => instances(fake)[0]!.name as string,
    afterKill: () => fake.configure({ bootDelayMs: 0 }),
    gone: (name) => !instances(fake).some((each) => each.name === name),
    goneMessage: 'the abandoned instance was not deleted',
  });
  t.is(instances(fake).length, 1, 'only the node that serves the request is left');
});
