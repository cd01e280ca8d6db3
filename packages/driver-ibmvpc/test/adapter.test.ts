/**
 * The ibmvpc adapter against the fake IBM Cloud over HTTP (no launcher): what it sends, what it
 * reads back, and how it names, finds and deletes things.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeRequest, type Instance, type InstanceListing } from '@nodepool/core';
import { getLogger } from '@nodepool/core';
import { IbmVpcAdapter, type IbmVpcInstanceView, type IbmVpcLabelConfig } from '@nodepool/driver-ibmvpc';
import type { FakeIbmVpcHandle } from '@nodepool/driver-ibmvpc/testing';
import { adapterContext, ibmvpcConfig, ibmvpcSetup, ibmvpcYaml, instanceListing, nodeMetadata, runMachine, useFakeIbmVpc } from './helpers.js';

const log = getLogger('test.driver-ibmvpc');

function createOptions(setup: { label(name: string): IbmVpcLabelConfig; listing: InstanceListing }, labelName: string, nodeId: string, imageExternalId?: string) {
  return { hostname: `np${nodeId}`, label: setup.label(labelName), imageExternalId, metadata: nodeMetadata(nodeId), request: new NodeRequest(), az: undefined, instances: setup.listing, log };
}

test('an instance is created in the pool’s resource group with a floating IP bound to it, then deleted with it', async (t) => {
  const setup = await ibmvpcSetup(t);
  const { fake, adapter } = setup;
  const instance = (await runMachine(adapter.getCreateStateMachine(createOptions(setup, 'small', '0000000042')))) as IbmVpcInstanceView;
  const state = fake.state();
  const [vm] = state.instances;
  const [fip] = state.floatingIps;
  const group = state.resourceGroups.find((candidate) => candidate.id === vm!.resourceGroupId)!;
  t.is(group.name, 'np_ibmvpc_main');
  t.like(vm, { name: 'np0000000042', profile: 'cx2-2x4', zone: 'us-south-1', userData: '#cloud-config', bootVolumeName: 'np0000000042', status: 'running' });
  t.is(vm!.keyIds.length, 1);
  t.is(fake.state().images.find((image) => image.id === vm!.imageId)!.name, 'ibm-ubuntu-22-04-4-minimal-amd64-3');
  t.like(fip, { name: 'np0000000042', targetNetworkInterfaceId: vm!.networkInterfaceId, resourceGroupId: group.id });
  t.like(instance, { externalId: 'np0000000042', publicIpv4: fip!.address, interfaceIp: fip!.address, privateIpv4: vm!.privateAddress, cloud: 'IBM', region: 'us-south', az: 'us-south-1' });
  t.deepEqual(instance.metadata, nodeMetadata('0000000042'));
  t.deepEqual(instance.getQuotaInformation!()!.toJson(), { cores: 2, instances: 1, ram: 4096 });

  await runMachine(adapter.getDeleteStateMachine('np0000000042', { instances: setup.listing, log }));
  t.deepEqual(fake.state().instances, []);
  t.deepEqual(fake.state().floatingIps, []);
});

test('the listing names each instance by name, with its metadata from its resource group, and its floating IP', async (t) => {
  const setup = await ibmvpcSetup(t);
  const { fake, adapter } = setup;
  await runMachine(adapter.getCreateStateMachine(createOptions(setup, 'small', '0000000007')));
  fake.addInstance({ name: 'someone-else' });
  fake.addInstance({ name: 'np0000000099', resourceGroup: 'np_otherprovider_main' });
  const instances = (await adapter.listInstances()) as IbmVpcInstanceView[];
  const byName = new Map(instances.map((instance) => [instance.externalId, instance]));
  t.deepEqual(byName.get('np0000000007')!.metadata, nodeMetadata('0000000007'));
  t.truthy(byName.get('np0000000007')!.floatingIp);
  t.deepEqual(byName.get('someone-else')!.metadata, {});
  t.deepEqual(byName.get('np0000000099')!.metadata, { nodepool_node_id: '0000000099', nodepool_provider_name: 'otherprovider', nodepool_pool_name: 'main' });
});

test('an image filter picks the newest match; an image name the image of that name', async (t) => {
  const setup = await ibmvpcSetup(t);
  const { fake, adapter } = setup;
  await runMachine(adapter.getCreateStateMachine(createOptions(setup, 'filtered', '0000000001')));
  const vm = fake.state().instances[0]!;
  t.is(fake.state().images.find((image) => image.id === vm.imageId)!.name, 'ibm-debian-12-5-minimal-amd64-1', 'the newer of the two Debian images');
  t.is(vm.profile, 'bx2-4x16');
  t.is(fake.state().floatingIps.length, 1);
});

test('a diskimage label boots the upload’s image ID', async (t) => {
  const setup = await ibmvpcSetup(t);
  const { fake, adapter } = setup;
  const image = fake.addImage({ name: 'npimage0000000001', resourceGroup: 'npimages_ibmvpc' });
  await runMachine(adapter.getCreateStateMachine(createOptions(setup, 'custom', '0000000003', image.id)));
  t.is(fake.state().instances[0]!.imageId, image.id);
});

test('quota: the provider’s stated limits, and each label’s profile in MiB', async (t) => {
  const setup = await ibmvpcSetup(t, {}, { extra: '    quota:\n      instances: 10\n      cores: 40\n      ram: 81920\n' });
  t.deepEqual((await setup.adapter.getQuotaLimits()).toJson(), { cores: 40, instances: 10, ram: 81920 });
  t.deepEqual((await setup.adapter.getQuotaForLabel(setup.label('filtered'))).toJson(), { cores: 4, instances: 1, ram: 16384 });
});

test('an upload goes through Cloud Object Storage into the images resource group; deleting it removes the image', async (t) => {
  const setup = await ibmvpcSetup(t);
  const { fake, adapter } = setup;
  const file = join(tmpdir(), `ibmvpc-upload-${process.pid}.qcow2`);
  await writeFile(file, Buffer.alloc(1024, 7));
  const id = await adapter.uploadImage({ providerImage: { name: 'base' }, imageName: 'npimage0000000005', filename: file, imageFormat: 'qcow2', metadata: {} });
  const image = fake.state().images.find((candidate) => candidate.id === id)!;
  t.like(image, { name: 'npimage0000000005', status: 'available', operatingSystem: 'debian-12-amd64', fileHref: 'cos://us-south/nodepool-images/npimage0000000005.qcow2', visibility: 'private' });
  t.is(fake.state().resourceGroups.find((group) => group.id === image.resourceGroupId)!.name, 'npimages_ibmvpc');
  t.deepEqual(fake.state().buckets[0]!.objects, [], 'the staged file is deleted once the image is made');
  t.like(fake.calls(), { 'cos.GET.bucket_location': 1, 'cos.PUT.object': 1, 'cos.DELETE.object': 1, 'vpc.POST.images': 1 });

  await adapter.deleteImage(id);
  t.false(fake.state().images.some((candidate) => candidate.id === id));
  await adapter.deleteImage(id);
  t.pass('an image already gone is deleted');
});

test('the resources of leak cleanup carry Nodepool’s metadata from names and resource groups', async (t) => {
  const setup = await ibmvpcSetup(t);
  const { fake, adapter } = setup;
  fake.addInstance({ name: 'np0000000777', resourceGroup: 'np_ibmvpc_main' });
  fake.addFloatingIp({ name: 'np0000000778', resourceGroup: 'np_ibmvpc_main' });
  fake.addImage({ name: 'npimage0000000779', resourceGroup: 'npimages_ibmvpc' });
  fake.putObject('nodepool-images', 'npimage0000000780.qcow2', 'x');
  const resources = await adapter.listResources({ instances: setup.listing });
  const by = (type: string) => resources.filter((resource) => resource.type === type).map((resource) => resource.metadata);
  t.deepEqual(by('instance'), [nodeMetadata('0000000777')]);
  t.deepEqual(by('floatingip'), [nodeMetadata('0000000778')]);
  t.deepEqual(by('image'), [{ nodepool_upload_id: '0000000779', nodepool_provider_name: 'ibmvpc' }], 'public images are not the account’s');
  t.deepEqual(by('object'), [{ nodepool_upload_id: '0000000780', nodepool_provider_name: 'ibmvpc' }]);
  for (const resource of resources) await adapter.deleteResource(resource);
  const state = fake.state();
  t.deepEqual([state.instances.filter((instance) => instance.status !== 'deleting').length, state.floatingIps.length, state.images.filter((image) => image.visibility === 'private').length, state.buckets[0]!.objects.length], [0, 0, 0, 0]);
});

test('an instance that fails to boot fails the attempt with the VPC’s reason', async (t) => {
  const setup = await ibmvpcSetup(t);
  setup.fake.failBoots({ first: 1, message: 'no capacity in us-south-1' });
  const error = await t.throwsAsync(runMachine<Instance>(setup.adapter.getCreateStateMachine(createOptions(setup, 'small', '0000000009'))));
  t.regex(error!.message, /Server in failed state: .*no capacity in us-south-1/);
});

/** An adapter whose cloud image `ubuntu` is chosen by `selector` (YAML, indented 8) instead of by name. */
async function withUbuntuImage(t: Parameters<typeof useFakeIbmVpc>[0], selector: (fake: Awaited<ReturnType<typeof useFakeIbmVpc>>) => string) {
  const fake = await useFakeIbmVpc(t);
  const yaml = ibmvpcYaml(fake).replace('        image-name: ibm-ubuntu-22-04-4-minimal-amd64-3\n', selector(fake));
  const config = await ibmvpcConfig(yaml);
  const adapter = new IbmVpcAdapter(config, adapterContext());
  return { fake, adapter, listing: instanceListing(adapter), label: (name: string) => config.pools.get('main')!.labels.get(name)! };
}

