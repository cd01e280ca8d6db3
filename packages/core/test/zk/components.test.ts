import test from 'ava';
import { TcpProxy, useZooKeeper, waitFor } from '@nodepool/testkit';
import { Component, ComponentRegistration, ComponentRegistry, Election } from '@nodepool/core';
import { connect, connectPeer } from './helpers.js';

const zk = useZooKeeper(test, { tickTimeMs: 200 });

test('a pool component registers as an ephemeral sequential znode named after the host', async (t) => {
  const client = await connect(t, zk().connectString);
  const registry = new ComponentRegistry(client);
  t.teardown(() => registry.stop());
  await registry.start();
  const registration = new ComponentRegistration(
    client,
    new Component('pool', { hostname: 'nl01.example.org', id: 'nl01-PoolWorker.p-main-1', provider_name: 'p', supported_labels: ['a'], priority: 100, paused: false, state: 'running', version: '0.1.0' }),
  );
  await registration.register();
  t.regex(registration.path!, /^\/nodepool\/components\/pool\/nl01\.example\.org\d{10}$/);
  const stat = await client.exists(registration.path!);
  t.not(stat?.ephemeralOwner, 0n);
  const raw = (await client.getData(registration.path!)).data.toString();
  t.is(raw, JSON.stringify(JSON.parse(raw), Object.keys(JSON.parse(raw) as object).sort()), 'keys sorted');
  t.is((JSON.parse(raw) as { model_api: unknown }).model_api, 0);
  await waitFor(() => registry.all('pool').length === 1, { timeoutMs: 5_000 });
  await registration.update({ paused: true });
  await waitFor(() => registry.all('pool')[0]?.paused === true, { timeoutMs: 5_000 });
  t.deepEqual(registry.all('pool')[0]!.supportedLabels, ['a']);
  await registration.unregister();
  await waitFor(() => registry.all('pool').length === 0, { timeoutMs: 5_000 });
});

test('components register again, under a new name, after their session expires', async (t) => {
  const proxy = await TcpProxy.start({ host: zk().host, port: zk().port });
  t.teardown(() => proxy.close());
  // The longest session this server allows: a shorter one is lost to a busy machine's stalls.
  const client = await connect(t, proxy.address, { sessionTimeoutMs: 4_000 });
  const observer = await connectPeer(t, zk().connectString, client);
  const registration = new ComponentRegistration(client, new Component('launcher', { hostname: 'nl02', state: 'running' }));
  await registration.register();
  const first = registration.path!;
  proxy.block();
  await waitFor(async () => (await observer.exists(first)) === null, { timeoutMs: 30_000, message: 'session did not expire' });
  proxy.unblock();
  await waitFor(() => registration.path !== first && registration.path !== undefined, { timeoutMs: 20_000 });
  await waitFor(async () => (await observer.exists(registration.path!)) !== null, { timeoutMs: 10_000 });
  t.regex(registration.path!, /^\/nodepool\/components\/launcher\/nl02\d{10}$/);
});

test('the stats election has one leader, and the next takes over when it goes', async (t) => {
  const first = await connect(t, zk().connectString);
  const second = await connectPeer(t, zk().connectString, first);
  const a = new Election(first, undefined, 'host-a-1');
  const b = new Election(second, undefined, 'host-b-2');
  await a.start();
  t.true(a.isLeader);
  void b.start();
  await waitFor(async () => (await first.getChildren('/nodepool/elections/stats')).children.length === 2, { timeoutMs: 5_000 });
  t.false(b.isLeader);
  const { children } = await first.getChildren('/nodepool/elections/stats');
  const data = await Promise.all(children.map(async (name) => (await first.getData(`/nodepool/elections/stats/${name}`)).data.toString()));
  t.deepEqual(data.sort(), ['host-a-1', 'host-b-2']);
  await a.stop();
  await waitFor(() => b.isLeader, { timeoutMs: 5_000 });
  await b.stop();
});
