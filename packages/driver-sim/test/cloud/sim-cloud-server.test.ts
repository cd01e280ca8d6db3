import { createHash } from 'node:crypto';
import test from 'ava';
import { startSimCloud, type SimCloudHandle, type SimErrorBody, type SimInstance } from '@nodepool/driver-sim/cloud';
import { waitFor } from '@nodepool/testkit';
import { api, FakeClock } from '../helpers.js';

const tags = { nodepool_node_id: '0000000001', nodepool_pool_name: 'main', nodepool_provider_name: 'sim' };

async function withCloud(options: Parameters<typeof startSimCloud>[0], body: (cloud: SimCloudHandle) => Promise<void>): Promise<void> {
  const cloud = await startSimCloud(options);
  try {
    await body(cloud);
  } finally {
    await cloud.stop();
  }
}

const create = (cloud: SimCloudHandle, extra: Record<string, unknown> = {}) =>
  // One of the two, depending on the outcome; typed as both for the assertions' sake.
  api<{ instance: SimInstance; error: SimErrorBody['error'] }>(cloud.url, 'POST', '/instances', { name: 'np0000000001', flavor: 'small', imageId: 'img-sim-base', metadata: tags, ...extra });

test('creates, lists, gets and deletes an instance, running at once with no boot delay', async (t) => {
  await withCloud({}, async (cloud) => {
    const created = await create(cloud, { az: 'sim-b' });
    t.is(created.status, 201);
    const { instance } = created.body;
    t.regex(instance.id, /^i-[0-9a-f]{8}$/);
    t.like(instance, {
      name: 'np0000000001',
      status: 'running',
      flavor: 'small',
      cores: 1,
      ram: 1024,
      imageId: 'img-sim-base',
      az: 'sim-b',
      region: 'sim',
      metadata: tags,
      addresses: { public: '127.0.0.1', private: '127.0.0.1' },
      sshPort: 22,
    });

    const listed = await api<{ instances: SimInstance[] }>(cloud.url, 'GET', '/instances');
    t.deepEqual(listed.body.instances, [instance]);
    t.deepEqual((await api(cloud.url, 'GET', `/instances/${instance.id}`)).body, { instance });

    const deleted = await api<{ instance: SimInstance }>(cloud.url, 'DELETE', `/instances/${instance.id}`);
    t.is(deleted.status, 202);
    t.is(deleted.body.instance.status, 'deleting');
    t.deepEqual((await api(cloud.url, 'GET', '/instances')).body, { instances: [] });
    const again = await api(cloud.url, 'DELETE', `/instances/${instance.id}`);
    t.is(again.status, 404);
    t.is(again.body.error.code, 'NotFound');
  });
});

test('an instance without a zone goes to the first one', async (t) => {
  await withCloud({ zones: ['z1', 'z2'] }, async (cloud) => {
    t.is((await create(cloud)).body.instance.az, 'z1');
    t.deepEqual((await api(cloud.url, 'GET', '/availability-zones')).body, { zones: ['z1', 'z2'] });
  });
});

test('an instance stays building for the boot delay, then runs', async (t) => {
  const clock = new FakeClock();
  await withCloud({ bootDelayMs: 5_000, now: clock.now }, async (cloud) => {
    const { instance } = (await create(cloud)).body;
    t.is(instance.status, 'building');
    clock.advance(4_999);
    t.is((await api(cloud.url, 'GET', `/instances/${instance.id}`)).body.instance.status, 'building');
    clock.advance(1);
    t.is((await api(cloud.url, 'GET', `/instances/${instance.id}`)).body.instance.status, 'running');
  });
});

test('with a real clock a short boot delay passes on its own', async (t) => {
  await withCloud({ bootDelayMs: 30 }, async (cloud) => {
    const { instance } = (await create(cloud)).body;
    t.is(instance.status, 'building');
    await waitFor(async () => (await api(cloud.url, 'GET', `/instances/${instance.id}`)).body.instance.status === 'running', { timeoutMs: 10_000, intervalMs: 10 });
    t.pass();
  });
});

