import test from 'ava';
import { fakeOpenStackControl, startFakeOpenStack } from '@nodepool/driver-openstack/testing';

test('the control API does over HTTP what the handle does in process, and none of it counts as an API call', async (t) => {
  const fake = await startFakeOpenStack();
  t.teardown(() => fake.stop());
  const control = fakeOpenStackControl(`${fake.url}/`);
  t.like(await control.configure({ bootDelayMs: 5, quotas: { cores: 10 } }), { bootDelayMs: 5, quotas: { cores: 10, instances: 100 } });
  const server = await control.addServer({ name: 'theirs', metadata: { owner: 'x' } });
  const port = await control.addPort({ status: 'DOWN' });
  const fip = await control.addFloatingIp();
  const volume = await control.addVolume({ size: 3, metadata: { a: 'b' } });
  const image = await control.addImage({ name: 'mine', properties: { nodepool_build_id: '1' } });
  const keypair = await control.addKeypair({ name: 'ops' });
  const state = await control.state();
  t.true(state.servers.some((each) => each.id === server.id && each.name === 'theirs' && each.status === 'ACTIVE'));
  t.true(state.ports.some((each) => each.id === port.id && each.status === 'DOWN'));
  t.true(state.floatingIps.some((each) => each.id === fip.id && each.portId === null));
  t.true(state.volumes.some((each) => each.id === volume.id && each.size === 3));
  t.true(state.images.some((each) => each.id === image.id && each.properties.nodepool_build_id === '1'));
  t.true(state.keypairs.some((each) => each.name === keypair.name));
  t.deepEqual(await control.calls(), {});
  const rules = await control.injectFault({ operation: 'compute.POST.servers', status: 503, first: 2 });
  t.like(rules[0], { operation: 'compute.POST.servers', status: 503, first: 2, seen: 0, fired: 0 });
  t.like(await control.failBoots({ every: 3 }), [{ every: 3 }]);
  t.is((await control.faultRules()).faults.length, 1);
  await control.clearFaults();
  t.deepEqual(await control.faultRules(), { faults: [], bootFailures: [] });
  await control.reset();
  t.like(await control.settings(), { bootDelayMs: 0, quotas: { cores: 400 } });
  t.false((await control.state()).servers.some((each) => each.id === server.id));
});

test('bad control requests are 400s that say what is wrong', async (t) => {
  const fake = await startFakeOpenStack();
  t.teardown(() => fake.stop());
  const control = fakeOpenStackControl(fake.url);
  await t.throwsAsync(control.configure({ bootDelay: 5 } as never), { message: /HTTP 400: unknown setting bootDelay/ });
  await t.throwsAsync(control.configure({ quotas: { disks: 1 } } as never), { message: /unknown quota disks/ });
  await t.throwsAsync(control.injectFault({ operation: 'compute.POST.servers', status: 200 }), { message: /status must be an HTTP error status/ });
  await t.throwsAsync(control.injectFault({ operation: 'x', status: 503, first: 0 }), { message: /fails nothing/ });
  await t.throwsAsync(control.addPort({ network: 'nowhere' }), { message: /no network named nowhere/ });
  t.throws(() => fake.configure({ fixedAddress: 'not-an-ip' }), { message: /fixedAddress must be an IPv4 address/ });
});
