/**
 * The ibmvpc driver under a real launcher and a real (TLS) ZooKeeper, with the Zuul-like client,
 * against the fake IBM Cloud over HTTP: launch and delete with floating IPs, quota, boot
 * failures retried, throttling waited out, one listing per interval, IAM tokens renewed, leaks
 * of every kind, and a launcher killed mid-launch.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launcherCluster, poolPaused } from '@nodepool/core/testing';
import ibmVpcDriver from '@nodepool/driver-ibmvpc';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { ibmvpcYaml, useFakeIbmVpc } from './helpers.js';

const zk = useZooKeeper(test, { tls: true });

type Fake = Awaited<ReturnType<typeof useFakeIbmVpc>>;

/** A launcher on `yaml`, the Zuul-like client and the caches of requests and nodes. */
async function cluster(t: ExecutionContext, fake: Fake, yaml = ibmvpcYaml(fake), timings = {}) {
  const c = await launcherCluster(t, zk(), [ibmVpcDriver]);
  const launcher = await c.launcher(yaml, { timings });
  const zuul = new ZuulClient(await c.client());
  const store = await c.store();
  return { c, launcher, zuul, store, requests: await store.requestCache(), nodes: await store.nodeCache() };
}

const calls = (fake: Fake, name: string): number => fake.calls()[name] ?? 0;

test('a job gets a VPC instance with a floating IP, named and grouped as Nodepool 9.0.0 does; both go once the job returns it', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const { zuul, nodes } = await cluster(t, fake);
  const request = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 20_000 })).state, 'fulfilled');
  const nodeset = await zuul.acceptNodes(request);
  const [node] = nodeset.nodes;
  const state = fake.state();
  const [vm] = state.instances;
  const [fip] = state.floatingIps;
  t.like(node!.record, {
    state: 'ready',
    provider: 'ibmvpc',
    pool: 'main',
    type: ['small'],
    external_id: `np${node!.id}`,
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
  t.is(vm!.name, `np${node!.id}`);
  t.is(fip!.name, `np${node!.id}`);
  t.is(state.resourceGroups.find((group) => group.id === vm!.resourceGroupId)!.name, 'np_ibmvpc_main');

  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  await waitFor(() => fake.state().instances.length === 0, { timeoutMs: 20_000, message: 'the instance was not deleted' });
  await waitFor(() => !nodes.get(node!.id), { timeoutMs: 20_000, message: 'the node record stayed' });
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
  await waitFor(() => requests.get(second.id)?.state === 'pending', { timeoutMs: 20_000 });
  await waitFor(() => poolPaused(c), { timeoutMs: 20_000, message: 'the pool did not pause at 4 cores' });
  t.is(calls(fake, 'vpc.POST.instances'), 2, 'two cx2-2x4 use the 4 cores');
  await zuul.useNodes(held, { projectName: 'example.org/app' });
  await zuul.returnNodes(held);
  t.is((await zuul.waitForRequest(second, { timeoutMs: 30_000 })).state, 'fulfilled');
});

test('an instance that fails to boot is deleted and the launch tried again; after launch-retries the node fails, leaving nothing', async (t) => {
  const fake = await useFakeIbmVpc(t);
  fake.failBoots({ first: 1 });
  const { zuul } = await cluster(t, fake);
  t.is((await zuul.runJob(['small'], { timeoutMs: 30_000 })).result, 'SUCCESS');
  t.like(fake.calls(), { 'vpc.POST.instances': 2, 'vpc.POST.floating_ips': 2 });
  t.true(calls(fake, 'vpc.DELETE.instance') >= 1, 'the failed instance was deleted before the retry');

  fake.failBoots({ first: 2 });
  t.is((await zuul.runJob(['small'], { timeoutMs: 30_000 })).result, 'NODE_FAILURE', 'launch-retries: 2 attempts, both failed');
  await waitFor(() => fake.state().instances.length === 0 && fake.state().floatingIps.length === 0, { timeoutMs: 20_000, message: 'a failed attempt was left behind' });
});

