import test from 'ava';
import { NotFoundError } from '@nodepool/core';
import { OpenStackApiError } from '@nodepool/driver-openstack';
import { startFakeOpenStack } from '@nodepool/driver-openstack/testing';
import { waitFor } from '@nodepool/testkit';
import { catalogEndpoint } from '../../src/client/keystone.js';
import { EndpointNotFoundError } from '../../src/client/openstack-errors.js';
import { clientOf } from './helpers.js';

async function fakeFor(t: { teardown(fn: () => unknown): void }, options: Parameters<typeof startFakeOpenStack>[0] = {}) {
  const fake = await startFakeOpenStack(options);
  t.teardown(() => fake.stop());
  return fake;
}

test('one token serves every call until it nears its end; the catalog names the endpoints', async (t) => {
  const fake = await fakeFor(t);
  const { client } = clientOf(fake);
  t.true((await client.nova.listFlavors()).some((flavor) => flavor.name === 'm1.small'));
  await client.neutron.listNetworks();
  await client.glance.listImages();
  await client.cinder.limits();
  t.is(fake.calls()['identity.POST.tokens'], 1);
  t.is(await client.session.projectId(), fake.state().projectId);
  t.is((await client.session.root('compute')).url, `${fake.url}/compute/v2.1`);
  t.is((await client.session.root('network')).url, `${fake.url}/network/v2.0`);
  t.is((await client.session.root('image')).url, `${fake.url}/image/v2`);
  t.is((await client.session.root('block-storage')).url, `${fake.url}/volume/v3/${fake.state().projectId}`);
});

test('an application credential authenticates without a scope', async (t) => {
  const fake = await fakeFor(t);
  const { client } = clientOf(fake, { auth: 'application-credential' });
  await client.nova.listServers();
  t.is(fake.calls()['identity.POST.tokens'], 1);
});

test('a wrong password is Keystone\'s 401, said plainly', async (t) => {
  const fake = await fakeFor(t);
  const { client } = clientOf(fake, { edit: (text) => text.replace(/password: .*/, 'password: wrong') });
  const error = await t.throwsAsync(client.nova.listFlavors(), { instanceOf: OpenStackApiError });
  t.is(error!.status, 401);
  t.regex(error!.message, /identity\.POST\.tokens: HTTP 401: The request you have made requires authentication/);
});

test('a token about to expire is renewed before use, so no call is refused', async (t) => {
  // A 4 s token is renewed in its last second (a quarter of its life, for short-lived tokens).
  const fake = await fakeFor(t, { tokenTtlMs: 4_000 });
  const { client } = clientOf(fake);
  await client.nova.listFlavors();
  await client.nova.listFlavors();
  const { issuedAt } = await client.session.keystone.token();
  t.is(fake.calls()['identity.POST.tokens'], 1, 'a fresh token serves');
  // Past three quarters of its life by the client's clock, however slow the machine: renewed.
  await waitFor(() => Date.now() > issuedAt + 3_200, { timeoutMs: 10_000 });
  await client.nova.listFlavors();
  t.is(fake.calls()['identity.POST.tokens'], 2);
  t.is(fake.calls()['compute.GET.flavors_detail.failed'], undefined, 'no call was refused');
});

test('a token the cloud refuses (401) is replaced and the call sent once more', async (t) => {
  const fake = await fakeFor(t);
  const { client } = clientOf(fake);
  await client.nova.listFlavors();
  t.is(fake.revokeTokens(), 1);
  await client.nova.listFlavors();
  // Three answers: the first call, its second one refused (401), and that one sent again.
  t.like(fake.calls(), { 'identity.POST.tokens': 2, 'compute.GET.flavors_detail': 3, 'compute.GET.flavors_detail.failed': 1 });
});

test('the interface and region of clouds.yaml pick the endpoints', async (t) => {
  const fake = await fakeFor(t, { regions: ['RegionOne', 'RegionTwo'] });
  const internal = clientOf(fake, { interface: 'internal' });
  await internal.client.nova.listFlavors();
  const second = clientOf(fake, { region: 'RegionTwo' });
  await second.client.nova.listFlavors();
  const endpoints = fake.endpointCalls();
  t.true((endpoints['RegionOne/internal'] ?? 0) >= 2, JSON.stringify(endpoints));
  t.true((endpoints['RegionTwo/public'] ?? 0) >= 2, JSON.stringify(endpoints));
  t.is((await internal.client.session.root('compute')).url, `${fake.url}/internal/compute/v2.1`);
  t.is((await second.client.session.root('compute')).url, `${fake.url}/RegionTwo/compute/v2.1`);
});

