/**
 * The azure driver under a real launcher and ZooKeeper, with the Zuul-like client, against the
 * fake Azure over HTTPS: launch and delete (public IP, NIC, VM, OS disk), quota (usages, and
 * OperationNotAllowed from ARM), failed provisioning retried, throttling waited out, one listing
 * per interval, leaks of every kind, and a launcher killed mid-launch.
 */
import test, { type ExecutionContext } from 'ava';
import { launcherCluster, poolPaused } from '@nodepool/core/testing';
import azureDriver from '@nodepool/driver-azure';
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
import { azureYaml, useFakeAzure, type Fake } from './helpers.js';

const zk = useZooKeeper(test);
const scenario = cloudLauncherScenario((t) => launcherCluster(t, zk(), [azureDriver]));
const VM = 'Microsoft.Compute/virtualMachines';
const NIC = 'Microsoft.Network/networkInterfaces';
const PIP = 'Microsoft.Network/publicIPAddresses';
const DISK = 'Microsoft.Compute/disks';

/** A launcher on the provider of `azureYaml`, the Zuul-like client and the caches of requests and nodes. */
const cluster = (t: ExecutionContext, fake: Fake, yaml = azureYaml(fake), timings = {}) => scenario.start(t, yaml, { timings });

const calls = callCount;
const nodeResources = (fake: Fake) => fake.state().filter((resource) => [VM, NIC, PIP, DISK].includes(resource.type));

