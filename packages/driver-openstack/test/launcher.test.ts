/**
 * The openstack driver under a real launcher and ZooKeeper, with the Zuul-like client, against
 * the fake OpenStack over HTTP: launch and delete with floating IPs, boot from volume, a node set
 * kept in one zone, quota (the cloud's limits, the pool's, and Nova's refusals), boot errors
 * retried, throttling waited out, one listing per interval, leaks of every kind, a launcher
 * killed mid-launch, and a configuration reload.
 */
import test, { type ExecutionContext } from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launcherCluster, poolPaused } from '@nodepool/core/testing';
import drivers from '@nodepool/driver-openstack';
import {
  bootAtOnce,
  callCount,
  cloudLauncherScenario,
  expectHeldAtQuota,
  expectJobsSucceed,
  expectListedOncePerInterval,
  expectQuotaHoldsThird,
  expectRetriedThenFailed,
  expectSecondSighting,
  expectServed,
  finishJob,
  fulfil,
  returnAndWaitDeleted,
  useZooKeeper,
  waitFor,
  ZuulClient,
} from '@nodepool/testkit';
import { CLOUDS_FILE, openstackYaml, useFakeOpenStack } from './helpers.js';

const zk = useZooKeeper(test);
const scenario = cloudLauncherScenario((t) => launcherCluster(t, zk(), drivers));

type Fake = Awaited<ReturnType<typeof useFakeOpenStack>>;

/** A launcher on `yaml`, the Zuul-like client and the caches of requests and nodes. */
const cluster = (t: ExecutionContext, fake: Fake, yaml = openstackYaml(fake), timings = {}) => scenario.start(t, yaml, { timings });

const calls = callCount;

test('a job gets a Nova server with a floating IP and Nodepool metadata; both are deleted once the job returns it', async (t) => {
  const fake = await useFakeOpenStack(t);
  const { zuul, nodes } = await cluster(t, fake);
  const { request, nodeset, node } = await fulfil(t, zuul, ['small']);
  const { servers, floatingIps, ports } = fake.state();
  const [server] = servers;
  const [fip] = floatingIps;
  t.like(node.record, { state: 'ready', provider: 'openstack', pool: 'main', type: ['small'], external_id: server!.id, cloud: fake.cloud, region: 'RegionOne', az: 'nova', username: 'cirros', connection_type: 'ssh', connection_port: 22, image_id: 'cirros' });
  t.is(node.record.public_ipv4, fip!.address, 'the floating IP is the public address');
  t.is(node.record.interface_ip, fip!.address);
  t.is(node.record.private_ipv4, ports.find((port) => port.deviceId === server!.id)!.fixedIps[0]!.ipAddress);
  t.deepEqual(node.record.resources, { instances: 1, cores: 1, ram: 1024 }, 'ds1G, the smallest flavor with 1 GiB');
  t.deepEqual(server!.metadata, { groups: 'openstack,cirros,small', team: 'ci', request: request.id, nodepool_node_id: node.id, nodepool_pool_name: 'main', nodepool_provider_name: 'openstack' });
  t.like(server, { name: `np${node.id}`, flavorId: 'd1', keyName: 'zuul' });

  await returnAndWaitDeleted(zuul, nodes, nodeset, () => fake.state().servers.length === 0, 'the server was not deleted');
  t.deepEqual(fake.state().floatingIps, [], 'the floating IP went with the node');
  t.like(fake.calls(), { 'network.POST.floatingips': 1, 'network.DELETE.floatingip': 1, 'compute.POST.servers': 1, 'compute.DELETE.server': 1 });
});

test('a pool with auto-floating-ip off gets no floating IP; the node is reached on its fixed address', async (t) => {
  const fake = await useFakeOpenStack(t);
  const { zuul } = await cluster(t, fake, openstackYaml(fake, { pool: '        auto-floating-ip: false\n' }));
  const { node } = await fulfil(t, zuul, ['debian']);
  const fixed = fake.state().ports.find((port) => port.deviceId === node.record.external_id)!.fixedIps[0]!.ipAddress;
  t.like(node.record, { public_ipv4: null, private_ipv4: fixed, interface_ip: fixed, resources: { instances: 1, cores: 2, ram: 4096 } });
  t.is(calls(fake, 'network.POST.floatingips'), 0);
  t.deepEqual(fake.state().floatingIps, []);
});

