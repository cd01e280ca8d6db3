import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLogger, LaunchStatusError, NodeRequest, QuotaError, type Instance } from '@nodepool/core';
import type { OpenStackServerView } from '@nodepool/driver-openstack';
import { adapterContext, openstackConfig, openstackSetup, openstackYaml, runMachine, useFakeOpenStack } from './helpers.js';
import { OpenStackAdapter } from '../src/adapter.js';

const metadata = (node: string) => ({ nodepool_node_id: node, nodepool_pool_name: 'main', nodepool_provider_name: 'openstack' });

function request(): NodeRequest {
  const made = new NodeRequest();
  made.id = '200-0000000007';
  made.nodeTypes = ['small'];
  return made;
}

test('a server is created from the label (flavor, image by name, network, key, metadata), gets a floating IP, and nothing is read one by one', async (t) => {
  const { fake, adapter, listing, label } = await openstackSetup(t);
  await adapter.getQuotaForLabel(label('small'));
  fake.resetCalls();
  const machine = adapter.getCreateStateMachine({ hostname: 'np0000000001', label: label('small'), imageExternalId: undefined, metadata: metadata('0000000001'), request: request(), az: 'nova', instances: listing, log: getLogger('test') });
  const instance = (await runMachine(machine)) as OpenStackServerView;
  const [server] = fake.state().servers;
  const [fip] = fake.state().floatingIps;
  const cirros = fake.state().images.find((image) => image.name === 'cirros-0.6.2-x86_64-disk')!;
  t.like(server, { name: 'np0000000001', flavorId: 'd1', imageId: cirros.id, keyName: 'zuul', az: 'nova', configDrive: false });
  t.deepEqual(server!.metadata, { groups: 'openstack,cirros,small', team: 'ci', request: '200-0000000007', ...metadata('0000000001') });
  t.like(instance, { externalId: server!.id, ready: true, publicIpv4: fip!.address, interfaceIp: fip!.address, region: 'RegionOne', az: 'nova' });
  t.deepEqual(instance.getQuotaInformation!()!.toJson(), { instances: 1, cores: 1, ram: 1024 });
  // Besides the shared listings: the server, its port and its floating IP.
  const calls = fake.calls();
  t.like(calls, { 'compute.POST.servers': 1, 'network.GET.ports': 1, 'network.POST.floatingips': 1 });
  t.deepEqual(Object.keys(calls).filter((name) => name.startsWith('compute.GET.server') && name !== 'compute.GET.servers_detail'), [], 'no server read one by one');
});

test('a label booting from a volume gets a volume of its size from the image, tagged with Nodepool\'s metadata, counted in its quota', async (t) => {
  const label = { name: 'volume', yaml: 'cloud-image: debian\nflavor-name: m1.small\nboot-from-volume: true\nvolume-size: 30\nuserdata: "#cloud-config"' };
  const { fake, adapter, listing, config } = await openstackSetup(t, {}, { label });
  const volumeLabel = config.pools.get('main')!.labels.get('volume')!;
  const instance = await runMachine(adapter.getCreateStateMachine({ hostname: 'np1', label: volumeLabel, imageExternalId: undefined, metadata: metadata('0000000001'), request: request(), az: undefined, instances: listing, log: getLogger('test') }));
  const [volume] = fake.state().volumes;
  const [server] = fake.state().servers;
  const debian = fake.state().images.find((image) => image.name === 'debian-12')!;
  t.like(volume, { size: 30, imageId: debian.id, serverId: server!.id, metadata: metadata('0000000001') });
  t.is(server!.imageId, null);
  t.is(Buffer.from(server!.userData!, 'base64').toString(), '#cloud-config');
  t.deepEqual(instance.getQuotaInformation!()!.toJson(), { instances: 1, cores: 1, ram: 2048, volumes: 1, 'volume-gb': 30 });
  t.deepEqual(await adapter.getQuotaForLabel(volumeLabel).then((quota) => quota.toJson()), { instances: 1, cores: 1, ram: 2048, volumes: 1, 'volume-gb': 30 });
  // The listing counts the volume of a server it did not launch from its attachment.
  const listed = (await adapter.listInstances()).find((each) => each.externalId === server!.id)!;
  t.deepEqual(listed.getQuotaInformation!()!.toJson(), { instances: 1, cores: 1, ram: 2048, volumes: 1, 'volume-gb': 30 });
});

