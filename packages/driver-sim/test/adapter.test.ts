import { createHash } from 'node:crypto';
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProvider, getLogger, NotFoundError, QuotaInformation } from '@nodepool/core';
import simDriver, { SimAdapter } from '@nodepool/driver-sim';
import { waitFor } from '@nodepool/testkit';
import { adapterContext, FakeClock, instanceListing, nodeTags, simSetup } from './helpers.js';

test('the driver creates a SimAdapter from the config and the kit context', async (t) => {
  const setup = await simSetup();
  t.teardown(setup.stop);
  t.true(simDriver.createAdapter(setup.config, adapterContext()) instanceof SimAdapter);
  t.is(simDriver.name, 'sim');
});

test('lists every instance, Nodepool or not, with ready and deleted flags', async (t) => {
  const setup = await simSetup({ deleteDelayMs: 60_000 });
  t.teardown(setup.stop);
  const ours = setup.cloud.createInstance({ name: 'np1', metadata: nodeTags('1') });
  const foreign = setup.cloud.createInstance({ name: 'someone-else', flavor: 'large', status: 'building' });
  const going = setup.cloud.createInstance({ name: 'going', status: 'deleting' });
  const instances = await setup.adapter.listInstances();
  t.deepEqual(
    instances.map(({ externalId, ready, deleted }) => ({ externalId, ready, deleted })),
    [
      { externalId: ours.id, ready: true, deleted: false },
      { externalId: foreign.id, ready: false, deleted: false },
      { externalId: going.id, ready: false, deleted: true },
    ],
  );
  t.deepEqual(instances[0]!.metadata, nodeTags('1'));
  t.deepEqual(instances[1]!.getQuotaInformation?.()?.toJson(), { cores: 4, instances: 1, ram: 8192 }, 'unmanaged instances count by their flavor');
});

test('listResources finds instances and images tagged by Nodepool, and deleteResource removes them', async (t) => {
  const setup = await simSetup({ deleteDelayMs: 60_000 });
  t.teardown(setup.stop);
  const leak = setup.cloud.createInstance({ name: 'np9999999999', metadata: nodeTags('9999999999') });
  setup.cloud.createInstance({ name: 'untagged' });
  setup.cloud.createInstance({ name: 'already-going', metadata: nodeTags('8'), status: 'deleting' });
  const uploadTags = { nodepool_build_id: '0000000001', nodepool_upload_id: '0000000007', nodepool_provider_name: 'sim' };
  const image = setup.cloud.createImage({ name: 'debian-0000000001', metadata: uploadTags });

  const resources = await setup.adapter.listResources({ instances: instanceListing(setup.adapter) });
  t.deepEqual(resources, [
    { type: 'instance', id: leak.id, name: 'np9999999999', metadata: nodeTags('9999999999') },
    { type: 'image', id: image.id, name: 'debian-0000000001', metadata: uploadTags },
  ]);

  setup.cloud.configure({ deleteDelayMs: 0 });
  for (const resource of resources) await setup.adapter.deleteResource(resource);
  t.deepEqual(await setup.adapter.listResources({ instances: instanceListing(setup.adapter) }), []);
  t.deepEqual(
    setup.cloud.instances().map((instance) => instance.name),
    ['untagged', 'already-going'],
  );
  for (const resource of resources) await t.notThrowsAsync(setup.adapter.deleteResource(resource), 'a resource already gone counts as deleted');
  await t.throwsAsync(setup.adapter.deleteResource({ type: 'volume', id: 'v-1', metadata: {} }), { message: /not volume/ });
});

test('quota limits come from the cloud, unlimited where it sets none', async (t) => {
  const setup = await simSetup({ maxCores: 16 });
  t.teardown(setup.stop);
  const limits = await setup.adapter.getQuotaLimits();
  t.is(limits.get('cores'), 16);
  t.is(limits.get('instances'), Infinity);
  t.is(limits.get('ram'), Infinity);
  t.is(limits.get('gpus'), Infinity);
});

test('a label uses what its flavor gives, the flavors read once', async (t) => {
  const setup = await simSetup();
  t.teardown(setup.stop);
  t.deepEqual((await setup.adapter.getQuotaForLabel(setup.label('small'))).toJson(), { cores: 1, instances: 1, ram: 1024 });
  t.deepEqual(await setup.adapter.getQuotaForLabel(setup.label('medium')), new QuotaInformation({ cores: 2, instances: 1, ram: 4096 }));
  t.deepEqual(setup.cloud.calls(), { 'flavors.list': 1 });
  await t.throwsAsync(setup.adapter.getQuotaForLabel(setup.label('odd-flavor')), { message: /flavor xxl of label odd-flavor is not offered by the sim cloud .* \(it has: small, medium, large\)/ });

  setup.cloud.configure({ flavors: [{ name: 'xxl', cores: 32, ram: 65_536 }] });
  t.deepEqual((await setup.adapter.getQuotaForLabel(setup.label('odd-flavor'))).toJson(), { cores: 32, instances: 1, ram: 65_536 }, 'a flavor not known yet is looked up again');
});

