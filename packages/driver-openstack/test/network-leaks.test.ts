import test from 'ava';
import { getLogger, type Stats } from '@nodepool/core';
import { startFakeOpenStack } from '@nodepool/driver-openstack/testing';
import { NetworkLeaks } from '../src/network-leaks.js';
import { clientOf } from './client/helpers.js';

function recordingStats(): Stats & { counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  return {
    enabled: true,
    counts,
    increment: (name: string, value = 1) => void (counts[name] = (counts[name] ?? 0) + value),
    gauge: () => undefined,
    timing: () => undefined,
    close: async () => undefined,
  };
}

async function setup(t: { teardown(fn: () => unknown): void }, options: { portCleanupIntervalMs?: number; cleanFloatingIps?: boolean }) {
  const fake = await startFakeOpenStack();
  t.teardown(() => fake.stop());
  const { client } = clientOf(fake);
  let clock = 0;
  const stats = recordingStats();
  const leaks = new NetworkLeaks(client.neutron, { providerName: 'p', portCleanupIntervalMs: options.portCleanupIntervalMs ?? 600_000, cleanFloatingIps: options.cleanFloatingIps ?? false, log: getLogger('test'), stats }, () => clock);
  return { fake, client, leaks, stats, advance: (ms: number) => (clock += ms) };
}

test('a DOWN port of Nova\'s is deleted when it is still DOWN port-cleanup-interval later, and counted', async (t) => {
  const { fake, leaks, stats, advance } = await setup(t, { portCleanupIntervalMs: 600_000 });
  const early = fake.addPort({ status: 'DOWN' });
  const router = fake.addPort({ status: 'DOWN', deviceOwner: 'network:router_interface' });
  await leaks.cleanPorts(); // first look: noted
  const late = fake.addPort({ status: 'DOWN' });
  advance(300_000);
  await leaks.cleanPorts(); // too soon: not even listed
  t.is(fake.calls()['network.GET.ports'], 1);
  advance(300_001);
  await leaks.cleanPorts();
  const ids = fake.state().ports.map((port) => port.id);
  t.false(ids.includes(early.id), 'DOWN on both looks: deleted');
  t.true(ids.includes(late.id), 'first seen on this look: spared until the next');
  t.true(ids.includes(router.id), 'a router\'s port is not Nova\'s');
  t.is(stats.counts['nodepool.provider.p.leaked.ports'], 1);
  advance(600_001);
  await leaks.cleanPorts();
  t.false(fake.state().ports.some((port) => port.id === late.id));
  t.is(stats.counts['nodepool.provider.p.leaked.ports'], 2);
});

test('port-cleanup-interval 0 turns port cleanup off', async (t) => {
  const { fake, leaks, advance } = await setup(t, { portCleanupIntervalMs: 0 });
  fake.addPort({ status: 'DOWN' });
  await leaks.cleanPorts();
  advance(1e9);
  await leaks.cleanPorts();
  t.is(fake.calls()['network.GET.ports'], undefined);
});

test('with clean-floating-ips, a floating IP attached to nothing on two passes in a row is deleted, and counted', async (t) => {
  const { fake, client, leaks, stats } = await setup(t, { cleanFloatingIps: true });
  const loose = fake.addFloatingIp();
  const server = fake.addServer();
  const attached = fake.addFloatingIp({ portId: fake.state().ports.find((port) => port.deviceId === server.id)!.id });
  await leaks.cleanFloatingIps(await client.neutron.listFloatingIps());
  t.is(fake.state().floatingIps.length, 2, 'nothing deleted on the first sighting');
  await leaks.cleanFloatingIps(await client.neutron.listFloatingIps());
  t.deepEqual(fake.state().floatingIps.map((fip) => fip.id), [attached.id]);
  t.is(stats.counts['nodepool.provider.p.leaked.floatingips'], 1);
  t.truthy(loose);
});

test('without clean-floating-ips, floating IPs are left alone', async (t) => {
  const { fake, client, leaks } = await setup(t, { cleanFloatingIps: false });
  fake.addFloatingIp();
  for (let pass = 0; pass < 3; pass++) await leaks.cleanFloatingIps(await client.neutron.listFloatingIps());
  t.is(fake.state().floatingIps.length, 1);
});