test('a diskimage label boots the upload it is given, with the diskimage\'s config drive', async (t) => {
  const { fake, config } = await openstackSetup(t);
  const withDrive = await openstackConfig(openstackYaml(fake).replace('        meta:\n', '        config-drive: true\n        meta:\n'));
  const adapter = new OpenStackAdapter(withDrive, adapterContext(), { floatingIpListingIntervalMs: 0 });
  const upload = fake.addImage({ name: 'base-0000000001' });
  const listing = { get: async (id: string) => (await adapter.listInstances()).find((each) => each.externalId === id), all: () => adapter.listInstances() };
  await runMachine(adapter.getCreateStateMachine({ hostname: 'np1', label: withDrive.pools.get('main')!.labels.get('diskimage')!, imageExternalId: upload.id, metadata: metadata('1'), request: request(), az: undefined, instances: listing, log: getLogger('test') }));
  t.like(fake.state().servers[0], { imageId: upload.id, flavorId: '2', configDrive: true });
  t.deepEqual(fake.state().servers[0]!.metadata.groups, 'openstack,base,diskimage');
  t.truthy(config);
});

test('a server in ERROR fails the attempt with Nova\'s fault; a fault about quota aborts it instead', async (t) => {
  const { fake, adapter, listing, label } = await openstackSetup(t);
  const create = () => runMachine(adapter.getCreateStateMachine({ hostname: 'np1', label: label('debian'), imageExternalId: undefined, metadata: metadata('1'), request: request(), az: undefined, instances: listing, log: getLogger('test') }));
  fake.failBoots({ first: 1, message: 'No valid host was found.' });
  await t.throwsAsync(create(), { instanceOf: LaunchStatusError, message: /Server in error state: No valid host was found\./ });
  fake.configure({ quotas: { volumes: 0 } });
  const bfv = await openstackSetup(t, {}, { label: { name: 'volume', yaml: 'cloud-image: debian\nflavor-name: m1.small\nboot-from-volume: true' } });
  bfv.fake.configure({ quotas: { volumes: 0 } });
  const volumeLabel = bfv.config.pools.get('main')!.labels.get('volume')!;
  await t.throwsAsync(runMachine(bfv.adapter.getCreateStateMachine({ hostname: 'np2', label: volumeLabel, imageExternalId: undefined, metadata: metadata('2'), request: request(), az: undefined, instances: bfv.listing, log: getLogger('test') })), {
    instanceOf: QuotaError,
    message: /VolumeLimitExceeded.*quota 'volumes'/,
  });
});

test('Nova\'s quota refusal is a QuotaError; its 400 makes flavors, images and networks be looked up again', async (t) => {
  const { fake, adapter, listing, label } = await openstackSetup(t, { quotas: { cores: 1 } });
  const create = (name: string) => runMachine(adapter.getCreateStateMachine({ hostname: name, label: label('debian'), imageExternalId: undefined, metadata: metadata('1'), request: request(), az: undefined, instances: listing, log: getLogger('test') }));
  await t.throwsAsync(create('np1'), { instanceOf: QuotaError, message: /Quota exceeded for cores: Requested 2, but already used 0 of 1 cores/ });
  const flavorLists = fake.calls()['compute.GET.flavors_detail'];
  fake.injectFault({ operation: 'compute.POST.servers', status: 400, message: 'Invalid flavorRef provided.' });
  await t.throwsAsync(create('np2'), { message: /Invalid flavorRef provided/ });
  fake.configure({ quotas: { cores: 100 } });
  await create('np3');
  t.is(fake.calls()['compute.GET.flavors_detail'], (flavorLists ?? 0) + 1, 'flavors listed again after the 400');
});

