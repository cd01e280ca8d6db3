/**
 * The ibmvpc driver under a real launcher and a real (TLS) ZooKeeper, with the Zuul-like client,
 * against the fake IBM Cloud over HTTP: launch and delete with floating IPs, quota, boot
 * failures retried, throttling waited out, one listing per interval, IAM tokens renewed, leaks
 * of every kind, and a launcher killed mid-launch.
 */
import test, { type ExecutionContext } from 'ava';
import { launcherCluster, poolPaused } from '@nodepool/core/testing';
import ibmVpcDriver from '@nodepool/driver-ibmvpc';
import {
  bootAtOnce,
  callCount,
  cloudLauncherScenario,
  expectHeldAtQuota,
  expectJobsSucceed,
  expectListedOncePerInterval,
  expectRetriedThenFailed,
  expectSecondSighting,
  finishJob,
  fulfil,
  returnAndWaitDeleted,
  useZooKeeper,
  waitFor,
} from '@nodepool/testkit';
import { ibmvpcYaml, useFakeIbmVpc } from './helpers.js';

const zk = useZooKeeper(test, { tls: true });
const scenario = cloudLauncherScenario((t) => launcherCluster(t, zk(), [ibmVpcDriver]));

type Fake = Awaited<ReturnType<typeof useFakeIbmVpc>>;

/** A launcher on `yaml`, the Zuul-like client and the caches of requests and nodes. */
const cluster = (t: ExecutionContext, fake: Fake, yaml = ibmvpcYaml(fake), timings = {}) => scenario.start(t, yaml, { timings });

const calls = callCount;

test('a job gets a VPC instance with a floating IP, named and grouped as Nodepool 9.0.0 does; both go once the job returns it', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const { zuul, nodes } = await cluster(t, fake);
  const { nodeset, node } = await fulfil(t, zuul, ['small']);
  const state = fake.state();
  const [vm] = state.instances;
  const [fip] = state.floatingIps;
  t.like(node.record, {
    state: 'ready',
    provider: 'ibmvpc',
    pool: 'main',
    type: ['small'],
    external_id: `np${node.id}`,
    cloud: 'IBM',
    region: 'us-south',
    az: 'us-south-1',
    username: 'ubuntu',
    connection_type: 'ssh',
    connection_port: 22,
    image_id: 'ubuntu',
    public_ipv4: fip!.address,
    interface_ip: fip!.address,
    private_ipv4: vm!.privateAddress,
    resources: { cores: 2, instances: 1, ram: 4096 },
  });
  t.is(vm!.name, `np${node.id}`);
  t.is(fip!.name, `np${node.id}`);
  t.is(state.resourceGroups.find((group) => group.id === vm!.resourceGroupId)!.name, 'np_ibmvpc_main');

  await returnAndWaitDeleted(zuul, nodes, nodeset, () => fake.state().instances.length === 0, 'the instance was not deleted');
  t.deepEqual(fake.state().floatingIps, [], 'the floating IP went with the node');
  t.like(fake.calls(), { 'vpc.POST.floating_ips': 1, 'vpc.POST.instances': 1, 'vpc.PUT.instance_network_interface_floating_ip': 1, 'vpc.DELETE.floating_ip': 1, 'vpc.DELETE.instance': 1 });
  t.false(fake.callLog().some((call) => call === 'vpc.GET.instance' || call === 'vpc.GET.floating_ip'), 'progress comes from the shared listing, never read node by node');
});

test('without public-ipv4 the node is reached on its private address and no floating IP is made', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const { zuul } = await cluster(t, fake, ibmvpcYaml(fake).replace('        public-ipv4: true\n', ''));
  const { result, nodeIds } = await zuul.runJob(['filtered'], { timeoutMs: 20_000 });
  t.is(result, 'SUCCESS');
  t.is(nodeIds.length, 1);
  t.is(calls(fake, 'vpc.POST.floating_ips'), 0);
});

test('the stated quota holds requests back with the pool paused, until a node goes', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const { c, zuul, requests } = await cluster(t, fake, ibmvpcYaml(fake, { extra: '    quota:\n      cores: 4\n' }));
  const first = await zuul.requestNodes(['small', 'small']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 20_000 })).state, 'fulfilled');
  const held = await zuul.acceptNodes(first);
  const second = await zuul.requestNodes(['small']);
  await expectHeldAtQuota(requests, second, () => poolPaused(c), 'the pool did not pause at 4 cores');
  t.is(calls(fake, 'vpc.POST.instances'), 2, 'two cx2-2x4 use the 4 cores');
  await finishJob(zuul, held);
  t.is((await zuul.waitForRequest(second, { timeoutMs: 30_000 })).state, 'fulfilled');
});

test('an instance that fails to boot is deleted and the launch tried again; after launch-retries the node fails, leaving nothing', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const { zuul } = await cluster(t, fake);
  await expectRetriedThenFailed(t, zuul, {
    what: 'the failed instance',
    failBoots: (count) => fake.failBoots({ first: count }),
    launches: () => calls(fake, 'vpc.POST.instances'),
    deletions: () => calls(fake, 'vpc.DELETE.instance'),
    afterRetry: () => t.is(calls(fake, 'vpc.POST.floating_ips'), 2, 'a floating IP per attempt'),
    nothingLeft: () => fake.state().instances.length === 0 && fake.state().floatingIps.length === 0,
  });
});