test('a deleted instance is listed as deleting until the delete delay passed', async (t) => {
  const clock = new FakeClock();
  await withCloud({ deleteDelayMs: 1_000, now: clock.now }, async (cloud) => {
    const { instance } = (await create(cloud)).body;
    await api(cloud.url, 'DELETE', `/instances/${instance.id}`);
    t.deepEqual(
      (await api<{ instances: SimInstance[] }>(cloud.url, 'GET', '/instances')).body.instances.map((listed) => listed.status),
      ['deleting'],
    );
    t.is((await api(cloud.url, 'DELETE', `/instances/${instance.id}`)).status, 202, 'deleting twice is fine');
    clock.advance(1_000);
    t.is((await api(cloud.url, 'GET', `/instances/${instance.id}`)).status, 404);
  });
});

test('the failure rate sends instances to error, the same ones for the same seed', async (t) => {
  const fates = async (seed: number): Promise<string[]> => {
    const statuses: string[] = [];
    await withCloud({ failureRate: 0.5, seed }, async (cloud) => {
      for (let n = 0; n < 20; n++) statuses.push((await create(cloud, { name: `np${n}` })).body.instance.status);
    });
    return statuses;
  };
  const first = await fates(7);
  t.deepEqual(await fates(7), first);
  t.true(first.includes('error'));
  t.true(first.includes('running'));
  t.notDeepEqual(await fates(8), first);

  await withCloud({ failureRate: 1, bootDelayMs: 60_000, now: () => 0 }, async (cloud) => {
    t.is((await create(cloud)).body.instance.status, 'building', 'a failing instance builds first');
  });
});

test('quota limits refuse a create with HTTP 403 QuotaExceeded naming the resource', async (t) => {
  await withCloud({ maxInstances: 3, maxCores: 4, maxRam: 100_000 }, async (cloud) => {
    t.is((await create(cloud, { flavor: 'medium' })).status, 201);
    t.is((await create(cloud, { flavor: 'small' })).status, 201);
    const refused = await create(cloud, { flavor: 'medium' });
    t.is(refused.status, 403);
    t.is(refused.body.error.code, 'QuotaExceeded');
    t.is(refused.body.error.resource, 'cores');
    t.regex(refused.body.error.message, /Quota exceeded for cores: requested 2, 3 of 4 in use/);
    t.deepEqual((await api(cloud.url, 'GET', '/quota')).body, {
      limits: { instances: 3, cores: 4, ram: 100_000 },
      usage: { instances: 2, cores: 3, ram: 5120 },
    });
    t.is((await create(cloud, { flavor: 'small' })).status, 201);
    t.is((await create(cloud, { flavor: 'small' })).body.error.resource, 'instances');
  });
});

test('quota is unlimited by default', async (t) => {
  await withCloud({}, async (cloud) => {
    t.deepEqual((await api(cloud.url, 'GET', '/quota')).body.limits, { instances: null, cores: null, ram: null });
  });
});

test('over the rate limit a request gets HTTP 429 with Retry-After, and passes once the budget refilled', async (t) => {
  const clock = new FakeClock();
  await withCloud({ rateLimit: 2, now: clock.now }, async (cloud) => {
    t.is((await api(cloud.url, 'GET', '/instances')).status, 200);
    t.is((await api(cloud.url, 'GET', '/instances')).status, 200);
    const throttled = await api(cloud.url, 'GET', '/instances');
    t.is(throttled.status, 429);
    t.is(throttled.headers.get('retry-after'), '1');
    t.is(throttled.headers.get('retry-after-ms'), '500');
    t.like(throttled.body.error, { code: 'Throttled', retryAfterMs: 500 });
    t.is((await api(cloud.url, 'GET', '/_sim/calls')).status, 200, 'the control plane is never throttled');
    clock.advance(500);
    t.is((await api(cloud.url, 'GET', '/instances')).status, 200);
    t.deepEqual(cloud.calls(), { 'instances.list': 3, 'instances.list.throttled': 1 });
  });
});