test('a boot-from-volume label gets a tagged volume of its size, counted against max-volumes and deleted with the server', async (t) => {
  const fake = await useFakeOpenStack(t);
  const label = { name: 'volume', yaml: 'cloud-image: cirros\nflavor-name: m1.small\nboot-from-volume: true\nvolume-size: 20' };
  const { c, zuul, requests, nodes } = await cluster(t, fake, openstackYaml(fake, { label, pool: '        max-volumes: 1\n' }));
  const { nodeset, node } = await fulfil(t, zuul, ['volume']);
  const [volume] = fake.state().volumes;
  const [server] = fake.state().servers;
  t.like(volume, { size: 20, status: 'in-use', serverId: server!.id, metadata: { nodepool_node_id: node.id, nodepool_pool_name: 'main', nodepool_provider_name: 'openstack' } });
  t.is(server!.imageId, null, 'booted from the volume, not the image');
  t.deepEqual(node.record.resources, { instances: 1, cores: 1, ram: 2048, volumes: 1, 'volume-gb': 20 });

  // max-volumes: 1 holds the next one back until the first is gone.
  const second = await zuul.requestNodes(['volume']);
  await expectHeldAtQuota(requests, second, () => poolPaused(c), 'the pool did not pause at max-volumes');
  t.is(calls(fake, 'compute.POST.servers'), 1);
  await finishJob(zuul, nodeset);
  await waitFor(() => !nodes.get(node.id), { timeoutMs: 20_000 });
  t.false(fake.state().volumes.some((each) => each.id === volume!.id), 'the volume went with its server');
  t.is((await zuul.waitForRequest(second, { timeoutMs: 30_000 })).state, 'fulfilled');
});

test('the nodes of a set share one availability zone of the pool’s', async (t) => {
  const fake = await useFakeOpenStack(t, { zones: ['az1', 'az2', 'az3', 'az4', 'az5'] });
  const { zuul } = await cluster(t, fake, openstackYaml(fake, { pool: '        availability-zones: [az2, az3]\n' }));
  const submitted = await Promise.all(Array.from({ length: 4 }, () => zuul.requestNodes(['small', 'small', 'debian'])));
  for (const request of submitted) {
    t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
    const nodes = (await zuul.acceptNodes(request)).nodes;
    const zones = new Set(nodes.map((node) => fake.state().servers.find((server) => server.id === node.record.external_id)!.az));
    t.is(zones.size, 1, `one zone per node set: ${[...zones].join(', ')}`);
    t.true(['az2', 'az3'].includes([...zones][0]!));
    t.deepEqual(new Set(nodes.map((node) => node.record.az)), zones);
  }
});

test('beyond the cloud’s instance quota, requests wait with the pool paused, and are served once a node goes', async (t) => {
  const fake = await useFakeOpenStack(t, { quotas: { instances: 2 } });
  // Quota read afresh at every look, so each look at the waiting request shows as a call.
  const { c, zuul, requests } = await cluster(t, fake, openstackYaml(fake), { quotaCacheMs: 0 });
  await expectQuotaHoldsThird(t, { zuul, requests, paused: () => poolPaused(c) }, { label: 'small', api: 'Nova', quotaReads: () => calls(fake, 'compute.GET.limits'), launches: () => calls(fake, 'compute.POST.servers') });
});

test('ignore-provider-quota: the pool launches beyond the cloud\'s reported quota, within its own max-servers', async (t) => {
  const fake = await useFakeOpenStack(t, { quotas: { instances: 1 } });
  const { zuul, requests } = await cluster(t, fake, openstackYaml(fake, { pool: '        ignore-provider-quota: true\n', maxServers: 2 }));
  const first = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 20_000 })).state, 'fulfilled');
  const second = await zuul.requestNodes(['small']);
  // The launcher asks Nova although the quota it reads has no room; Nova refuses, the launch waits.
  await waitFor(() => calls(fake, 'compute.POST.servers.failed') >= 1, { timeoutMs: 20_000, message: 'the launcher never asked beyond the cloud quota' });
  t.not(requests.get(second.id)?.state, 'failed');
  await finishJob(zuul, await zuul.acceptNodes(first));
  t.is((await zuul.waitForRequest(second, { timeoutMs: 30_000 })).state, 'fulfilled');
});