test('an IBM Cloud that throttles (429 with Retry-After) is waited out: every launch succeeds', async (t) => {
  // By count, not by rate: the same calls are refused however fast the machine runs.
  const fake = await useFakeIbmVpc(t);
  fake.injectFault({ operation: 'vpc.POST.instances', status: 429, retryAfterS: 0, first: 2, every: 4 });
  fake.injectFault({ operation: 'vpc.GET.instances', status: 429, retryAfterS: 0, first: 1 });
  const { zuul } = await cluster(t, fake);
  await expectJobsSucceed(t, zuul, 6);
  // 6 instances take 9 tries: 2 throttled first, then the 4th and 8th of the 7 that follow.
  t.like(fake.calls(), { 'vpc.POST.instances': 6, 'vpc.POST.instances.throttled': 3, 'vpc.GET.instances.throttled': 1 });
});

test('however many nodes boot at once, instances and floating IPs are listed once per interval', async (t) => {
  const fake = await useFakeIbmVpc(t, { bootDelayMs: 1_500 });
  const { zuul } = await cluster(t, fake, ibmvpcYaml(fake), { cleanupIntervalMs: 600_000 });
  const { counted, elapsedMs } = await bootAtOnce(t, zuul, fake, 'IBM Cloud');
  expectListedOncePerInterval(t, counted['vpc.GET.instances'] ?? 0, elapsedMs, 'instance listings');
  expectListedOncePerInterval(t, counted['vpc.GET.floating_ips'] ?? 0, elapsedMs, 'floating IP listings');
  // Per node: its floating IP, its instance and the binding; everything else is shared.
  t.like(counted, { 'vpc.POST.floating_ips': 8, 'vpc.POST.instances': 8, 'vpc.PUT.instance_network_interface_floating_ip': 8 });
});

test('a refused IAM token is renewed: calls after a revocation succeed with a fresh one', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const { zuul } = await cluster(t, fake);
  t.is((await zuul.runJob(['small'], { timeoutMs: 20_000 })).result, 'SUCCESS');
  const issued = fake.tokensIssued();
  fake.revokeTokens();
  t.is((await zuul.runJob(['small'], { timeoutMs: 20_000 })).result, 'SUCCESS');
  t.true(fake.tokensIssued() > issued, 'a new token was fetched');
});

test('leaked instances, floating IPs, images and staged files are deleted, but only once seen on two passes; others are left alone', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const vm = fake.addInstance({ name: 'np9999999999', resourceGroup: 'np_ibmvpc_main' });
  const fip = fake.addFloatingIp({ name: 'np9999999998', resourceGroup: 'np_ibmvpc_main' });
  const image = fake.addImage({ name: 'npimage9999999997', resourceGroup: 'npimages_ibmvpc' });
  fake.putObject('nodepool-images', 'npimage9999999996.qcow2', 'leftover');
  // Not leaks: someone else's instance, another provider's, a floating IP of nobody's.
  const theirs = fake.addInstance({ name: 'np9999999995', resourceGroup: 'np_elsewhere_main' });
  const unrelated = fake.addInstance({ name: 'web-1' });
  const nobodys = fake.addFloatingIp({ name: 'gateway' });
  const leaked = () => {
    const state = fake.state();
    return {
      vm: state.instances.some((each) => each.id === vm.id),
      fip: state.floatingIps.some((each) => each.id === fip.id),
      image: state.images.some((each) => each.id === image.id),
      object: state.buckets[0]!.objects.length > 0,
    };
  };
  await cluster(t, fake);
  await waitFor(() => Object.values(leaked()).every((present) => !present), { timeoutMs: 30_000, message: `still there: ${JSON.stringify(leaked())}` });
  const log = fake.callLog();
  const secondSighting = (list: string, deletion: string) => expectSecondSighting(t, log, list, deletion);
  secondSighting('vpc.GET.instances', 'vpc.DELETE.instance');
  secondSighting('vpc.GET.floating_ips', 'vpc.DELETE.floating_ip');
  secondSighting('vpc.GET.images', 'vpc.DELETE.image');
  secondSighting('cos.GET.objects', 'cos.DELETE.object');
  const state = fake.state();
  for (const kept of [theirs, unrelated]) t.true(state.instances.some((each) => each.id === kept.id && each.status === 'running'), `${kept.name} is left alone`);
  t.true(state.floatingIps.some((each) => each.id === nobodys.id));
  t.true(state.images.some((each) => each.visibility === 'public'));
});

test('the instance of a launcher killed mid-launch is deleted by another, which serves the request', async (t) => {
  const fake = await useFakeIbmVpc(t, { bootDelayMs: 600_000 });
  const { nodes } = await scenario.killedMidLaunch(t, {
    script: new URL('./fixtures/launcher-process.ts', import.meta.url),
    yaml: ibmvpcYaml(fake),
    survivorSession: 'cluster',
    launched: () => fake.state().instances.length === 1,
    abandoned: () => fake.state().instances[0]!.id,
    afterKill: () => fake.configure({ bootDelayMs: 0 }),
    gone: (id) => !fake.state().instances.some((each) => each.id === id),
    goneMessage: 'the abandoned instance was not deleted',
  });
  t.is(fake.state().instances.length, 1, 'only the node that serves the request is left');
  // The record goes to `deleting` before the instance is deleted; this client's cache may
  // hear of it a moment after the fake's state shows the instance gone.
  await waitFor(() => [...nodes.values()].every((node) => node.state !== 'building'), { timeoutMs: 30_000, message: 'the abandoned node stayed building' });
});