test('an endpoint override wins over the catalog', async (t) => {
  const fake = await fakeFor(t);
  const { client } = clientOf(fake, { extra: `    compute_endpoint_override: ${fake.url}/admin/compute/v2.1` });
  await client.nova.listFlavors();
  t.true((fake.endpointCalls()['RegionOne/admin'] ?? 0) >= 1);
});

test('a service the catalog lacks is EndpointNotFoundError', (t) => {
  const catalog = [{ type: 'compute', endpoints: [{ interface: 'public', region: 'RegionOne', url: 'https://nova/v2.1' }] }];
  t.is(catalogEndpoint(catalog, 'compute', 'public', 'RegionOne'), 'https://nova/v2.1');
  t.throws(() => catalogEndpoint(catalog, 'block-storage', 'public', null), { instanceOf: EndpointNotFoundError });
  t.throws(() => catalogEndpoint(catalog, 'compute', 'internal', null), { instanceOf: EndpointNotFoundError });
  t.throws(() => catalogEndpoint(catalog, 'compute', 'public', 'RegionTwo'), { instanceOf: EndpointNotFoundError });
});

test('Nova is spoken to at microversion 2.73, or the newest it has', async (t) => {
  const modern = await fakeFor(t);
  t.is(await clientOf(modern).client.nova.microversion(), '2.73');
  const older = await fakeFor(t, { computeMaxMicroversion: '2.40' });
  const { client } = clientOf(older);
  t.is(await client.nova.microversion(), '2.40');
  t.true(await client.nova.takesAutoNetworks());
  const oldest = await fakeFor(t, { computeMaxMicroversion: '2.30' });
  t.false(await clientOf(oldest).client.nova.takesAutoNetworks());
});

test('throttled calls (429, 413 with Retry-After) back the limiter off for the time the cloud names and are sent again', async (t) => {
  const fake = await fakeFor(t);
  fake.injectFault({ operation: 'compute.GET.flavors_detail', status: 429, retryAfterS: 2, first: 2 });
  fake.injectFault({ operation: 'network.POST.floatingips', status: 413, retryAfterS: 0, first: 1 });
  const { client, limits } = clientOf(fake);
  await client.nova.listFlavors();
  t.deepEqual(limits.readOnly.backOffs, [2000, 2000]);
  const external = (await client.neutron.listNetworks()).find((network) => network['router:external'])!;
  await client.neutron.createFloatingIp({ networkId: external.id });
  t.deepEqual(limits.mutating.backOffs, [0]);
  t.like(fake.calls(), { 'compute.GET.flavors_detail': 1, 'compute.GET.flavors_detail.throttled': 2, 'network.POST.floatingips': 1, 'network.POST.floatingips.throttled': 1 });
});

test('a call throttled more often than the client rides out fails with the cloud\'s 429', async (t) => {
  const fake = await fakeFor(t);
  fake.injectFault({ operation: 'compute.GET.limits', status: 429, retryAfterS: 0, every: 1 });
  const { client } = clientOf(fake);
  const error = await t.throwsAsync(client.nova.limits(), { instanceOf: OpenStackApiError });
  t.is(error!.status, 429);
  t.is(fake.calls()['compute.GET.limits.throttled'], 11, 'the first try and ten more');
});

test('a 404 is core\'s NotFoundError; other errors carry the service\'s own message', async (t) => {
  const fake = await fakeFor(t);
  const { client } = clientOf(fake);
  await t.throwsAsync(client.nova.deleteServer('no-such-server'), { instanceOf: NotFoundError, message: /Instance no-such-server could not be found/ });
  await t.throwsAsync(client.neutron.deleteFloatingIp('nope'), { instanceOf: NotFoundError, message: /Floating IP nope could not be found/ });
  await t.throwsAsync(client.glance.getImage('nope'), { instanceOf: NotFoundError, message: /No image found with ID nope/ });
  await t.throwsAsync(client.cinder.deleteVolume('nope'), { instanceOf: NotFoundError, message: /Volume nope could not be found/ });
  fake.injectFault({ operation: 'compute.POST.servers', status: 409, message: 'Conflict in the fake' });
  const error = await t.throwsAsync(client.nova.createServer({ name: 'x' }), { instanceOf: OpenStackApiError });
  t.is(error!.detail, 'Conflict in the fake');
  fake.injectFault({ operation: 'compute.POST.servers', status: 503 });
  t.is((await t.throwsAsync(client.nova.createServer({ name: 'x' }), { instanceOf: OpenStackApiError }))!.status, 503);
});