test('the availability zones are the cloud’s', async (t) => {
  const setup = await simSetup({ zones: ['north', 'south'] });
  t.teardown(setup.stop);
  t.deepEqual(await setup.adapter.getAZs(), ['north', 'south']);
  t.deepEqual(await setup.adapter.getAZs(), ['north', 'south']);
  t.deepEqual(setup.cloud.calls(), { 'zones.list': 1 });
});

test('labelReady answers from the image list, refreshed in the background', async (t) => {
  const setup = await simSetup();
  t.teardown(setup.stop);
  t.true(setup.adapter.labelReady(setup.label('missing-image')), 'unknown before the first listing: the launch will tell');
  await waitFor(() => setup.cloud.calls()['images.list'] === 1, { timeoutMs: 10_000, intervalMs: 5 });
  await waitFor(() => !setup.adapter.labelReady(setup.label('missing-image')), { timeoutMs: 10_000, intervalMs: 5 });
  t.true(setup.adapter.labelReady(setup.label('small')));
  t.true(setup.adapter.labelReady(setup.label('pinned')));
  t.is(setup.cloud.calls()['images.list'], 1, 'a fresh list is reused');

  setup.cloud.createImage({ name: 'nowhere' });
  t.false(setup.adapter.labelReady(setup.label('missing-image')), 'until the list is ten seconds old');
});

test('an upload sends the file: the cloud keeps its size and checksums and the metadata; deleting it removes it', async (t) => {
  const setup = await simSetup();
  const dir = await mkdtemp(join(tmpdir(), 'sim-upload-'));
  t.teardown(async () => {
    await setup.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const filename = join(dir, 'debian.qcow2');
  const data = Buffer.alloc(4321, 7);
  await writeFile(filename, data);
  const md5 = createHash('md5').update(data).digest('hex');
  const sha256 = createHash('sha256').update(data).digest('hex');
  const metadata = { nodepool_build_id: '0000000001', nodepool_upload_id: '0000000002', nodepool_provider_name: 'sim' };
  const id = await setup.adapter.uploadImage({ imageName: 'debian-1', filename, imageFormat: 'qcow2', metadata, md5 });
  t.like(
    setup.cloud.images().find((image) => image.id === id),
    { name: 'debian-1', format: 'qcow2', size: 4321, metadata, md5, sha256, status: 'active' },
  );
  await setup.adapter.deleteImage(id);
  t.false(setup.cloud.images().some((image) => image.id === id));
  await t.throwsAsync(setup.adapter.deleteImage(id), { instanceOf: NotFoundError });
});

test('a file that does not match the declared checksum is refused and its image deleted', async (t) => {
  const setup = await simSetup();
  const dir = await mkdtemp(join(tmpdir(), 'sim-upload-'));
  t.teardown(async () => {
    await setup.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const filename = join(dir, 'debian.raw');
  await writeFile(filename, 'not what was built');
  const error = await t.throwsAsync(setup.adapter.uploadImage({ imageName: 'debian-2', filename, imageFormat: 'raw', metadata: {}, sha256: '0'.repeat(64) }));
  t.regex(error!.message, /does not match its declared checksums/);
  t.false(setup.cloud.images().some((image) => image.name === 'debian-2'), 'the killed image was deleted');
});

test('alien images: Nodepool’s uploads for this provider that ZooKeeper no longer knows', async (t) => {
  const setup = await simSetup();
  t.teardown(setup.stop);
  const tags = (build: string, provider = 'sim') => ({ nodepool_build_id: build, nodepool_upload_id: '0000000001', nodepool_provider_name: provider });
  const known = setup.cloud.createImage({ name: 'debian-0000000001', metadata: tags('0000000001') });
  const alien = setup.cloud.createImage({ name: 'debian-0000000002', metadata: tags('0000000002') });
  setup.cloud.createImage({ name: 'elsewhere-0000000003', metadata: tags('0000000003', 'elsewhere') });
  setup.cloud.createImage({ name: 'hand-made', metadata: {} });
  // As `nodepool alien-image-list` does: a provider created, never started (so no ZooKeeper).
  const provider = createProvider(setup.config, simDriver, { zk: undefined as never, hostname: 'test', log: getLogger('test') }, { listingIntervalMs: 1_000, quotaCacheMs: 1_000 })!;
  t.deepEqual(await provider.listAlienImages!(new Set([known.id])), [{ id: alien.id, name: 'debian-0000000002' }]);
});

test('every API call goes through the kit’s limiters: reads read-only, changes mutating', async (t) => {
  const clock = new FakeClock();
  const setup = await simSetup({ now: clock.now });
  t.teardown(setup.stop);
  const { mutating, readOnly } = setup.context.rateLimits;
  await setup.adapter.listInstances();
  await setup.adapter.listResources({ instances: instanceListing(setup.adapter) });
  await setup.adapter.getQuotaLimits();
  await setup.adapter.getAZs();
  await setup.adapter.getQuotaForLabel(setup.label('small'));
  t.is(readOnly.calls, 6);
  t.is(mutating.calls, 0);
  const leak = setup.cloud.createInstance({ metadata: nodeTags('5') });
  await setup.adapter.deleteResource({ type: 'instance', id: leak.id, metadata: {} });
  t.is(mutating.calls, 1);
  const total = Object.values(setup.cloud.calls()).reduce((sum, count) => sum + count, 0);
  t.is(total, readOnly.calls + mutating.calls);
});