test('a launch Nova refuses with "Quota exceeded" is aborted, not failed, and served once the quota is read again', async (t) => {
  const fake = await useFakeOpenStack(t);
  fake.injectFault({ operation: 'compute.POST.servers', status: 403, message: 'Quota exceeded for cores: Requested 1, but already used 400 of 400 cores', first: 2 });
  const { zuul, requests } = await cluster(t, fake);
  const request = await zuul.requestNodes(['small']);
  await waitFor(() => calls(fake, 'compute.POST.servers.failed') >= 1, { timeoutMs: 10_000 });
  t.not(requests.get(request.id)?.state, 'failed');
  await expectServed(t, zuul, requests, request);
  t.like(fake.calls(), { 'compute.POST.servers': 3, 'compute.POST.servers.failed': 2 });
  t.true(calls(fake, 'compute.GET.limits') >= 2, 'the quota was read again after the refusal');
});

test('as in Nodepool 9.0.0, boot-timeout is for SSH: a server may take longer than it to become active, within launch-timeout', async (t) => {
  // Servers take 3 s to become active; boot-timeout is 1 s, launch-timeout an hour.
  const fake = await useFakeOpenStack(t, { bootDelayMs: 3_000 });
  const { zuul } = await cluster(t, fake, openstackYaml(fake).replace('boot-timeout: 20', 'boot-timeout: 1'));
  t.is((await zuul.runJob(['debian'], { timeoutMs: 30_000 })).result, 'SUCCESS');
  t.is(calls(fake, 'compute.POST.servers'), 1, 'the first attempt succeeded');
});

test('a server that goes to ERROR is deleted and the launch tried again; after launch-retries the node fails', async (t) => {
  const fake = await useFakeOpenStack(t);
  const { zuul } = await cluster(t, fake);
  await expectRetriedThenFailed(t, zuul, {
    what: 'the errored server',
    failBoots: (count) => fake.failBoots(count === 1 ? { first: 1, message: 'No valid host was found. There are not enough hosts available.' } : { first: count }),
    launches: () => calls(fake, 'compute.POST.servers'),
    deletions: () => calls(fake, 'compute.DELETE.server'),
    nothingLeft: () => fake.state().servers.length === 0,
  });
});

test('an OpenStack that throttles (429 and 413 with Retry-After) is waited out: every launch succeeds', async (t) => {
  // By count, not by rate: the same calls are refused however fast the machine runs. Creating
  // servers: calls 1 and 2, then every 4th after them; the first server listing, with 413.
  const fake = await useFakeOpenStack(t);
  fake.injectFault({ operation: 'compute.POST.servers', status: 429, retryAfterS: 0, first: 2, every: 4 });
  fake.injectFault({ operation: 'compute.GET.servers_detail', status: 413, retryAfterS: 0, first: 1 });
  const { zuul } = await cluster(t, fake);
  await expectJobsSucceed(t, zuul, 6);
  // 6 servers take 9 tries: 2 throttled first, then the 4th and 8th of the 7 that follow.
  t.like(fake.calls(), { 'compute.POST.servers': 6, 'compute.POST.servers.throttled': 3, 'compute.GET.servers_detail.throttled': 1 });
});

test('however many nodes boot at once, servers are listed once per interval', async (t) => {
  const fake = await useFakeOpenStack(t, { bootDelayMs: 1_500 });
  const { zuul } = await cluster(t, fake, openstackYaml(fake), { cleanupIntervalMs: 600_000 });
  const { counted, elapsedMs } = await bootAtOnce(t, zuul, fake, 'OpenStack', 'debian');
  const lists = counted['compute.GET.servers_detail'] ?? 0;
  expectListedOncePerInterval(t, lists, elapsedMs);
  t.is(counted['compute.POST.servers'], 8);
  // Per node: the server, and its floating IP (its port, the IP); anything else is shared.
  t.like(counted, { 'network.GET.ports': 8, 'network.POST.floatingips': 8 });
  const total = Object.values(counted).reduce((sum, count) => sum + count, 0);
  t.true(total - lists - 3 * 8 <= 4, `more than the server, its floating IP and the listings: ${JSON.stringify(counted)}`);
});