test('throttles by count: the first calls of an operation, then every n-th, whatever the clock', async (t) => {
  // No fake clock: a count-based throttle does not depend on time at all.
  await withCloud({ throttles: { 'instances.list': { first: 1, every: 2, retryAfterMs: 250 } } }, async (cloud) => {
    const statuses: number[] = [];
    for (let call = 0; call < 6; call++) statuses.push((await api(cloud.url, 'GET', '/instances')).status);
    // Call 1, then the 2nd and 4th of the rest (calls 3 and 5).
    t.deepEqual(statuses, [429, 200, 429, 200, 429, 200]);
    const throttled = await api(cloud.url, 'GET', '/instances');
    t.is(throttled.status, 429, 'call 7: the 6th after the first');
    t.is(throttled.headers.get('retry-after-ms'), '250');
    t.like(throttled.body.error, { code: 'Throttled', retryAfterMs: 250 });
    t.is((await api(cloud.url, 'GET', '/flavors')).status, 200, 'other operations are untouched');
    t.deepEqual(cloud.calls(), { 'flavors.list': 1, 'instances.list': 3, 'instances.list.throttled': 4 });

    // `*` covers every operation; a rule set again counts from the start; the wait is the rule's.
    cloud.configure({ throttles: { 'instances.list': null, '*': { first: 1 } } });
    const first = await api(cloud.url, 'GET', '/quota');
    t.is(first.status, 429);
    t.is(first.headers.get('retry-after-ms'), '1000');
    t.like(first.body.error, { code: 'Throttled', retryAfterMs: 1000 });
    t.is((await api(cloud.url, 'GET', '/instances')).status, 200);
    t.deepEqual(cloud.settings().throttles, { '*': { first: 1 } });
    cloud.configure({ throttles: { '*': { first: 1 } } });
    t.is((await api(cloud.url, 'GET', '/instances')).status, 429);
    t.is((await api(cloud.url, 'POST', '/_sim/reset')).status, 204);
    t.deepEqual(cloud.settings().throttles, { 'instances.list': { first: 1, every: 2, retryAfterMs: 250 } }, 'a reset brings back the starting rules');
  });
});

test('counts API calls per operation, not control calls, until reset', async (t) => {
  await withCloud({}, async (cloud) => {
    const { instance } = (await create(cloud)).body;
    await create(cloud);
    await api(cloud.url, 'GET', '/instances');
    await api(cloud.url, 'GET', `/instances/${instance.id}`);
    await api(cloud.url, 'DELETE', `/instances/${instance.id}`);
    await api(cloud.url, 'GET', '/flavors');
    await api(cloud.url, 'GET', '/quota');
    await api(cloud.url, 'GET', '/_sim/instances');
    const expected = { 'flavors.list': 1, 'instances.create': 2, 'instances.delete': 1, 'instances.get': 1, 'instances.list': 1, 'quota.get': 1 };
    t.deepEqual((await api(cloud.url, 'GET', '/_sim/calls')).body, expected);
    t.deepEqual(cloud.calls(), expected);
    t.deepEqual((await api(cloud.url, 'DELETE', '/_sim/calls')).body, expected, 'the reset returns what it cleared');
    t.deepEqual(cloud.calls(), {});
    await api(cloud.url, 'GET', '/images');
    t.deepEqual(cloud.resetCalls(), { 'images.list': 1 });
  });
});

test('a leak can be made behind the API: tagged for a node that does not exist, uncounted, over quota', async (t) => {
  await withCloud({ maxInstances: 0 }, async (cloud) => {
    const leakTags = { nodepool_node_id: '9999999999', nodepool_pool_name: 'main', nodepool_provider_name: 'sim' };
    const made = await api<{ instance: SimInstance }>(cloud.url, 'POST', '/_sim/instances', { metadata: leakTags });
    t.is(made.status, 201);
    t.like(made.body.instance, { status: 'running', flavor: 'small', metadata: leakTags });
    t.regex(made.body.instance.name, /^sim-direct-\d+$/);
    const direct = cloud.createInstance({ name: 'stuck', status: 'building' });
    t.is(direct.status, 'building');
    t.deepEqual(
      cloud.instances().map((instance) => instance.name),
      [made.body.instance.name, 'stuck'],
    );
    t.deepEqual(cloud.calls(), {});
    t.is((await create(cloud)).status, 403, 'the quota still applies to the API');
  });
});

