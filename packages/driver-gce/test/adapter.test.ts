/**
 * The gce adapter against the fake Compute Engine over HTTP, through @google-cloud/compute's
 * REST transport and google-auth-library's token exchange: instance bodies, listings, quota,
 * errors and their translation, throttling, leak resources.
 */
import test from 'ava';
import { getLogger, NotFoundError, QuotaError, type Instance, type NodeRequest } from '@nodepool/core';
import { insertBody } from '../src/launch-request.js';
import { gceSetup, runMachine } from './helpers.js';

const log = getLogger('test.driver-gce');
const request = { id: '200-0000000001' } as NodeRequest;
const metadata = { nodepool_node_id: '0000000001', nodepool_pool_name: 'main', nodepool_provider_name: 'gce' };

test('creates an instance as 9.0.0 does: boot disk from the family’s newest image, default network with NAT, Nodepool’s metadata and ssh-keys', async (t) => {
  const { fake, adapter, listing, label } = await gceSetup(t);
  const machine = adapter.getCreateStateMachine({ hostname: 'np0000000001', label: label('small'), imageExternalId: undefined, metadata, request, az: undefined, instances: listing, log });
  t.is(machine.externalId, undefined);
  const instance = await runMachine<Instance>(machine);
  const [raw] = fake.state().instances as Record<string, any>[];
  t.like(raw, { name: 'np0000000001', status: 'RUNNING' });
  t.regex(raw!.machineType, /projects\/nodepool-test\/zones\/us-central1-a\/machineTypes\/e2-small$/);
  t.like(raw!.disks[0], { boot: true, autoDelete: true, diskSizeGb: '20' });
  const items = Object.fromEntries((raw!.metadata.items as { key: string; value: string }[]).map((item) => [item.key, item.value]));
  t.deepEqual(items, { ...metadata, 'ssh-keys': 'zuul:ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests zuul@example.org' });
  t.deepEqual(raw!.labels, metadata);
  t.like(instance, { externalId: 'np0000000001', cloud: 'Google', region: 'us-central1', az: 'us-central1-a', metadata: { ...metadata, 'ssh-keys': items['ssh-keys'] } });
  t.is(instance.publicIpv4, raw!.networkInterfaces[0].accessConfigs[0].natIP);
  t.is(instance.privateIpv4, raw!.networkInterfaces[0].networkIP);
  t.is(instance.interfaceIp, instance.publicIpv4);
  t.deepEqual(instance.getQuotaInformation!()!.toJson(), { cores: 2, instances: 1, ram: 2048 });
  const calls = fake.calls();
  t.like(calls, { 'images.getFromFamily': 1, 'machineTypes.get': 1, 'instances.insert': 1 });
  t.is(calls['zoneOperations.get'], undefined, 'no operation read: the listing showed the instance');
});

test('an insert whose operation fails for quota is a QuotaError; for capacity a launch error', async (t) => {
  const { fake, adapter, listing, label } = await gceSetup(t, { quotas: { CPUS: 1 } });
  const create = (hostname: string) => adapter.getCreateStateMachine({ hostname, label: label('small'), imageExternalId: undefined, metadata, request, az: undefined, instances: listing, log });
  const quota = await t.throwsAsync(runMachine(create('np1')));
  t.true(quota instanceof QuotaError, String(quota));
  t.regex(quota!.message, /QUOTA_EXCEEDED: Quota 'CPUS' exceeded/);
  t.is(fake.state().instances.length, 0);

  fake.configure({ quotas: { CPUS: 96 } });
  fake.failBoots({ first: 1 });
  const capacity = await t.throwsAsync(runMachine(create('np2')));
  t.false(capacity instanceof QuotaError);
  t.regex(capacity!.message, /ZONE_RESOURCE_POOL_EXHAUSTED/);
});

test('delete waits for the instance to leave the listing; an instance already gone is done', async (t) => {
  const { fake, adapter, listing, label } = await gceSetup(t, { deleteDelayMs: 200 });
  await runMachine(adapter.getCreateStateMachine({ hostname: 'np3', label: label('large'), imageExternalId: undefined, metadata, request, az: undefined, instances: listing, log }));
  await runMachine(adapter.getDeleteStateMachine('np3', { instances: listing, log }));
  t.is(fake.state().instances.length, 0);
  await runMachine(adapter.getDeleteStateMachine('np3', { instances: listing, log }));
  await t.throwsAsync(adapter.client.deleteInstance('np3'), { instanceOf: NotFoundError });
});

test('quota limits come from the region, label quota from the machine type', async (t) => {
  const { adapter, label } = await gceSetup(t, { quotas: { CPUS: 24, INSTANCES: 7 } });
  t.deepEqual((await adapter.getQuotaLimits()).toJson(), { cores: 24, instances: 7 });
  t.deepEqual((await adapter.getQuotaForLabel(label('large'))).toJson(), { cores: 8, instances: 1, ram: 32768 });
});

test('throttled calls (403 and 429 rateLimitExceeded) are sent again after backing off', async (t) => {
  const { fake, adapter } = await gceSetup(t);
  fake.injectFault({ operation: 'instances.list', status: 403, first: 2 });
  fake.injectFault({ operation: 'regions.get', status: 429, first: 1 });
  t.deepEqual(await adapter.listInstances(), []);
  await adapter.getQuotaLimits();
  t.like(fake.calls(), { 'instances.list': 1, 'instances.list.throttled': 2, 'regions.get': 1, 'regions.get.throttled': 1 });
});

test('leak resources are the instances that are not TERMINATED, with their metadata', async (t) => {
  const { fake, adapter, listing } = await gceSetup(t);
  fake.addInstance({ project: 'nodepool-test', zone: 'us-central1-a', name: 'np9999', metadata });
  fake.addInstance({ project: 'nodepool-test', zone: 'us-central1-a', name: 'stopped', metadata, status: 'TERMINATED' });
  fake.addInstance({ project: 'nodepool-test', zone: 'us-central1-a', name: 'labelled', labels: metadata });
  const resources = await adapter.listResources({ instances: listing });
  t.deepEqual(resources.map((resource) => [resource.id, resource.metadata.nodepool_node_id]).sort(), [['labelled', '0000000001'], ['np9999', '0000000001']]);
  await adapter.deleteResource(resources[0]!);
  t.is(fake.state().instances.length, 2);
});

test('the insert body takes the label’s volume type and size, the image and the cloud image’s key, as 9.0.0 does', async (t) => {
  const { config, label } = await gceSetup(t);
  const body = insertBody({
    hostname: 'np4',
    zone: config.zone,
    label: label('small'),
    image: config.cloudImages.get('debian')!,
    sourceImage: 'projects/debian-cloud/global/images/debian-12-bookworm-v20240110',
    machineTypeLink: 'zones/us-central1-a/machineTypes/e2-small',
    metadata,
  });
  t.deepEqual(body.disks![0]!.initializeParams, { sourceImage: 'projects/debian-cloud/global/images/debian-12-bookworm-v20240110', diskType: 'zones/us-central1-a/diskTypes/pd-balanced', diskSizeGb: 20 });
  const large = insertBody({ hostname: 'np5', zone: config.zone, label: label('large'), image: config.cloudImages.get('ubuntu')!, sourceImage: 'x', machineTypeLink: 'y', metadata });
  t.like(large.disks![0]!.initializeParams, { diskType: 'zones/us-central1-a/diskTypes/pd-standard', diskSizeGb: 10 });
  t.false(large.metadata!.items!.some((item) => item.key === 'ssh-keys'), 'no key, no ssh-keys item');
});
