import test from 'ava';
import { startFakeOpenStack } from '@nodepool/driver-openstack/testing';
import { clientOf } from '../client/helpers.js';

async function setup(t: { teardown(fn: () => unknown): void }, options: Parameters<typeof startFakeOpenStack>[0] = {}) {
  const fake = await startFakeOpenStack(options);
  t.teardown(() => fake.stop());
  return { fake, ...clientOf(fake) };
}

test('faults by count: the first N calls after the rule, then every Nth; counted as failed', async (t) => {
  const { fake, client } = await setup(t);
  await client.nova.listFlavors();
  fake.injectFault({ operation: 'compute.GET.limits', status: 503, first: 1, every: 3 });
  const outcomes: string[] = [];
  for (let call = 1; call <= 7; call++) outcomes.push(await client.nova.limits().then(() => 'ok', () => 'failed'));
  // Call 1 (first), then calls 4 and 7 (every 3rd after the first one).
  t.deepEqual(outcomes, ['failed', 'ok', 'ok', 'failed', 'ok', 'ok', 'failed']);
  t.like(fake.calls(), { 'compute.GET.limits': 7, 'compute.GET.limits.failed': 3 });
  t.like(fake.faultRules().faults[0], { seen: 7, fired: 3 });
});

test('* faults every API call; a rule of first N ends after N', async (t) => {
  const { fake, client } = await setup(t);
  await client.nova.listFlavors();
  fake.injectFault({ operation: '*', status: 409, message: 'busy', first: 2 });
  await t.throwsAsync(client.nova.listFlavors(), { message: /HTTP 409: busy/ });
  await t.throwsAsync(client.neutron.listNetworks(), { message: /HTTP 409: busy/ });
  await client.glance.listImages();
  t.deepEqual(fake.faultRules().faults, []);
});

test('boot failures: servers made while the rule fires go to ERROR with the fault given', async (t) => {
  const { fake, client } = await setup(t);
  fake.failBoots({ every: 2, message: 'Exceeded maximum number of retries.', code: 500 });
  const image = fake.state().images[0]!;
  for (let count = 0; count < 4; count++) await client.nova.createServer({ name: `s${count}`, imageRef: image.id, flavorRef: '1', networks: 'auto' });
  const servers = await client.nova.listServers();
  t.is(servers.filter((server) => server.status === 'ERROR').length, 2);
  t.deepEqual(servers.filter((server) => server.status === 'ERROR').map((server) => server.fault?.message), ['Exceeded maximum number of retries.', 'Exceeded maximum number of retries.']);
  t.deepEqual(servers.filter((server) => server.status === 'ACTIVE').length, 2);
});

test('latency is added to calls: one operation\'s, or all', async (t) => {
  const { fake, client } = await setup(t, { operationLatencyMs: { 'compute.GET.limits': 300 } });
  await client.nova.listFlavors();
  const started = Date.now();
  await client.nova.limits();
  t.true(Date.now() - started >= 290, 'at least the latency asked for');
  t.like(fake.settings().operationLatencyMs, { 'compute.GET.limits': 300 });
});
