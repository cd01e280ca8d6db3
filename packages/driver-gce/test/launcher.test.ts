/**
 * The gce driver under a real launcher and ZooKeeper, with the Zuul-like client, against the
 * fake Compute Engine over HTTP: launch and delete, quota (the region's limits, and
 * QUOTA_EXCEEDED from Compute), failed boots retried, throttling waited out, one listing per
 * interval, leaks, and a launcher killed mid-launch.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launcherCluster, poolPaused } from '@nodepool/core/testing';
import gceDriver from '@nodepool/driver-gce';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { CREDENTIALS_FILE, gceYaml, useFakeGce } from './helpers.js';

const zk = useZooKeeper(test);

type Fake = Awaited<ReturnType<typeof useFakeGce>>;
type Json = Record<string, any>;

async function cluster(t: ExecutionContext, fake: Fake, yaml = gceYaml(fake), timings = {}) {
  const c = await launcherCluster(t, zk(), [gceDriver]);
  const launcher = await c.launcher(yaml, { timings });
  const zuul = new ZuulClient(await c.client());
  const store = await c.store();
  return { c, launcher, zuul, store, requests: await store.requestCache(), nodes: await store.nodeCache() };
}

const calls = (fake: Fake, name: string): number => fake.calls()[name] ?? 0;
const instances = (fake: Fake): Json[] => fake.state().instances as Json[];

test('a job gets a GCE instance carrying Nodepool’s metadata; it is deleted once the job returns it', async (t) => {
  const fake = await useFakeGce(t);
  const { zuul, nodes } = await cluster(t, fake);
  const request = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const nodeset = await zuul.acceptNodes(request);
  const [node] = nodeset.nodes;
  const [instance] = instances(fake);
  const nic = instance!.networkInterfaces[0];
  t.like(node!.record, {
    state: 'ready',
    provider: 'gce',
    pool: 'main',
    type: ['small'],
    external_id: `np${node!.id}`,
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
  t.deepEqual(node!.record.resources, { cores: 2, instances: 1, ram: 2048 });
  const items = Object.fromEntries((instance!.metadata.items as { key: string; value: string }[]).map((item) => [item.key, item.value]));
  t.like(items, { nodepool_node_id: node!.id, nodepool_pool_name: 'main', nodepool_provider_name: 'gce' });
  t.is(instance!.name, `np${node!.id}`);

  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  await waitFor(() => instances(fake).length === 0, { timeoutMs: 20_000, message: 'the instance was not deleted' });
  await waitFor(() => !nodes.get(node!.id), { timeoutMs: 20_000, message: 'the node record stayed' });
  t.like(fake.calls(), { 'instances.insert': 1, 'instances.delete': 1 });
});

test('use-internal-ip: the node is reached on its internal address', async (t) => {
  const fake = await useFakeGce(t);
  const { zuul } = await cluster(t, fake, gceYaml(fake, { pool: '        use-internal-ip: true\n' }));
  const request = await zuul.requestNodes(['large']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  const nic = instances(fake)[0]!.networkInterfaces[0];
  t.like(node!.record, { interface_ip: nic.networkIP, private_ipv4: nic.networkIP, public_ipv4: nic.accessConfigs[0].natIP, image_id: 'ubuntu', username: 'ubuntu' });
  t.deepEqual(node!.record.resources, { cores: 8, instances: 1, ram: 32768 });
});

test('beyond the region’s CPUS quota, requests wait with the pool paused, and are served once a node goes', async (t) => {
  // e2-small has 2 vCPUs: 5 CPUs hold two nodes.
  const fake = await useFakeGce(t, { quotas: { CPUS: 5 } });
  const { c, zuul, requests } = await cluster(t, fake, gceYaml(fake), { quotaCacheMs: 0 });
  const first = await zuul.requestNodes(['small']);
  const second = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 30_000 })).state, 'fulfilled');
  t.is((await zuul.waitForRequest(second, { timeoutMs: 30_000 })).state, 'fulfilled');
  const third = await zuul.requestNodes(['small']);
  await waitFor(() => requests.get(third.id)?.state === 'pending', { timeoutMs: 20_000 });
  await waitFor(() => poolPaused(c), { timeoutMs: 20_000, message: 'the pool did not pause' });
  const reads = calls(fake, 'regions.get');
  await waitFor(() => calls(fake, 'regions.get') >= reads + 2, { timeoutMs: 30_000, message: 'the launcher did not look at the quota again' });
  t.is(requests.get(third.id)?.state, 'pending', 'still waiting for quota, not failed');
  t.is(calls(fake, 'instances.insert'), 2, 'never asked Compute beyond the quota');

  const nodeset = await zuul.acceptNodes(first);
  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  t.is((await zuul.waitForRequest(third, { timeoutMs: 30_000 })).state, 'fulfilled');
  t.deepEqual(requests.get(third.id)?.declinedBy ?? [], []);
});

test('an insert Compute fails with QUOTA_EXCEEDED aborts the launch (not failed, not declined) and pauses the pool until the quota is read again', async (t) => {
  const fake = await useFakeGce(t);
  // Every insert refused, however often it is tried, until the faults are cleared.
  fake.failBoots({ every: 1, code: 'QUOTA_EXCEEDED', message: "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1." });
  const counted: string[] = [];
  const stats = { enabled: true, increment: (name: string) => void counted.push(name), gauge: () => undefined, timing: () => undefined, close: async () => undefined };
  const c = await launcherCluster(t, zk(), [gceDriver]);
  await c.launcher(gceYaml(fake), { stats });
  const zuul = new ZuulClient(await c.client());
  const requests = await (await c.store()).requestCache();
  const request = await zuul.requestNodes(['small']);
  await waitFor(() => poolPaused(c), { timeoutMs: 30_000, message: 'the pool did not pause after the refusal' });
  // More refusals than launch-retries (2): aborted launches are not failed attempts.
  await waitFor(() => calls(fake, 'instances.insert') >= 3, { timeoutMs: 30_000, message: 'the launch was not tried again' });
  t.is(requests.get(request.id)?.state, 'pending', 'still waiting for quota, not failed');
  t.deepEqual(requests.get(request.id)?.declinedBy ?? [], [], 'never declined');
  t.true(counted.includes('nodepool.launch.provider.gce.error.quota'), 'recorded as aborted at quota');
  t.false(counted.some((name) => /^nodepool\.launch\.provider\.gce\.error\.(?!quota)/.test(name)), `recorded as a failure: ${counted.join(', ')}`);
  t.true(calls(fake, 'zoneOperations.get') >= 1, 'the failed operation was read');
  t.true(calls(fake, 'regions.get') >= 2, 'the quota was read again after the refusal');

  fake.clearFaults();
  t.is((await zuul.waitForRequest(request, { timeoutMs: 40_000 })).state, 'fulfilled');
  t.deepEqual(requests.get(request.id)?.declinedBy ?? [], []);
  await waitFor(() => instances(fake).length === 1, { timeoutMs: 20_000, message: 'refused instances were left behind' });
});

test('an instance that fails to come up is deleted and the launch tried again; after launch-retries the node fails', async (t) => {
  const fake = await useFakeGce(t);
  fake.failBoots({ first: 1, mode: 'terminated', message: 'The instance failed to start.' });
  const { zuul } = await cluster(t, fake);
  t.is((await zuul.runJob(['small'], { timeoutMs: 40_000 })).result, 'SUCCESS');
  t.is(calls(fake, 'instances.insert'), 2);
  t.true(calls(fake, 'instances.delete') >= 1, 'the TERMINATED instance was deleted before the retry');

  fake.failBoots({ first: 2 });
  const failed = await zuul.runJob(['small'], { timeoutMs: 40_000 });
  t.is(failed.result, 'NODE_FAILURE', 'launch-retries: 2 attempts, both failed');
  await waitFor(() => instances(fake).length === 0, { timeoutMs: 20_000, message: 'an instance was left behind' });
});

test('a Compute API that throttles (403 and 429 rateLimitExceeded) is waited out: every launch succeeds', async (t) => {
  // By count, not by rate: inserts 1 and 2, then every 4th after them; the first listing.
  const fake = await useFakeGce(t);
  fake.injectFault({ operation: 'instances.insert', status: 429, first: 2, every: 4 });
  fake.injectFault({ operation: 'instances.list', status: 403, first: 1 });
  const { zuul } = await cluster(t, fake);
  const results = await Promise.all(Array.from({ length: 6 }, () => zuul.runJob(['small'], { timeoutMs: 60_000 })));
  t.deepEqual(results.map((result) => result.result), Array(6).fill('SUCCESS'));
  t.like(fake.calls(), { 'instances.insert': 6, 'instances.insert.throttled': 3, 'instances.list.throttled': 1 });
});

test('however many nodes boot at once, instances are listed once per interval and each node costs an insert', async (t) => {
  const fake = await useFakeGce(t, { bootDelayMs: 1_500 });
  const { zuul } = await cluster(t, fake, gceYaml(fake), { cleanupIntervalMs: 600_000 });
  // Start-up reads (machine types, quota) first, so the window holds only the launches.
  await waitFor(() => calls(fake, 'machineTypes.get') >= 2, { timeoutMs: 20_000 });
  const started = Date.now();
  fake.resetCalls();
  const submitted = await Promise.all(Array.from({ length: 8 }, () => zuul.requestNodes(['small'])));
  for (const request of submitted) t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const counted = fake.calls();
  const elapsed = Date.now() - started;
  t.log(`Compute calls for 8 nodes in ${elapsed} ms: ${JSON.stringify(counted)}`);
  const lists = counted['instances.list'] ?? 0;
  t.true(lists <= Math.ceil(elapsed / 1_000) + 1, `${lists} listings in ${elapsed} ms for 8 booting nodes`);
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
  const log = fake.callLog();
  const listings = log.flatMap((name, index) => (name === 'instances.list' ? [index] : []));
  const deleted = log.indexOf('instances.delete');
  t.true(listings.length >= 2 && deleted > listings[1]!, `deleted (call ${deleted}) before the second listing (calls ${listings.join(', ')})`);
  t.deepEqual(instances(fake).map((each) => each.name).sort(), ['theirs', 'unmanaged']);
});

test('the instance of a launcher killed mid-launch is deleted by another, which serves the request', async (t) => {
  const fake = await useFakeGce(t, { bootDelayMs: 600_000 });
  const c = await launcherCluster(t, zk(), [gceDriver]);
  const body = `zookeeper-timeout: 4\n${gceYaml(fake)}`;
  const file = join(c.dir, 'doomed.yaml');
  await writeFile(file, c.configText(body));
  const script = fileURLToPath(new URL('./fixtures/launcher-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', script, file, 'nl-doomed'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, GOOGLE_APPLICATION_CREDENTIALS: CREDENTIALS_FILE },
  });
  t.teardown(() => child.kill('SIGKILL'));
  const [started] = (await once(child.stdout!, 'data')) as [Buffer];
  t.is(started.toString().trim(), 'started');

  const zuul = new ZuulClient(await c.client());
  const nodes = await (await c.store()).nodeCache();
  const request = await zuul.requestNodes(['small']);
  await waitFor(() => [...nodes.values()].some((node) => node.state === 'building' && node.externalId), { timeoutMs: 20_000 });
  await waitFor(() => instances(fake).length === 1, { timeoutMs: 20_000 });
  const abandoned = instances(fake)[0]!.name as string;
  child.kill('SIGKILL');
  await once(child, 'exit');

  fake.configure({ bootDelayMs: 0 });
  await c.launcher(body, { hostname: 'nl-survivor' });
  t.is((await zuul.waitForRequest(request, { timeoutMs: 40_000 })).state, 'fulfilled');
  await waitFor(() => !instances(fake).some((each) => each.name === abandoned), { timeoutMs: 30_000, message: 'the abandoned instance was not deleted' });
  t.is(instances(fake).length, 1, 'only the node that serves the request is left');
});