test('deleting a server deletes its floating IP first, then the server; a server Nova does not know is done at once', async (t) => {
  const { fake, adapter, listing, label } = await openstackSetup(t);
  const instance = await runMachine(adapter.getCreateStateMachine({ hostname: 'np1', label: label('small'), imageExternalId: undefined, metadata: metadata('1'), request: request(), az: undefined, instances: listing, log: getLogger('test') }));
  await runMachine(adapter.getDeleteStateMachine(instance.externalId, { instances: listing, log: getLogger('test') }));
  t.deepEqual(fake.state().servers, []);
  t.deepEqual(fake.state().floatingIps, []);
  const log = fake.callLog();
  t.true(log.indexOf('network.DELETE.floatingip') < log.indexOf('compute.DELETE.server'));
  await runMachine(adapter.getDeleteStateMachine('no-such-server', { instances: listing, log: getLogger('test') }));
});

test('a floating IP on the server\'s port that Nova does not list yet is found by its fixed address', async (t) => {
  const { fake, adapter, listing } = await openstackSetup(t, { floatingIpDelayMs: 600_000 });
  const server = fake.addServer({ metadata: metadata('1') });
  const port = fake.state().ports.find((each) => each.deviceId === server.id)!;
  fake.addFloatingIp({ portId: port.id });
  t.false(((await listing.get(server.id)) as OpenStackServerView).addresses.floating.length > 0, 'Nova does not show it yet');
  await runMachine(adapter.getDeleteStateMachine(server.id, { instances: listing, log: getLogger('test') }));
  t.deepEqual(fake.state().floatingIps, []);
});

test('listings count each server\'s flavor, embedded (microversion 2.47 on) or looked up (before)', async (t) => {
  for (const computeMaxMicroversion of ['2.95', '2.40']) {
    const { fake, adapter } = await openstackSetup(t, { computeMaxMicroversion });
    fake.addServer({ flavorId: '4', metadata: { owner: 'someone else' } });
    const [listed] = (await adapter.listInstances()) as Instance[];
    t.deepEqual(listed!.getQuotaInformation!()!.toJson(), { instances: 1, cores: 4, ram: 8192 }, computeMaxMicroversion);
  }
});

test('quota limits are Nova\'s and Cinder\'s, -1 meaning none; zones are Nova\'s', async (t) => {
  const { fake, adapter } = await openstackSetup(t, { quotas: { instances: 7, cores: -1, ram: 4096, volumes: 3, gigabytes: 100 }, zones: ['az1', 'az2'] });
  const limits = await adapter.getQuotaLimits();
  t.like(limits.resources, { instances: 7, cores: Infinity, ram: 4096, volumes: 3, 'volume-gb': 100 });
  t.is(limits.get('anything-else'), Infinity);
  t.deepEqual(await adapter.getAZs(), ['az1', 'az2']);
  t.truthy(fake);
});

test('a cloud image named but missing is not ready; one given by ID is taken on trust', async (t) => {
  const fake = await useFakeOpenStack(t);
  const yaml = openstackYaml(fake).replace('image-name: cirros-0.6.2-x86_64-disk', 'image-name: no-such-image');
  const config = await openstackConfig(yaml);
  const adapter = new OpenStackAdapter(config, adapterContext());
  const label = (name: string) => config.pools.get('main')!.labels.get(name)!;
  await adapter.getQuotaForLabel(label('small'));
  t.false(adapter.labelReady(label('small')));
  t.true(adapter.labelReady(label('debian')));
  t.true(adapter.labelReady(label('diskimage')), 'diskimages are core\'s to judge');
  const ok = await openstackSetup(t);
  await ok.adapter.getQuotaForLabel(ok.label('small'));
  t.true(ok.adapter.labelReady(ok.label('small')));
});