test('leaked servers, floating IPs, volumes, DOWN ports and image uploads are deleted, but only once seen on two passes', async (t) => {
  const fake = await useFakeOpenStack(t);
  const node = { nodepool_node_id: '0000009999', nodepool_pool_name: 'main', nodepool_provider_name: 'openstack' };
  const upload = { nodepool_build_id: '0000000001', nodepool_upload_id: '0000009999', nodepool_provider_name: 'openstack' };
  const server = fake.addServer({ metadata: node });
  const fip = fake.addFloatingIp();
  const volume = fake.addVolume({ size: 5, metadata: node });
  const port = fake.addPort({ status: 'DOWN' });
  const image = fake.addImage({ name: 'base-0000000001', properties: upload });
  // Not leaks: another provider's server, a floating IP in use, an active port, an image of nobody.
  const theirs = fake.addServer({ metadata: { ...node, nodepool_provider_name: 'another-provider' } });
  const attached = fake.addFloatingIp({ portId: fake.state().ports.find((each) => each.deviceId === theirs.id)!.id });
  const active = fake.addPort({ status: 'ACTIVE' });
  const leaked = () => {
    const state = fake.state();
    return {
      server: state.servers.some((each) => each.id === server.id),
      fip: state.floatingIps.some((each) => each.id === fip.id),
      volume: state.volumes.some((each) => each.id === volume.id),
      port: state.ports.some((each) => each.id === port.id),
      image: state.images.some((each) => each.id === image.id),
    };
  };
  await cluster(t, fake, openstackYaml(fake, { extra: '    clean-floating-ips: true\n    port-cleanup-interval: 1\n' }));
  await waitFor(() => Object.values(leaked()).every((present) => !present), { timeoutMs: 30_000, message: `still there: ${JSON.stringify(leaked())}` });
  // Nothing is deleted before its kind was seen on a second pass.
  const log = fake.callLog();
  const secondSighting = (list: string, deletion: string) => expectSecondSighting(t, log, list, deletion);
  secondSighting('compute.GET.servers_detail', 'compute.DELETE.server');
  secondSighting('network.GET.floatingips', 'network.DELETE.floatingip');
  secondSighting('block-storage.GET.volumes_detail', 'block-storage.DELETE.volume');
  secondSighting('network.GET.ports', 'network.DELETE.port');
  secondSighting('image.GET.images', 'image.DELETE.image');
  const state = fake.state();
  t.true(state.servers.some((each) => each.id === theirs.id), 'another provider’s server is left alone');
  t.true(state.floatingIps.some((each) => each.id === attached.id), 'an attached floating IP is left alone');
  t.true(state.ports.some((each) => each.id === active.id), 'an active port is left alone');
  t.true(state.images.some((each) => each.name === 'debian-12'), 'images without Nodepool metadata are left alone');
});

test('the server of a launcher killed mid-launch is deleted by another, which serves the request', async (t) => {
  const fake = await useFakeOpenStack(t, { bootDelayMs: 600_000 });
  await scenario.killedMidLaunch(t, {
    script: new URL('./fixtures/launcher-process.ts', import.meta.url),
    yaml: openstackYaml(fake),
    env: { OS_CLIENT_CONFIG_FILE: CLOUDS_FILE },
    abandoned: () => fake.state().servers[0]!.id,
    afterKill: () => fake.configure({ bootDelayMs: 0 }),
    gone: (id) => !fake.state().servers.some((each) => each.id === id),
    goneMessage: 'the abandoned server was not deleted',
  });
  t.is(fake.state().servers.length, 1, 'only the node that serves the request is left');
});

test('a configuration reload that changes a pool launches with the new settings', async (t) => {
  const fake = await useFakeOpenStack(t);
  const c = await launcherCluster(t, zk(), drivers);
  const file = join(c.dir, 'reloaded.yaml');
  await c.launcher(openstackYaml(fake), { file });
  const zuul = new ZuulClient(await c.client());
  t.is((await zuul.runJob(['debian'], { timeoutMs: 20_000 })).result, 'SUCCESS');
  const before = calls(fake, 'compute.POST.servers');

  // The pool now gives its servers no floating IP, and its label a bigger flavor.
  await writeFile(file, c.configText(openstackYaml(fake, { pool: '        auto-floating-ip: false\n' }).replace('flavor-name: m1.medium', 'flavor-name: m1.large')));
  const reloaded = await waitFor(
    async () => {
      const request = await zuul.requestNodes(['debian']);
      if ((await zuul.waitForRequest(request, { timeoutMs: 20_000 })).state !== 'fulfilled') return undefined;
      const nodeset = await zuul.acceptNodes(request);
      const server = fake.state().servers.find((each) => each.id === nodeset.nodes[0]!.record.external_id);
      const fips = fake.state().floatingIps.length;
      await finishJob(zuul, nodeset);
      return server?.flavorId === '4' ? { server, fips, record: nodeset.nodes[0]!.record } : undefined;
    },
    { timeoutMs: 60_000, message: 'launches never took the new flavor' },
  );
  t.is(reloaded.fips, 0, 'no floating IP under the new pool settings');
  t.is(reloaded.record.public_ipv4, null);
  t.true(calls(fake, 'compute.POST.servers') > before);
});