test('an IBM Cloud that throttles (429 with Retry-After) is waited out: every launch succeeds', async (t) => {
  // By count, not by rate: the same calls are refused however fast the machine runs.
  const fake = await useFakeIbmVpc(t);
  fake.injectFault({ operation: 'vpc.POST.instances', status: 429, retryAfterS: 0, first: 2, every: 4 });
  fake.injectFault({ operation: 'vpc.GET.instances', status: 429, retryAfterS: 0, first: 1 });
  const { zuul } = await cluster(t, fake);
  const results = await Promise.all(Array.from({ length: 6 }, () => zuul.runJob(['small'], { timeoutMs: 60_000 })));
  t.deepEqual(results.map((result) => result.result), Array(6).fill('SUCCESS'));
  // 6 instances take 9 tries: 2 throttled first, then the 4th and 8th of the 7 that follow.
  t.like(fake.calls(), { 'vpc.POST.instances': 6, 'vpc.POST.instances.throttled': 3, 'vpc.GET.instances.throttled': 1 });
});

test('however many nodes boot at once, instances and floating IPs are listed once per interval', async (t) => {
  const fake = await useFakeIbmVpc(t, { bootDelayMs: 1_500 });
  const { zuul } = await cluster(t, fake, ibmvpcYaml(fake), { cleanupIntervalMs: 600_000 });
  const started = Date.now();
  fake.resetCalls();
  const submitted = await Promise.all(Array.from({ length: 8 }, () => zuul.requestNodes(['small'])));
  for (const request of submitted) t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const counted = fake.calls();
  const elapsed = Date.now() - started;
  t.log(`IBM Cloud calls for 8 nodes in ${elapsed} ms: ${JSON.stringify(counted)}`);
  const bound = Math.ceil(elapsed / 1_000) + 1;
  t.true((counted['vpc.GET.instances'] ?? 0) <= bound, `${counted['vpc.GET.instances']} instance listings in ${elapsed} ms`);
  t.true((counted['vpc.GET.floating_ips'] ?? 0) <= bound, `${counted['vpc.GET.floating_ips']} floating IP listings in ${elapsed} ms`);
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
  const secondSighting = (list: string, deletion: string) => {
    const listings = log.flatMap((name, index) => (name === list ? [index] : []));
    const deleted = log.indexOf(deletion);
    t.true(listings.length >= 2 && deleted > listings[1]!, `${deletion} (call ${deleted}) before the second ${list} (calls ${listings.join(', ')})`);
  };
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
  const c = await launcherCluster(t, zk(), [ibmVpcDriver]);
  const body = `zookeeper-timeout: 4.0\n${ibmvpcYaml(fake)}`;
  const file = join(c.dir, 'doomed.yaml');
  await writeFile(file, c.configText(body).replace('zookeeper-timeout: 10\n', ''));
  const script = fileURLToPath(new URL('./fixtures/launcher-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', script, file, 'nl-doomed'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  const [started] = (await once(child.stdout!, 'data')) as [Buffer];
  t.is(started.toString().trim(), 'started');

  const zuul = new ZuulClient(await c.client());
  const nodes = await (await c.store()).nodeCache();
  const request = await zuul.requestNodes(['small']);
  await waitFor(() => fake.state().instances.length === 1, { timeoutMs: 20_000 });
  const [abandoned] = fake.state().instances;
  child.kill('SIGKILL');
  await once(child, 'exit');

  fake.configure({ bootDelayMs: 0 });
  await c.launcher(body.replace('zookeeper-timeout: 4.0\n', ''), { hostname: 'nl-survivor' });
  t.is((await zuul.waitForRequest(request, { timeoutMs: 40_000 })).state, 'fulfilled');
  await waitFor(() => !fake.state().instances.some((each) => each.id === abandoned!.id), { timeoutMs: 30_000, message: 'the abandoned instance was not deleted' });
  t.is(fake.state().instances.length, 1, 'only the node that serves the request is left');
  t.true([...nodes.values()].every((node) => node.state !== 'building'));
});