test('an upload becomes an active private Glance image carrying the diskimage\'s meta and Nodepool\'s metadata', async (t) => {
  const { fake, adapter } = await openstackSetup(t);
  const dir = await mkdtemp(join(tmpdir(), 'upload-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'base.qcow2');
  const data = Buffer.alloc(3 * 1024 * 1024, 7);
  await writeFile(file, data);
  const id = await adapter.uploadImage({
    providerImage: { name: 'base', meta: { team: 'ci', count: 2 } },
    imageName: 'base-0000000001',
    filename: file,
    imageFormat: 'qcow2',
    metadata: { nodepool_build_id: '0000000001', nodepool_upload_id: '0000000003', nodepool_provider_name: 'openstack' },
    md5: createHash('md5').update(data).digest('hex'),
  });
  const image = fake.state().images.find((each) => each.id === id)!;
  t.like(image, { name: 'base-0000000001', status: 'active', visibility: 'private', diskFormat: 'qcow2', containerFormat: 'bare', size: data.length, checksum: createHash('md5').update(data).digest('hex') });
  t.like(image.properties, { team: 'ci', count: '2', nodepool_build_id: '0000000001', nodepool_upload_id: '0000000003', nodepool_provider_name: 'openstack', 'owner_specified.openstack.md5': image.checksum });
  t.true((await adapter.listImages()).some((each) => each.id === id && each.metadata.nodepool_build_id === '0000000001'));
  t.false((await adapter.listImages()).some((each) => each.name === 'debian-12'), 'public images of others are not ours');
  await adapter.deleteImage(id);
  t.false(fake.state().images.some((each) => each.id === id));
});

test('an upload that fails leaves no image behind', async (t) => {
  const { fake, adapter } = await openstackSetup(t);
  const dir = await mkdtemp(join(tmpdir(), 'upload-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'f'), 'data');
  fake.injectFault({ operation: 'image.PUT.image_file', status: 503 });
  await t.throwsAsync(adapter.uploadImage({ providerImage: { name: 'base' }, imageName: 'base-1', filename: join(dir, 'f'), imageFormat: 'raw', metadata: {} }), { message: /HTTP 503/ });
  t.false(fake.state().images.some((each) => each.name === 'base-1'));
});

test('leak listing: servers, detached volumes and images carrying Nodepool\'s metadata; others are not ours', async (t) => {
  const { fake, adapter, listing } = await openstackSetup(t);
  const server = fake.addServer({ metadata: metadata('0000000009') });
  fake.addServer({ metadata: { owner: 'someone' } });
  const volume = fake.addVolume({ metadata: metadata('0000000009') });
  fake.addVolume({ metadata: { owner: 'someone' } });
  const image = fake.addImage({ name: 'base-1', properties: { nodepool_build_id: '1', nodepool_upload_id: '2', nodepool_provider_name: 'openstack' } });
  const resources = await adapter.listResources({ instances: listing });
  t.deepEqual(
    resources.map((resource) => `${resource.type}:${String(resource.id)}`).sort(),
    [`image:${image.id}`, `instance:${server.id}`, `volume:${volume.id}`].sort(),
  );
  for (const resource of resources) await adapter.deleteResource(resource);
  t.false(fake.state().volumes.some((each) => each.id === volume.id));
  t.false(fake.state().images.some((each) => each.id === image.id));
  t.false(fake.state().servers.some((each) => each.id === server.id && !each.deleting));
});

test('the console log is Nova\'s console output', async (t) => {
  const { fake, adapter, label } = await openstackSetup(t, { consoleOutput: 'line 1\nline 2' });
  const server = fake.addServer();
  t.is(await adapter.getConsoleLog(label('small'), server.id), 'line 1\nline 2');
});