test('image-id and image-href boot the image they name, without listing images', async (t) => {
  const older = (fake: FakeIbmVpcHandle) => fake.state().images.find((image) => image.name === 'ibm-ubuntu-22-04-3-minimal-amd64-1')!;
  for (const [key, value] of [
    ['image-id', (fake: Awaited<ReturnType<typeof useFakeIbmVpc>>) => older(fake).id],
    ['image-href', (fake: Awaited<ReturnType<typeof useFakeIbmVpc>>) => `${fake.url}/v1/images/${older(fake).id}`],
  ] as const) {
    const setup = await withUbuntuImage(t, (fake) => `        ${key}: ${value(fake)}\n`);
    await runMachine(setup.adapter.getCreateStateMachine(createOptions(setup, 'small', '0000000011')));
    t.is(setup.fake.state().instances[0]!.imageId, older(setup.fake).id, key);
    t.is(setup.fake.calls()['vpc.GET.images'], undefined, `${key}: no image listing`);
  }
});

test('an image filter on the operating system’s dedicated-host-only and vendor finds the BYOL image; one that matches nothing fails the launch', async (t) => {
  const setup = await withUbuntuImage(t, () => '        image-filter:\n          operating-system:\n            dedicated-host-only: true\n            vendor: Red Hat\n          status: available\n');
  await runMachine(setup.adapter.getCreateStateMachine(createOptions(setup, 'small', '0000000012')));
  t.is(setup.fake.state().images.find((image) => image.id === setup.fake.state().instances[0]!.imageId)!.name, 'ibm-redhat-9-4-minimal-amd64-byol');

  const none = await withUbuntuImage(t, () => '        image-filter:\n          operating-system:\n            family: Windows Server\n');
  const error = await t.throwsAsync(runMachine(none.adapter.getCreateStateMachine(createOptions(none, 'small', '0000000013'))));
  t.regex(error!.message, /Unable to find image matching filter/);
  t.deepEqual(none.fake.state().instances, [], 'nothing was created');
});

test('without public-ipv4 no floating IP is made and the node is reached on its private address', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const config = await ibmvpcConfig(ibmvpcYaml(fake).replace('        public-ipv4: true\n', ''));
  const adapter = new IbmVpcAdapter(config, adapterContext());
  const setup = { fake, adapter, listing: instanceListing(adapter), label: (name: string) => config.pools.get('main')!.labels.get(name)! };
  const instance = (await runMachine(adapter.getCreateStateMachine(createOptions(setup, 'small', '0000000014')))) as IbmVpcInstanceView;
  t.deepEqual(fake.state().floatingIps, []);
  t.like(instance, { publicIpv4: null, interfaceIp: fake.state().instances[0]!.privateAddress });
  t.is(fake.calls()['vpc.POST.floating_ips'], undefined);
});
