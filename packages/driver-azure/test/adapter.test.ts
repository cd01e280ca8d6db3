/**
 * The azure adapter against the fake Azure over HTTPS, through @azure/identity (client
 * credentials from the auth-path file), @azure/arm-compute and @azure/arm-network: the
 * resources of a node and their tags, listings, quota, errors, throttling and leak resources.
 */
import test from 'ava';
import { getLogger, QuotaError, type Instance, type NodeRequest } from '@nodepool/core';
import { azureSetup, runMachine } from './helpers.js';

const log = getLogger('test.driver-azure');
const request = { id: '200-0000000001', nodeTypes: ['small'] } as unknown as NodeRequest;
const metadata = { nodepool_node_id: '0000000001', nodepool_pool_name: 'main', nodepool_provider_name: 'azure' };
const VM = 'Microsoft.Compute/virtualMachines';
const NIC = 'Microsoft.Network/networkInterfaces';
const PIP = 'Microsoft.Network/publicIPAddresses';
const DISK = 'Microsoft.Compute/disks';

test('creates a public IP, a NIC and a VM as 9.0.0 names and tags them; deletes them all', async (t) => {
  const { fake, adapter, listing, label } = await azureSetup(t);
  const create = adapter.getCreateStateMachine({ hostname: 'np0000000001', label: label('small'), imageExternalId: undefined, metadata, request, az: undefined, instances: listing, log });
  const instance = await runMachine<Instance>(create);
  const [vm] = fake.resources(VM);
  const [nic] = fake.resources(NIC);
  const [pip] = fake.resources(PIP);
  const tags = { team: 'ci', request: 'for 200-0000000001', ...metadata };
  t.like(vm, { name: 'np0000000001', location: 'eastus', tags, properties: { provisioningState: 'Succeeded', hardwareProfile: { vmSize: 'Standard_B2s' } } });
  t.like(vm!.properties.osProfile, { computerName: 'np0000000001', adminUsername: 'zuul', linuxConfiguration: { disablePasswordAuthentication: true } });
  t.like(vm!.properties.storageProfile, { imageReference: { publisher: 'Canonical', sku: '22_04-lts-gen2' }, osDisk: { deleteOption: 'Delete' } });
  t.like(nic, { name: 'np0000000001-nic', tags, properties: { virtualMachine: { id: vm!.id } } });
  t.like(pip, { name: 'np0000000001-pip-IPv4', tags, sku: { name: 'Standard' }, properties: { publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4' } });
  t.like(instance, { externalId: 'np0000000001', cloud: 'Azure', region: 'eastus', publicIpv4: pip!.properties.ipAddress, privateIpv4: nic!.properties.ipConfigurations[0].properties.privateIPAddress });
  t.is(instance.interfaceIp, instance.publicIpv4);
  t.deepEqual(instance.getQuotaInformation!()!.toJson(), { cores: 2, ram: 4096, instances: 1 });
  t.is(fake.calls()['resourceGroups.createOrUpdate'], 1, 'the resource group was made in resource-group-location');

  await runMachine(adapter.getDeleteStateMachine('np0000000001', { instances: listing, log }));
  t.deepEqual(fake.state().filter((resource) => [VM, NIC, PIP, DISK].includes(resource.type)), [], 'nothing of the node is left');
});

test('a VM beyond the cores quota is refused with OperationNotAllowed: a QuotaError', async (t) => {
  const { adapter, listing, label } = await azureSetup(t, { quotas: { cores: 1 } });
  const error = await t.throwsAsync(runMachine(adapter.getCreateStateMachine({ hostname: 'np2', label: label('small'), imageExternalId: undefined, metadata, request, az: undefined, instances: listing, log })));
  t.true(error instanceof QuotaError, String(error));
  t.regex(error!.message, /OperationNotAllowed: Operation could not be completed as it results in exceeding approved Total Regional Cores quota/);
  t.deepEqual((await adapter.getQuotaLimits()).toJson(), { cores: 1, instances: 25000 });
});

test('a VM that fails to provision fails the attempt', async (t) => {
  const { fake, adapter, listing, label } = await azureSetup(t);
  fake.failBoots({ first: 1 });
  const error = await t.throwsAsync(runMachine(adapter.getCreateStateMachine({ hostname: 'np3', label: label('tiny'), imageExternalId: undefined, metadata, request, az: undefined, instances: listing, log })));
  t.regex(error!.message, /Failed provisioning state/);
});

test('a 429 with Retry-After backs off and the call is sent again', async (t) => {
  const { fake, adapter } = await azureSetup(t);
  fake.injectFault({ operation: 'virtualMachines.list', status: 429, retryAfterS: 0, first: 2 });
  t.deepEqual(await adapter.listInstances(), []);
  t.like(fake.calls(), { 'virtualMachines.list': 1, 'virtualMachines.list.throttled': 2 });
});

test('leak resources are the VMs, NICs, public IPs, disks and images of the resource group with their tags', async (t) => {
  const { fake, adapter, listing } = await azureSetup(t);
  for (const kind of ['vm', 'nic', 'pip', 'disk', 'image'] as const) fake.addLeak({ resourceGroup: 'nodepool-nodes', kind, name: `leak-${kind}`, tags: metadata });
  const resources = await adapter.listResources({ instances: listing });
  t.deepEqual(resources.map((resource) => `${resource.type}:${String(resource.id)}`).sort(), ['disk:leak-disk', 'image:leak-image', 'instance:leak-vm', 'nic:leak-nic', 'pip:leak-pip']);
  for (const resource of resources) {
    t.deepEqual(resource.metadata, metadata);
    await adapter.deleteResource(resource);
  }
  t.deepEqual(fake.state().filter((resource) => String(resource.name).startsWith('leak-')), []);
});