test('a reset brings back the starting settings and images, with no instances or counts', async (t) => {
  await withCloud({ bootDelayMs: 10, zones: ['only'] }, async (cloud) => {
    await create(cloud);
    await api(cloud.url, 'POST', '/images', { name: 'mine' });
    await api(cloud.url, 'POST', '/_sim/config', { bootDelayMs: 99, maxCores: 1 });
    t.is((await api(cloud.url, 'POST', '/_sim/reset')).status, 204);
    t.deepEqual(cloud.instances(), []);
    t.deepEqual(
      cloud.images().map((image) => image.id),
      ['img-sim-base'],
    );
    t.deepEqual(cloud.calls(), {});
    t.like(cloud.settings(), { bootDelayMs: 10, maxCores: null, zones: ['only'] });
  });
});

test('settings change at run time and apply to new instances', async (t) => {
  await withCloud({}, async (cloud) => {
    const changed = await api(cloud.url, 'POST', '/_sim/config', { address: '192.0.2.10', privateAddress: '10.0.0.5', sshPort: 2222 });
    t.like(changed.body, { address: '192.0.2.10', privateAddress: '10.0.0.5', sshPort: 2222, bootDelayMs: 0 });
    t.like((await create(cloud)).body.instance, { addresses: { public: '192.0.2.10', private: '10.0.0.5' }, sshPort: 2222 });
    cloud.configure({ flavors: [{ name: 'huge', cores: 64, ram: 262_144 }] });
    t.deepEqual((await api(cloud.url, 'GET', '/flavors')).body, { flavors: [{ name: 'huge', cores: 64, ram: 262_144 }] });
    t.deepEqual((await api(cloud.url, 'GET', '/_sim/config')).body, cloud.settings());
  });
});

test('bad settings are refused with HTTP 400 and change nothing', async (t) => {
  await withCloud({}, async (cloud) => {
    const unknown = await api(cloud.url, 'POST', '/_sim/config', { bootDelay: 5 });
    t.is(unknown.status, 400);
    t.regex(unknown.body.error.message, /unknown setting bootDelay/);
    const rate = await api(cloud.url, 'POST', '/_sim/config', { failureRate: 2 });
    t.regex(rate.body.error.message, /failureRate must be a number from 0 to 1/);
    const operation = await api(cloud.url, 'POST', '/_sim/config', { throttles: { 'servers.create': { first: 1 } } });
    t.regex(operation.body.error.message, /throttles: unknown operation servers\.create/);
    const every = await api(cloud.url, 'POST', '/_sim/config', { throttles: { 'instances.create': { every: 0 } } });
    t.regex(every.body.error.message, /throttles\.instances\.create\.every must be an integer at least 1/);
    const nothing = await api(cloud.url, 'POST', '/_sim/config', { throttles: { 'instances.create': { first: 0 } } });
    t.regex(nothing.body.error.message, /throttles\.instances\.create throttles nothing/);
    t.deepEqual(cloud.settings().throttles, {});
    t.is(cloud.settings().failureRate, 0);
    t.throws(() => cloud.configure({ zones: [] }), { message: /zones must be a non-empty list/ });
  });
});

test('the default flavors are small, medium and large', async (t) => {
  await withCloud({}, async (cloud) => {
    t.deepEqual((await api(cloud.url, 'GET', '/flavors')).body.flavors, [
      { name: 'small', cores: 1, ram: 1024 },
      { name: 'medium', cores: 2, ram: 4096 },
      { name: 'large', cores: 4, ram: 8192 },
    ]);
  });
});

test('images are uploaded as records, listed and deleted', async (t) => {
  await withCloud({}, async (cloud) => {
    const metadata = { nodepool_build_id: '0000000001', nodepool_upload_id: '0000000002', nodepool_provider_name: 'sim' };
    const uploaded = await api(cloud.url, 'POST', '/images', { name: 'debian-1', format: 'qcow2', size: 12345, metadata });
    t.is(uploaded.status, 201);
    const { image } = uploaded.body;
    t.like(image, { name: 'debian-1', format: 'qcow2', size: 12345, status: 'active', metadata });
    t.deepEqual(
      (await api(cloud.url, 'GET', '/images')).body.images.map((listed: { id: string }) => listed.id),
      ['img-sim-base', image.id],
    );
    t.deepEqual((await api(cloud.url, 'GET', `/images/${image.id}`)).body, { image });
    t.is((await create(cloud, { imageId: image.id })).status, 201, 'an uploaded image boots');
    t.is((await api(cloud.url, 'DELETE', `/images/${image.id}`)).status, 204);
    t.is((await api(cloud.url, 'DELETE', `/images/${image.id}`)).body.error.code, 'NotFound');
    t.is((await api(cloud.url, 'POST', '/images', { name: 'x', id: 'chosen' })).body.image.id.startsWith('img-'), true, 'the API picks IDs');
  });
});