test('a job gets an Azure VM with its NIC and public IP, tagged with Nodepool’s metadata; all are deleted once the job returns it', async (t) => {
  const fake = await useFakeAzure(t);
  const { zuul, nodes } = await cluster(t, fake);
  const { request, nodeset, node } = await fulfil(t, zuul, ['small']);
  const [vm] = fake.resources(VM);
  const [pip] = fake.resources(PIP);
  const [nic] = fake.resources(NIC);
  t.like(node.record, {
    state: 'ready',
    provider: 'azure',
    pool: 'main',
    type: ['small'],
    external_id: `np${node.id}`,
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
  t.deepEqual(node.record.resources, { cores: 2, ram: 4096, instances: 1 });
  const tags = { team: 'ci', request: `for ${request.id}`, nodepool_node_id: node.id, nodepool_pool_name: 'main', nodepool_provider_name: 'azure' };
  for (const resource of [vm, nic, pip]) t.deepEqual(resource!.tags, tags);
  t.is(vm!.name, `np${node.id}`);

  await returnAndWaitDeleted(zuul, nodes, nodeset, () => nodeResources(fake).length === 0, 'the node’s resources were not deleted');
});

test('an IPv6 pool with use-internal-ip gets both address families; the node is reached on its private IPv4', async (t) => {
  const fake = await useFakeAzure(t, { networks: [{ resourceGroup: 'nodepool', name: 'nodepool', subnets: ['default'], ipv6: true }] });
  const { zuul } = await cluster(t, fake, azureYaml(fake, { pool: '        ipv6: true\n        public-ipv6: true\n        use-internal-ip: true\n' }));
  const { node } = await fulfil(t, zuul, ['tiny']);
  const pips = fake.resources(PIP);
  t.deepEqual(pips.map((pip) => pip.name).sort(), [`np${node.id}-pip-IPv4`, `np${node.id}-pip-IPv6`]);
  const configs = fake.resources(NIC)[0]!.properties.ipConfigurations as { name: string; properties: { privateIPAddress: string } }[];
  t.deepEqual(configs.map((config) => config.name), ['nodepool-v4-ip-config', 'nodepool-v6-ip-config']);
  const v6 = pips.find((pip) => pip.name.endsWith('IPv6'))!.properties.ipAddress;
  t.like(node.record, { interface_ip: configs[0]!.properties.privateIPAddress, public_ipv6: v6 });
});

test('beyond the location’s cores quota, requests wait with the pool paused, and are served once a node goes', async (t) => {
  // Standard_B2s has 2 vCPUs: 5 cores hold two nodes.
  const fake = await useFakeAzure(t, { quotas: { cores: 5 } });
  const { c, zuul, requests } = await cluster(t, fake, azureYaml(fake), { quotaCacheMs: 0 });
  await expectQuotaHoldsThird(t, { zuul, requests, paused: () => poolPaused(c) }, { label: 'small', api: 'Azure', quotaReads: () => calls(fake, 'usages.list'), launches: () => calls(fake, 'virtualMachines.createOrUpdate') });
});

test('a VM Azure refuses with OperationNotAllowed for quota aborts the launch (not failed, not declined) and pauses the pool until the quota is read again', async (t) => {
  const fake = await useFakeAzure(t);
  // Every VM refused, however often it is tried, until the faults are cleared.
  fake.injectFault({ operation: 'virtualMachines.createOrUpdate', status: 409, code: 'OperationNotAllowed', message: 'Operation could not be completed as it results in exceeding approved standardBSFamily Cores quota.', every: 1 });
  const { stats, counted } = countingStats();
  const { c, zuul, requests } = await scenario.start(t, azureYaml(fake), { stats });
  const request = await expectAbortedAtQuota(t, { zuul, requests, counted, paused: () => poolPaused(c) }, { provider: 'azure', refusals: () => calls(fake, 'virtualMachines.createOrUpdate.failed'), quotaReads: () => calls(fake, 'usages.list') });

  fake.clearFaults();
  await expectServed(t, zuul, requests, request);
  await waitFor(() => fake.resources(NIC).length === 1 && fake.resources(PIP).length === 1, { timeoutMs: 20_000, message: 'the refused attempts’ NICs and IPs were not deleted' });
});

test('a VM that fails to provision is deleted with its NIC and IP and the launch tried again; after launch-retries the node fails', async (t) => {
  const fake = await useFakeAzure(t);
  const { zuul } = await cluster(t, fake);
  await expectRetriedThenFailed(t, zuul, {
    what: 'the failed VM',
    failBoots: (count) => fake.failBoots({ first: count }),
    launches: () => calls(fake, 'virtualMachines.createOrUpdate'),
    deletions: () => calls(fake, 'virtualMachines.delete'),
    nothingLeft: () => nodeResources(fake).length === 0,
  });
});

test('Azure throttling (429 with Retry-After) and conflicts on deletion are waited out: every job succeeds', async (t) => {
  // By count, not by rate: VM creations 1 and 2, then every 4th; the first listing; a NIC deletion.
  const fake = await useFakeAzure(t);
  fake.injectFault({ operation: 'virtualMachines.createOrUpdate', status: 429, retryAfterS: 0, first: 2, every: 4 });
  fake.injectFault({ operation: 'virtualMachines.list', status: 429, retryAfterS: 1, first: 1 });
  fake.injectFault({ operation: 'networkInterfaces.delete', status: 409, code: 'AnotherOperationInProgress', first: 1 });
  const { zuul } = await cluster(t, fake);
  await expectJobsSucceed(t, zuul, 6);
  t.like(fake.calls(), { 'virtualMachines.createOrUpdate': 6, 'virtualMachines.createOrUpdate.throttled': 3, 'virtualMachines.list.throttled': 1 });
  await waitFor(() => nodeResources(fake).length === 0, { timeoutMs: 30_000, message: 'a node was not deleted after a conflict' });
  t.is(calls(fake, 'networkInterfaces.delete.failed'), 1);
});

test('however many nodes boot at once, VMs are listed once per interval', async (t) => {
  const fake = await useFakeAzure(t, { bootDelayMs: 1_500 });
  const { zuul } = await cluster(t, fake, azureYaml(fake), { cleanupIntervalMs: 600_000 });
  await waitFor(() => calls(fake, 'resourceSkus.list') >= 1, { timeoutMs: 20_000 });
  const { counted, elapsedMs } = await bootAtOnce(t, zuul, fake, 'Azure');
  expectListedOncePerInterval(t, counted['virtualMachines.list'] ?? 0, elapsedMs);
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
  expectSecondSighting(t, fake.callLog(), 'networkInterfaces.list', 'networkInterfaces.delete');
  t.deepEqual(fake.state().filter((resource) => ['theirs', 'untagged'].includes(resource.name)).length, 2, 'others’ resources are left alone');
});

test('the VM of a launcher killed mid-launch is deleted with its NIC and IP by another, which serves the request', async (t) => {
  const fake = await useFakeAzure(t, { bootDelayMs: 600_000 });
  // The VM's name is its NIC's and IP's prefix.
  await scenario.killedMidLaunch(t, {
    script: new URL('./fixtures/launcher-process.ts', import.meta.url),
    yaml: azureYaml(fake),
    launched: () => fake.resources(VM).length === 1,
    abandoned: () => fake.resources(VM)[0]!.name as string,
    afterKill: () => fake.configure({ bootDelayMs: 0 }),
    gone: (name) => !fake.state().some((resource) => String(resource.name).startsWith(name)),
    goneMessage: 'the abandoned node’s resources were not deleted',
  });
  t.is(fake.resources(VM).length, 1, 'only the node that serves the request is left');
});
