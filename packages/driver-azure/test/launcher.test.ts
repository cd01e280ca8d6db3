/**
 * The azure driver under a real launcher and ZooKeeper, with the Zuul-like client, against the
 * fake Azure over HTTPS: launch and delete (public IP, NIC, VM, OS disk), quota (usages, and
 * OperationNotAllowed from ARM), failed provisioning retried, throttling waited out, one listing
 * per interval, leaks of every kind, and a launcher killed mid-launch.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launcherCluster, poolPaused } from '@nodepool/core/testing';
import azureDriver from '@nodepool/driver-azure';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { azureYaml, useFakeAzure, type Fake } from './helpers.js';

const zk = useZooKeeper(test);
const VM = 'Microsoft.Compute/virtualMachines';
const NIC = 'Microsoft.Network/networkInterfaces';
const PIP = 'Microsoft.Network/publicIPAddresses';
const DISK = 'Microsoft.Compute/disks';

async function cluster(t: ExecutionContext, fake: Fake, yaml = azureYaml(fake), timings = {}) {
  const c = await launcherCluster(t, zk(), [azureDriver]);
  const launcher = await c.launcher(yaml, { timings });
  const zuul = new ZuulClient(await c.client());
  const store = await c.store();
  return { c, launcher, zuul, store, requests: await store.requestCache(), nodes: await store.nodeCache() };
}

const calls = (fake: Fake, name: string): number => fake.calls()[name] ?? 0;
const nodeResources = (fake: Fake) => fake.state().filter((resource) => [VM, NIC, PIP, DISK].includes(resource.type));

test('a job gets an Azure VM with its NIC and public IP, tagged with Nodepool’s metadata; all are deleted once the job returns it', async (t) => {
  const fake = await useFakeAzure(t);
  const { zuul, nodes } = await cluster(t, fake);
  const request = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const nodeset = await zuul.acceptNodes(request);
  const [node] = nodeset.nodes;
  const [vm] = fake.resources(VM);
  const [pip] = fake.resources(PIP);
  const [nic] = fake.resources(NIC);
  t.like(node!.record, {
    state: 'ready',
    provider: 'azure',
    pool: 'main',
    type: ['small'],
    external_id: `np${node!.id}`,
    cloud: 'Azure',
    region: 'eastus',
    username: 'zuul',
    connection_type: 'ssh',
    connection_port: 22,
    image_id: 'jammy',
    public_ipv4: pip!.properties.ipAddress,
    private_ipv4: nic!.properties.ipConfigurations[0].properties.privateIPAddress,
    interface_ip: pip!.properties.ipAddress,
  });
  t.deepEqual(node!.record.resources, { cores: 2, ram: 4096, instances: 1 });
  const tags = { team: 'ci', request: `for ${request.id}`, nodepool_node_id: node!.id, nodepool_pool_name: 'main', nodepool_provider_name: 'azure' };
  for (const resource of [vm, nic, pip]) t.deepEqual(resource!.tags, tags);
  t.is(vm!.name, `np${node!.id}`);

  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  await waitFor(() => nodeResources(fake).length === 0, { timeoutMs: 20_000, message: 'the node’s resources were not deleted' });
  await waitFor(() => !nodes.get(node!.id), { timeoutMs: 20_000, message: 'the node record stayed' });
});

test('an IPv6 pool with use-internal-ip gets both address families; the node is reached on its private IPv4', async (t) => {
  const fake = await useFakeAzure(t, { networks: [{ resourceGroup: 'nodepool', name: 'nodepool', subnets: ['default'], ipv6: true }] });
  const { zuul } = await cluster(t, fake, azureYaml(fake, { pool: '        ipv6: true\n        public-ipv6: true\n        use-internal-ip: true\n' }));
  const request = await zuul.requestNodes(['tiny']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  const pips = fake.resources(PIP);
  t.deepEqual(pips.map((pip) => pip.name).sort(), [`np${node!.id}-pip-IPv4`, `np${node!.id}-pip-IPv6`]);
  const configs = fake.resources(NIC)[0]!.properties.ipConfigurations as { name: string; properties: { privateIPAddress: string } }[];
  t.deepEqual(configs.map((config) => config.name), ['nodepool-v4-ip-config', 'nodepool-v6-ip-config']);
  const v6 = pips.find((pip) => pip.name.endsWith('IPv6'))!.properties.ipAddress;
  t.like(node!.record, { interface_ip: configs[0]!.properties.privateIPAddress, public_ipv6: v6 });
});

test('beyond the location’s cores quota, requests wait with the pool paused, and are served once a node goes', async (t) => {
  // Standard_B2s has 2 vCPUs: 5 cores hold two nodes.
  const fake = await useFakeAzure(t, { quotas: { cores: 5 } });
  const { c, zuul, requests } = await cluster(t, fake, azureYaml(fake), { quotaCacheMs: 0 });
  const first = await zuul.requestNodes(['small']);
  const second = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 30_000 })).state, 'fulfilled');
  t.is((await zuul.waitForRequest(second, { timeoutMs: 30_000 })).state, 'fulfilled');
  const third = await zuul.requestNodes(['small']);
  await waitFor(() => requests.get(third.id)?.state === 'pending', { timeoutMs: 20_000 });
  await waitFor(() => poolPaused(c), { timeoutMs: 20_000, message: 'the pool did not pause' });
  const reads = calls(fake, 'usages.list');
  await waitFor(() => calls(fake, 'usages.list') >= reads + 2, { timeoutMs: 30_000, message: 'the launcher did not look at the quota again' });
  t.is(requests.get(third.id)?.state, 'pending', 'still waiting for quota, not failed');
  t.is(calls(fake, 'virtualMachines.createOrUpdate'), 2, 'never asked Azure beyond the quota');

  const nodeset = await zuul.acceptNodes(first);
  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  t.is((await zuul.waitForRequest(third, { timeoutMs: 30_000 })).state, 'fulfilled');
  t.deepEqual(requests.get(third.id)?.declinedBy ?? [], []);
});

test('a VM Azure refuses with OperationNotAllowed for quota aborts the launch (not failed, not declined) and pauses the pool until the quota is read again', async (t) => {
  const fake = await useFakeAzure(t);
  // Every VM refused, however often it is tried, until the faults are cleared.
  fake.injectFault({ operation: 'virtualMachines.createOrUpdate', status: 409, code: 'OperationNotAllowed', message: 'Operation could not be completed as it results in exceeding approved standardBSFamily Cores quota.', every: 1 });
  const counted: string[] = [];
  const stats = { enabled: true, increment: (name: string) => void counted.push(name), gauge: () => undefined, timing: () => undefined, close: async () => undefined };
  const c = await launcherCluster(t, zk(), [azureDriver]);
  await c.launcher(azureYaml(fake), { stats });
  const zuul = new ZuulClient(await c.client());
  const requests = await (await c.store()).requestCache();
  const request = await zuul.requestNodes(['small']);
  await waitFor(() => poolPaused(c), { timeoutMs: 30_000, message: 'the pool did not pause after the refusal' });
  // More refusals than launch-retries (2): aborted launches are not failed attempts.
  await waitFor(() => calls(fake, 'virtualMachines.createOrUpdate.failed') >= 3, { timeoutMs: 30_000, message: 'the launch was not tried again' });
  t.is(requests.get(request.id)?.state, 'pending', 'still waiting for quota, not failed');
  t.deepEqual(requests.get(request.id)?.declinedBy ?? [], [], 'never declined');
  t.true(counted.includes('nodepool.launch.provider.azure.error.quota'), 'recorded as aborted at quota');
  t.false(counted.some((name) => /^nodepool\.launch\.provider\.azure\.error\.(?!quota)/.test(name)), `recorded as a failure: ${counted.join(', ')}`);
  t.true(calls(fake, 'usages.list') >= 2, 'the quota was read again after the refusal');

  fake.clearFaults();
  t.is((await zuul.waitForRequest(request, { timeoutMs: 40_000 })).state, 'fulfilled');
  t.deepEqual(requests.get(request.id)?.declinedBy ?? [], []);
  await waitFor(() => fake.resources(NIC).length === 1 && fake.resources(PIP).length === 1, { timeoutMs: 20_000, message: 'the refused attempts’ NICs and IPs were not deleted' });
});

test('a VM that fails to provision is deleted with its NIC and IP and the launch tried again; after launch-retries the node fails', async (t) => {
  const fake = await useFakeAzure(t);
  fake.failBoots({ first: 1 });
  const { zuul } = await cluster(t, fake);
  t.is((await zuul.runJob(['small'], { timeoutMs: 40_000 })).result, 'SUCCESS');
  t.is(calls(fake, 'virtualMachines.createOrUpdate'), 2);
  t.true(calls(fake, 'virtualMachines.delete') >= 1, 'the failed VM was deleted before the retry');

  fake.failBoots({ first: 2 });
  const failed = await zuul.runJob(['small'], { timeoutMs: 40_000 });
  t.is(failed.result, 'NODE_FAILURE', 'launch-retries: 2 attempts, both failed');
  await waitFor(() => nodeResources(fake).length === 0, { timeoutMs: 20_000, message: 'something of a failed node was left behind' });
});

test('Azure throttling (429 with Retry-After) and conflicts on deletion are waited out: every job succeeds', async (t) => {
  // By count, not by rate: VM creations 1 and 2, then every 4th; the first listing; a NIC deletion.
  const fake = await useFakeAzure(t);
  fake.injectFault({ operation: 'virtualMachines.createOrUpdate', status: 429, retryAfterS: 0, first: 2, every: 4 });
  fake.injectFault({ operation: 'virtualMachines.list', status: 429, retryAfterS: 1, first: 1 });
  fake.injectFault({ operation: 'networkInterfaces.delete', status: 409, code: 'AnotherOperationInProgress', first: 1 });
  const { zuul } = await cluster(t, fake);
  const results = await Promise.all(Array.from({ length: 6 }, () => zuul.runJob(['small'], { timeoutMs: 60_000 })));
  t.deepEqual(results.map((result) => result.result), Array(6).fill('SUCCESS'));
  t.like(fake.calls(), { 'virtualMachines.createOrUpdate': 6, 'virtualMachines.createOrUpdate.throttled': 3, 'virtualMachines.list.throttled': 1 });
  await waitFor(() => nodeResources(fake).length === 0, { timeoutMs: 30_000, message: 'a node was not deleted after a conflict' });
  t.is(calls(fake, 'networkInterfaces.delete.failed'), 1);
});

test('however many nodes boot at once, VMs are listed once per interval', async (t) => {
  const fake = await useFakeAzure(t, { bootDelayMs: 1_500 });
  const { zuul } = await cluster(t, fake, azureYaml(fake), { cleanupIntervalMs: 600_000 });
  await waitFor(() => calls(fake, 'resourceSkus.list') >= 1, { timeoutMs: 20_000 });
  const started = Date.now();
  fake.resetCalls();
  const submitted = await Promise.all(Array.from({ length: 8 }, () => zuul.requestNodes(['small'])));
  for (const request of submitted) t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const counted = fake.calls();
  const elapsed = Date.now() - started;
  t.log(`Azure calls for 8 nodes in ${elapsed} ms: ${JSON.stringify(counted)}`);
  const lists = counted['virtualMachines.list'] ?? 0;
  t.true(lists <= Math.ceil(elapsed / 1_000) + 1, `${lists} listings in ${elapsed} ms for 8 booting nodes`);
  t.like(counted, { 'virtualMachines.createOrUpdate': 8, 'networkInterfaces.createOrUpdate': 8, 'publicIPAddresses.createOrUpdate': 8 });
  t.is(counted['virtualMachines.get'] ?? 0, 0, 'no VM was read by itself');
});

test('leaked VMs, NICs, public IPs, disks and images are deleted by Nodepool’s tags, only once seen on two passes', async (t) => {
  const fake = await useFakeAzure(t);
  const leak = { nodepool_node_id: '0000009999', nodepool_pool_name: 'main', nodepool_provider_name: 'azure' };
  const upload = { nodepool_build_id: '0000000001', nodepool_upload_id: '0000009999', nodepool_provider_name: 'azure' };
  for (const kind of ['vm', 'nic', 'pip', 'disk'] as const) fake.addLeak({ resourceGroup: 'nodepool-nodes', location: 'eastus', kind, name: `leak-${kind}`, tags: leak });
  fake.addLeak({ resourceGroup: 'nodepool-nodes', location: 'eastus', kind: 'image', name: 'leak-image', tags: upload });
  fake.addLeak({ resourceGroup: 'nodepool-nodes', location: 'eastus', kind: 'vm', name: 'theirs', tags: { ...leak, nodepool_provider_name: 'another' } });
  fake.addLeak({ resourceGroup: 'nodepool-nodes', location: 'eastus', kind: 'disk', name: 'untagged' });
  await cluster(t, fake);
  await waitFor(() => !fake.state().some((resource) => String(resource.name).startsWith('leak-')), { timeoutMs: 30_000, message: 'leaks stayed' });
  const log = fake.callLog();
  const listings = log.flatMap((name, index) => (name === 'networkInterfaces.list' ? [index] : []));
  const deleted = log.indexOf('networkInterfaces.delete');
  t.true(listings.length >= 2 && deleted > listings[1]!, `deleted (call ${deleted}) before the second listing (calls ${listings.join(', ')})`);
  t.deepEqual(fake.state().filter((resource) => ['theirs', 'untagged'].includes(resource.name)).length, 2, 'others’ resources are left alone');
});

test('the VM of a launcher killed mid-launch is deleted with its NIC and IP by another, which serves the request', async (t) => {
  const fake = await useFakeAzure(t, { bootDelayMs: 600_000 });
  const c = await launcherCluster(t, zk(), [azureDriver]);
  const body = `zookeeper-timeout: 4\n${azureYaml(fake)}`;
  const file = join(c.dir, 'doomed.yaml');
  await writeFile(file, c.configText(body));
  const script = fileURLToPath(new URL('./fixtures/launcher-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', script, file, 'nl-doomed'], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  t.teardown(() => child.kill('SIGKILL'));
  const [started] = (await once(child.stdout!, 'data')) as [Buffer];
  t.is(started.toString().trim(), 'started');

  const zuul = new ZuulClient(await c.client());
  const nodes = await (await c.store()).nodeCache();
  const request = await zuul.requestNodes(['small']);
  await waitFor(() => fake.resources(VM).length === 1, { timeoutMs: 20_000 });
  await waitFor(() => [...nodes.values()].some((node) => node.state === 'building' && node.externalId), { timeoutMs: 20_000 });
  const abandoned = fake.resources(VM)[0]!.name as string;
  child.kill('SIGKILL');
  await once(child, 'exit');

  fake.configure({ bootDelayMs: 0 });
  await c.launcher(body, { hostname: 'nl-survivor' });
  t.is((await zuul.waitForRequest(request, { timeoutMs: 40_000 })).state, 'fulfilled');
  await waitFor(() => !fake.state().some((resource) => String(resource.name).startsWith(abandoned)), { timeoutMs: 30_000, message: 'the abandoned node’s resources were not deleted' });
  t.is(fake.resources(VM).length, 1, 'only the node that serves the request is left');
});