test('an image created for upload is queued, saving while its file arrives (held while holdUploads is on), then active with what was received', async (t) => {
  await withCloud({}, async (cloud) => {
    const data = Buffer.from('a disk image\n'.repeat(1000));
    const created = await api(cloud.url, 'POST', '/images', { name: 'debian-2', format: 'raw', upload: true, md5: createHash('md5').update(data).digest('hex') });
    const id = created.body.image.id as string;
    t.like(created.body.image, { status: 'queued', size: null });
    t.is((await create(cloud, { imageId: id })).body.error.message, `image ${id} is queued, not active`, 'a queued image does not boot');

    await cloud.configure({ holdUploads: true });
    const put = fetch(`${cloud.url}/images/${id}/file`, { method: 'PUT', body: data });
    await waitFor(() => cloud.images().find((image) => image.id === id)?.status === 'saving', { timeoutMs: 30_000 });
    await cloud.configure({ holdUploads: false });
    const reply = await put;
    t.is(reply.status, 200);
    const { image } = (await reply.json()) as { image: { status: string; size: number; sha256: string } };
    t.like(image, { status: 'active', size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    t.is((await fetch(`${cloud.url}/images/${id}/file`, { method: 'PUT', body: data })).status, 409, 'an active image takes no second file');
    t.is(cloud.calls()['images.upload'], 2);
    t.is((await create(cloud, { imageId: id })).status, 201);

    const other = (await api(cloud.url, 'POST', '/images', { name: 'debian-3', upload: true, sha256: '0'.repeat(64) })).body.image.id as string;
    const refused = await fetch(`${cloud.url}/images/${other}/file`, { method: 'PUT', body: data });
    t.is(refused.status, 400);
    t.is(cloud.images().find((candidate) => candidate.id === other)?.status, 'killed');
  });
});

test('bad requests get HTTP 400 naming the problem', async (t) => {
  await withCloud({}, async (cloud) => {
    const cases: [unknown, RegExp][] = [
      [{ flavor: 'small' }, /name is required/],
      [{ name: 'x', flavor: 'tiny' }, /flavor tiny does not exist \(known: small, medium, large\)/],
      [{ name: 'x', flavor: 'small', imageId: 'img-nope' }, /image img-nope does not exist/],
      [{ name: 'x', flavor: 'small', az: 'moon' }, /availability zone moon does not exist/],
      [{ name: 'x', flavor: 'small', metadata: { n: 1 } }, /metadata\.n must be a string/],
      ['{not json', /not valid JSON/],
      [[1, 2], /must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const reply = await api(cloud.url, 'POST', '/instances', body);
      t.is(reply.status, 400, String(message));
      t.is(reply.body.error.code, 'BadRequest');
      t.regex(reply.body.error.message, message);
    }
    t.deepEqual(cloud.instances(), []);
  });
});

test('a wrong path is told apart from a missing object', async (t) => {
  await withCloud({}, async (cloud) => {
    const unknown = await api(cloud.url, 'GET', '/servers');
    t.is(unknown.status, 404);
    t.is(unknown.body.error.code, 'UnknownRoute');
    const method = await api(cloud.url, 'PUT', '/instances');
    t.is(method.status, 405);
    t.is(method.body.error.code, 'MethodNotAllowed');
    t.like((await api(cloud.url, 'GET', '/')).body, { name: 'nodepool-sim-cloud', simulator: true });
  });
});

test('bad start options are refused', async (t) => {
  await t.throwsAsync(startSimCloud({ failureRate: 3 }), { instanceOf: TypeError, message: /invalid sim cloud options: failureRate/ });
});
