/**
 * The fake's wire formats, checked with plain fetch: what real OpenStack services answer and
 * refuse, so that a client agreeable to the fake is agreeable to a cloud.
 */
import test from 'ava';
import { startFakeOpenStack, type FakeOpenStackHandle } from '@nodepool/driver-openstack/testing';

async function session(t: { teardown(fn: () => unknown): void }, options: Parameters<typeof startFakeOpenStack>[0] = {}) {
  const fake = await startFakeOpenStack(options);
  t.teardown(() => fake.stop());
  const auth = await fetch(`${fake.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'nodepool', domain: { name: 'Default' }, password: 'nodepool-secret' } } }, scope: { project: { name: 'nodepool', domain: { name: 'Default' } } } } }),
  });
  const token = auth.headers.get('x-subject-token')!;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${fake.url}${path}`, { method, headers: { 'X-Auth-Token': token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { fake, auth, token, call };
}

const imageOf = (fake: FakeOpenStackHandle) => fake.state().images[0]!.id;

test('Keystone issues a scoped token with X-Subject-Token, its expiry, and a catalog of every service, region and interface', async (t) => {
  const { fake, auth } = await session(t);
  t.is(auth.status, 201);
  const body = (await auth.json()) as { token: { expires_at: string; project: { id: string }; catalog: { type: string; endpoints: { interface: string; url: string }[] }[] } };
  t.is(body.token.project.id, fake.state().projectId);
  t.regex(body.token.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  t.deepEqual(body.token.catalog.map((service) => service.type), ['identity', 'compute', 'network', 'image', 'block-storage', 'volumev3']);
  const compute = body.token.catalog.find((service) => service.type === 'compute')!;
  t.deepEqual(compute.endpoints.map((endpoint) => `${endpoint.interface} ${endpoint.url}`), [`public ${fake.url}/compute/v2.1`, `internal ${fake.url}/internal/compute/v2.1`, `admin ${fake.url}/admin/compute/v2.1`]);
  const versions = await fetch(`${fake.url}/identity`);
  t.is(versions.status, 300, 'Keystone answers its version list with Multiple Choices');
});

test('a call without a valid token is 401 in keystonemiddleware\'s format, with WWW-Authenticate', async (t) => {
  const { fake } = await session(t);
  const answer = await fetch(`${fake.url}/compute/v2.1/servers`, { headers: { 'X-Auth-Token': 'nope' } });
  t.is(answer.status, 401);
  t.is(answer.headers.get('www-authenticate'), `Keystone uri="${fake.url}/identity"`);
  t.deepEqual(await answer.json(), { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } });
});

test('Nova answers at the microversion asked for, says which, and refuses one outside its range', async (t) => {
  const { call, fake } = await session(t, { computeMaxMicroversion: '2.90' });
  await call('POST', '/compute/v2.1/servers', { server: { name: 's', imageRef: imageOf(fake), flavorRef: '2', networks: 'auto' } }, { 'OpenStack-API-Version': 'compute 2.73' });
  const old = await call('GET', '/compute/v2.1/servers/detail');
  t.is(old.headers.get('openstack-api-version'), 'compute 2.1');
  t.deepEqual(((await old.json()) as { servers: { flavor: unknown }[] }).servers[0]!.flavor, { id: '2', links: [{ rel: 'bookmark', href: `${fake.url}/compute/flavors/2` }] });
  const embedded = await call('GET', '/compute/v2.1/servers/detail', undefined, { 'X-OpenStack-Nova-API-Version': '2.47' });
  t.is(embedded.headers.get('x-openstack-nova-api-version'), '2.47');
  t.like(((await embedded.json()) as { servers: { flavor: unknown }[] }).servers[0]!.flavor, { vcpus: 1, ram: 2048, original_name: 'm1.small' });
  t.is((await call('GET', '/compute/v2.1/servers', undefined, { 'OpenStack-API-Version': 'compute latest' })).headers.get('openstack-api-version'), 'compute 2.90');
  const refused = await call('GET', '/compute/v2.1/servers', undefined, { 'OpenStack-API-Version': 'compute 2.91' });
  t.is(refused.status, 406);
  t.deepEqual(await refused.json(), { notAcceptable: { code: 406, message: 'Version 2.91 is not supported by the API. Minimum is 2.1 and maximum is 2.90.' } });
  const versions = (await (await fetch(`${fake.url}/compute/`)).json()) as { versions: { id: string; version: string }[] };
  t.like(versions.versions[1], { id: 'v2.1', version: '2.90' });
});

test('Nova refuses what its schema refuses: unknown keys, metadata that is not strings, no networks from 2.37 on', async (t) => {
  const { call, fake } = await session(t);
  const server = (extra: Record<string, unknown>) => ({ server: { name: 's', imageRef: imageOf(fake), flavorRef: '1', networks: 'auto', ...extra } });
  const mv = { 'OpenStack-API-Version': 'compute 2.73' };
  const unknown = await call('POST', '/compute/v2.1/servers', server({ colour: 'red' }), mv);
  t.is(unknown.status, 400);
  t.regex(((await unknown.json()) as { badRequest: { message: string } }).badRequest.message, /Additional properties are not allowed \('colour' was unexpected\)/);
  t.is((await call('POST', '/compute/v2.1/servers', server({ metadata: { count: 3 } }), mv)).status, 400);
  const { networks: _networks, ...withoutNetworks } = server({}).server;
  t.is((await call('POST', '/compute/v2.1/servers', { server: withoutNetworks }, mv)).status, 400);
  t.is((await call('POST', '/compute/v2.1/servers', { server: withoutNetworks })).status, 202, 'before 2.37, Nova picks the network itself');
  t.is((await call('POST', '/compute/v2.1/servers', server({ key_name: 'nobody' }), mv)).status, 400);
  const created = await call('POST', '/compute/v2.1/servers', server({}), mv);
  t.is(created.status, 202);
  const body = (await created.json()) as { server: { id: string; adminPass: string; links: unknown[] } };
  t.is(created.headers.get('location'), `${fake.url}/compute/v2.1/servers/${body.server.id}`);
  t.truthy(body.server.adminPass);
});

test('Nova refuses beyond quota with its 403 naming every resource over, and pages its listings', async (t) => {
  const { call, fake } = await session(t, { quotas: { cores: 3, ram: 3000 }, maxPageSize: 2 });
  const create = (flavorRef: string) => call('POST', '/compute/v2.1/servers', { server: { name: 's', imageRef: imageOf(fake), flavorRef, networks: 'auto' } }, { 'OpenStack-API-Version': 'compute 2.73' });
  for (const flavor of ['1', '1', '1']) t.is((await create(flavor)).status, 202);
  const refused = await create('3');
  t.is(refused.status, 403);
  t.deepEqual(await refused.json(), { forbidden: { code: 403, message: 'Quota exceeded for cores, ram: Requested 2, 4096, but already used 3, 1536 of 3, 3000 cores, ram' } });
  const first = (await (await call('GET', '/compute/v2.1/servers/detail')).json()) as { servers: { id: string }[]; servers_links?: { rel: string; href: string }[] };
  t.is(first.servers.length, 2);
  const next = first.servers_links!.find((link) => link.rel === 'next')!.href;
  const second = (await (await call('GET', next.slice(fake.url.length))).json()) as { servers: { id: string }[]; servers_links?: unknown };
  t.is(second.servers.length, 1);
  t.is(second.servers_links, undefined, 'the last page links nowhere');
  t.is(new Set([...first.servers, ...second.servers].map((server) => server.id)).size, 3);
});

test('Neutron filters, selects fields and answers errors as NeutronError', async (t) => {
  const { call, fake } = await session(t);
  const networks = (await (await call('GET', '/network/v2.0/networks?router:external=true&fields=id&fields=name')).json()) as { networks: Record<string, unknown>[] };
  t.deepEqual(networks.networks, [{ id: fake.state().networks.find((network) => network.external)!.id, name: 'public' }]);
  const missing = await call('DELETE', '/network/v2.0/floatingips/nope');
  t.is(missing.status, 404);
  t.deepEqual(await missing.json(), { NeutronError: { type: 'FloatingIPNotFound', message: 'Floating IP nope could not be found', detail: '' } });
  fake.configure({ quotas: { floatingips: 0 } });
  const over = await call('POST', '/network/v2.0/floatingips', { floatingip: { floating_network_id: fake.state().networks.find((network) => network.external)!.id } });
  t.is(over.status, 409);
  t.like(await over.json(), { NeutronError: { type: 'OverQuota' } });
});

test('Glance creates an image, takes its data as octet-stream, and answers errors as WebOb pages', async (t) => {
  const { call, fake } = await session(t);
  const created = await call('POST', '/image/v2/images', { name: 'up', disk_format: 'raw', container_format: 'bare', nodepool_build_id: '7' });
  t.is(created.status, 201);
  const image = (await created.json()) as { id: string; status: string; nodepool_build_id: string; file: string };
  t.like(image, { status: 'queued', nodepool_build_id: '7', file: `/v2/images/${image.id}/file` });
  t.is((await call('PUT', `/image/v2/images/${image.id}/file`, 'x', { 'Content-Type': 'application/json' })).status, 415);
  const put = await fetch(`${fake.url}/image/v2/images/${image.id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': (await session(t)).token, 'Content-Type': 'application/octet-stream' }, body: Buffer.from('abc') });
  t.is(put.status, 401, 'a token of another fake is no token here');
  const stored = await call('PUT', `/image/v2/images/${image.id}/file`, undefined, { 'Content-Type': 'application/octet-stream' });
  t.is(stored.status, 204);
  t.like((await (await call('GET', `/image/v2/images/${image.id}`)).json()) as object, { status: 'active', size: 0, checksum: 'd41d8cd98f00b204e9800998ecf8427e', os_hash_algo: 'sha512' });
  const readOnly = await call('POST', '/image/v2/images', { name: 'x', status: 'active' });
  t.is(readOnly.status, 403);
  const missing = await call('GET', '/image/v2/images/nope');
  t.is(missing.status, 404);
  t.is(missing.headers.get('content-type'), 'text/html; charset=UTF-8');
  t.regex(await missing.text(), /<h1>404 Not Found<\/h1>\n {2}No image found with ID nope/);
});

test('Cinder lives under the project, refuses beyond quota with 413, and will not delete a volume in use', async (t) => {
  const { call, fake } = await session(t, { quotas: { volumes: 1 } });
  const base = `/volume/v3/${fake.state().projectId}`;
  t.is((await call('GET', '/volume/v3/another-project/volumes')).status, 400);
  const created = await call('POST', `${base}/volumes`, { volume: { size: 2, name: 'v' } });
  t.is(created.status, 202);
  const over = await call('POST', `${base}/volumes`, { volume: { size: 2 } });
  t.is(over.status, 413);
  t.deepEqual(await over.json(), { overLimit: { code: 413, message: "VolumeLimitExceeded: Maximum number of volumes allowed (1) exceeded for quota 'volumes'." } });
  const limits = (await (await call('GET', `${base}/limits`)).json()) as { limits: { absolute: Record<string, number> } };
  t.like(limits.limits.absolute, { maxTotalVolumes: 1, totalVolumesUsed: 1, totalGigabytesUsed: 2 });
  // A volume Nova attached to a server stays until the server goes.
  fake.configure({ quotas: { volumes: 10 } });
  const booted = await call('POST', '/compute/v2.1/servers', {
    server: { name: 'bfv', imageRef: '', flavorRef: '1', networks: 'auto', block_device_mapping_v2: [{ boot_index: '0', source_type: 'image', destination_type: 'volume', uuid: imageOf(fake), volume_size: '1', delete_on_termination: true }] },
  }, { 'OpenStack-API-Version': 'compute 2.73' });
  t.is(booted.status, 202);
  const attached = fake.state().volumes.find((volume) => volume.serverId !== null)!;
  const refused = await call('DELETE', `${base}/volumes/${attached.id}`);
  t.is(refused.status, 400);
  t.regex(((await refused.json()) as { badRequest: { message: string } }).badRequest.message, /^Invalid volume: Volume status must be available/);
});
