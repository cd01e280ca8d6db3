/**
 * The metastatic driver end to end: a real launcher running it beside the sim driver, whose
 * nodes back it, a real (TLS) ZooKeeper, a real sshd standing for the backing instances, and the
 * Zuul-like client. Slots shared, grace time on a fake clock, failed and vanished backing nodes,
 * a restart that reads the slots back, quota, and host-key checking.
 */
import test, { type ExecutionContext } from 'ava';
import { launcherCluster, type Cluster } from '@nodepool/core/testing';
import { createMetastaticDriver, type MetastaticAdapter } from '@nodepool/driver-metastatic';
import simDriver from '@nodepool/driver-sim';
import { startSimCloud, type SimCloudHandle } from '@nodepool/driver-sim/cloud';
import { useSshServer, useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { FakeClock, lockContenders } from './helpers.js';

const zk = useZooKeeper(test, { tls: true });
const ssh = useSshServer(test);

interface Options {
  /** Keys of the metastatic label `small` (indented 12). */
  readonly labelExtra?: string;
  /** Keys of the metastatic pool (indented 8). */
  readonly poolExtra?: string;
  /** Keys of the sim label `large` (indented 12). */
  readonly backingExtra?: string;
  readonly maxParallelJobs?: number;
}

/** A sim provider serving `large` (on the test's sshd) and a metastatic provider serving `small` from it. */
function config(cloud: SimCloudHandle, options: Options = {}): string {
  return `labels:
  - name: large
  - name: small
providers:
  - name: sim
    driver: sim
    endpoint: ${cloud.url}
    boot-timeout: 20
    launch-retries: 2
    cloud-images:
      - name: sim-base
    pools:
      - name: main
        max-servers: 6
        labels:
          - name: large
            flavor: large
            cloud-image: sim-base
            connection-port: ${ssh().port}
            username: zuul-worker
            python-path: /usr/bin/python3
${options.backingExtra ?? ''}  - name: meta
    driver: metastatic
    pools:
      - name: main
${options.poolExtra ?? ''}        labels:
          - name: small
            backing-label: large
            max-parallel-jobs: ${options.maxParallelJobs ?? 2}
            grace-time: 600
${options.labelExtra ?? ''}`;
}

interface Setup {
  c: Cluster;
  launcher: { stop(): Promise<void> };
  cloud: SimCloudHandle;
  clock: FakeClock;
  adapters: MetastaticAdapter[];
  zuul: ZuulClient;
  yaml: string;
}

function drivers(clock: FakeClock, adapters: MetastaticAdapter[]) {
  return [simDriver, createMetastaticDriver({ now: clock.now, onAdapter: (adapter) => adapters.push(adapter), pollMs: 200 })];
}

async function setup(t: ExecutionContext, options: Options = {}): Promise<Setup> {
  const cloud = await startSimCloud({ address: ssh().host, sshPort: ssh().port });
  t.teardown(() => cloud.stop());
  const clock = new FakeClock();
  const adapters: MetastaticAdapter[] = [];
  const c = await launcherCluster(t, zk(), drivers(clock, adapters));
  const yaml = config(cloud, options);
  const launcher = await c.launcher(yaml);
  return { c, launcher, cloud, clock, adapters, zuul: new ZuulClient(await c.client()), yaml };
}

/** The node record as ZooKeeper has it now (not Zuul's copy). */
async function nodeRecord(c: Cluster, id: string): Promise<Record<string, unknown> | undefined> {
  const client = await c.client();
  const found = await client.exists(`/nodepool/nodes/${id}`);
  if (!found) return undefined;
  const { data } = await client.getData(`/nodepool/nodes/${id}`);
  return data.length === 0 ? undefined : (JSON.parse(data.toString()) as Record<string, unknown>);
}

/** The backing node named in a node's `driver_data` (a record as Zuul reads it, or a cached Node). */
const backingOf = (record: object): string => {
  const data = 'driverData' in record ? record.driverData : (record as { driver_data?: unknown }).driver_data;
  return (data as { backing_node: string }).backing_node;
};

/** Waits for `passes` more sweeps of the (last) metastatic adapter. */
async function sweeps(adapters: MetastaticAdapter[], passes: number): Promise<void> {
  const adapter = adapters.at(-1)!;
  const target = adapter.backing.sweeps + passes;
  await waitFor(() => adapter.backing.sweeps >= target, { timeoutMs: 20_000, message: 'the periodic pass did not run' });
}

test('metastatic nodes share a backing node of the sim cloud and are reached as it is, with its host keys', async (t) => {
  const { c, cloud, zuul } = await setup(t);
  const request = await zuul.requestNodes(['small', 'small']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const nodeset = await zuul.acceptNodes(request);
  const [a, b] = nodeset.nodes.map((node) => node.record);
  const backingId = backingOf(a!);
  t.is(backingOf(b!), backingId, 'one backing node for both');
  t.is(cloud.instances().length, 1, 'one instance in the cloud');
  t.deepEqual(new Set([a!.slot, b!.slot]), new Set([0, 1]));

  const backing = (await nodeRecord(c, backingId))!;
  t.like(backing, { state: 'in-use', provider: 'sim', type: ['large'], user_data: '{"owner": "NodePool:metastatic:meta", "label": "small", "slots": 2}' });
  t.regex(backing.allocated_to as string, /^100-\d{10}$/, 'fulfilled for a request of priority 100');
  t.deepEqual(await lockContenders(await c.client(), await c.store(), backingId), [{ identifier: 'NodePool:metastatic:meta', ephemeral: false }]);
  t.false((await (await c.client()).getChildren('/nodepool/requests')).children.some((id) => id.startsWith('100-')), 'the backing request is deleted');

  for (const [record, id] of [[a!, nodeset.nodeIds[0]!], [b!, nodeset.nodeIds[1]!]] as const) {
    t.like(record, {
      provider: 'meta',
      pool: 'main',
      external_id: id,
      image_id: 'unused',
      interface_ip: backing.interface_ip,
      public_ipv4: backing.public_ipv4,
      private_ipv4: backing.private_ipv4,
      az: backing.az,
      region: backing.region,
      cloud: null,
      username: 'zuul-worker',
      python_path: '/usr/bin/python3',
      connection_type: 'ssh',
      connection_port: ssh().port,
      resources: { cores: 0, instances: 1, ram: 0 },
    });
    t.deepEqual(record.driver_data, { metadata: { nodepool_node_id: id, nodepool_pool_name: 'main', nodepool_provider_name: 'meta' }, backing_node: backingId, slot: record.slot, node: id });
    t.deepEqual([...(record.host_keys as string[])].sort(), [...ssh().hostKeys].sort(), 'the backing node’s host keys');
  }

  // Both slots in use: the next node needs a second backing node.
  const third = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(third, { timeoutMs: 30_000 })).state, 'fulfilled');
  const thirdSet = await zuul.acceptNodes(third);
  t.not(backingOf(thirdSet.nodes[0]!.record), backingId);
  t.is(cloud.instances().length, 2);
});

test('a backing node stays for its label’s grace time once its nodes are gone, then goes; a node within it reuses it', async (t) => {
  const { c, cloud, clock, adapters, zuul } = await setup(t);
  const nodes = await (await c.store()).nodeCache();
  const first = await zuul.runJob(['small', 'small'], { timeoutMs: 30_000 });
  t.is(first.result, 'SUCCESS');
  await waitFor(() => first.nodeIds.every((id) => !nodes.get(id)), { timeoutMs: 20_000, message: 'the metastatic nodes were not deleted' });
  const [backingId] = [...nodes.values()].filter((node) => node.provider === 'sim').map((node) => node.id);
  t.truthy(backingId);

  clock.advance(300_000);
  await sweeps(adapters, 2);
  t.is(nodes.get(backingId!)?.state, 'in-use', 'half the grace time: kept');
  const second = await zuul.runJob(['small'], { timeoutMs: 30_000 });
  t.is(second.result, 'SUCCESS');
  t.is(cloud.calls()['instances.create'], 1, 'served from the idle backing node');
  await waitFor(() => second.nodeIds.every((id) => !nodes.get(id)), { timeoutMs: 20_000 });

  // The grace time runs from the last node's deletion.
  clock.advance(599_000);
  await sweeps(adapters, 2);
  t.is(nodes.get(backingId!)?.state, 'in-use', '599 s of 600: kept');
  t.is(cloud.instances().length, 1);
  clock.advance(1_000);
  await waitFor(() => cloud.instances().length === 0, { timeoutMs: 20_000, message: 'the backing node was not released' });
  await waitFor(() => !nodes.get(backingId!), { timeoutMs: 20_000, message: 'the backing node record stayed' });
  t.deepEqual(adapters.at(-1)!.backing.all(), []);
});

test('a backing node that cannot be launched fails the metastatic launches cleanly; once it can, the next job runs', async (t) => {
  const { c, cloud, adapters, zuul } = await setup(t);
  cloud.configure({ failureRate: 1 });
  const failed = await zuul.runJob(['small'], { timeoutMs: 60_000 });
  t.is(failed.result, 'NODE_FAILURE');
  // launch-retries 3 of the metastatic provider, each a backing request of 2 sim attempts.
  t.is(cloud.calls()['instances.create'], 6);
  await waitFor(() => adapters.at(-1)!.backing.all().length === 0, { timeoutMs: 20_000, message: 'a record of a failed backing node stayed' });
  const client = await c.client();
  await waitFor(async () => !(await client.getChildren('/nodepool/requests')).children.some((id) => id.startsWith('100-')), { timeoutMs: 20_000, message: 'a failed backing request stayed' });
  await waitFor(() => cloud.instances().length === 0, { timeoutMs: 20_000, message: 'a failed instance stayed' });

  cloud.configure({ failureRate: 0 });
  t.is((await zuul.runJob(['small'], { timeoutMs: 30_000 })).result, 'SUCCESS');
});

test('a backing node taken away takes its metastatic nodes down: the unused one at once, the one in use after its job', async (t) => {
  const { c, cloud, adapters, zuul } = await setup(t);
  const store = await c.store();
  const nodes = await store.nodeCache();
  const busyRequest = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(busyRequest, { timeoutMs: 30_000 })).state, 'fulfilled');
  const busy = await zuul.acceptNodes(busyRequest);
  await zuul.useNodes(busy, { projectName: 'example.org/app' });
  // A node fulfilled, then cancelled by Zuul: ready, unallocated, on the same backing node.
  const idleRequest = await zuul.requestNodes(['small']);
  const idleRecord = await zuul.waitForRequest(idleRequest, { timeoutMs: 30_000 });
  const idleId = idleRecord.nodes![0]!;
  await zuul.cancel(idleRequest);
  await waitFor(() => nodes.get(idleId)?.state === 'ready' && nodes.get(idleId)?.allocatedTo === null, { timeoutMs: 20_000 });
  const backingId = backingOf(busy.nodes[0]!.record);
  t.is(backingOf(nodes.get(idleId)!), backingId);

  // Someone breaks the metastatic provider's lock: the sim launcher reaps the backing node.
  await (await c.client()).deleteRecursive(`/nodepool/nodes/${backingId}/lock`);
  await waitFor(() => !nodes.get(backingId), { timeoutMs: 20_000, message: 'the backing node was not reaped' });
  await waitFor(() => !nodes.get(idleId), { timeoutMs: 20_000, message: 'the unused metastatic node stayed' });
  t.is(nodes.get(busy.nodeIds[0]!)?.state, 'in-use', 'the job keeps its node');

  await zuul.returnNodes(busy);
  await waitFor(() => !nodes.get(busy.nodeIds[0]!), { timeoutMs: 20_000 });
  await waitFor(() => adapters.at(-1)!.backing.all().length === 0, { timeoutMs: 20_000, message: 'the failed backing node was not forgotten' });
  t.deepEqual(cloud.instances(), []);
  t.is((await zuul.runJob(['small'], { timeoutMs: 30_000 })).result, 'SUCCESS', 'the next job gets a new backing node');
  t.is(cloud.calls()['instances.create'], 2);
});

test('a launcher restart reads the backing nodes and slots back from ZooKeeper', async (t) => {
  const { c, launcher, cloud, clock, zuul, yaml } = await setup(t, { maxParallelJobs: 3 });
  const request = await zuul.requestNodes(['small', 'small']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const held = await zuul.acceptNodes(request);
  const backingId = backingOf(held.nodes[0]!.record);
  const usedSlots = new Set(held.nodes.map((node) => node.record.slot));

  // The launcher stops (its session closes); a new one, knowing nothing, takes over.
  await launcher.stop();
  const adapters: MetastaticAdapter[] = [];
  await c.launcher(yaml, { drivers: drivers(clock, adapters), hostname: 'nl-restarted' });

  const third = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(third, { timeoutMs: 30_000 })).state, 'fulfilled');
  const thirdSet = await zuul.acceptNodes(third);
  const record = thirdSet.nodes[0]!.record;
  t.is(backingOf(record), backingId, 'the backing node held before the restart');
  t.false(usedSlots.has(record.slot), `slot ${String(record.slot)} is not one held before the restart`);
  t.is(cloud.calls()['instances.create'], 1, 'no new backing node');
  const [recovered] = adapters.at(-1)!.backing.all();
  t.is(recovered!.nodeId, backingId);
  t.is(recovered!.nodes().length, 3);

  for (const nodeset of [held, thirdSet]) {
    await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
    await zuul.returnNodes(nodeset);
  }
  await waitFor(() => adapters.at(-1)!.backing.all()[0]?.isEmpty() === true, { timeoutMs: 20_000 });
  clock.advance(600_000);
  await waitFor(() => cloud.instances().length === 0, { timeoutMs: 20_000, message: 'the recovered backing node was not released' });
});

test('pool max-servers bounds metastatic nodes: a request beyond it waits for a node to go', async (t) => {
  const { c, zuul } = await setup(t, { poolExtra: '        max-servers: 2\n' });
  const requests = await (await c.store()).requestCache();
  const first = await zuul.requestNodes(['small', 'small']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 30_000 })).state, 'fulfilled');
  const held = await zuul.acceptNodes(first);
  const second = await zuul.requestNodes(['small']);
  await waitFor(() => requests.get(second.id)?.state === 'pending', { timeoutMs: 20_000 });
  t.is(held.nodes.length, 2);
  await zuul.returnNodes(held);
  t.is((await zuul.waitForRequest(second, { timeoutMs: 30_000 })).state, 'fulfilled');
});

test('host-key-checking (our opt-in) scans the backing node’s address; without it the keys are the backing node’s', async (t) => {
  const { zuul } = await setup(t, { backingExtra: '            host-key-checking: false\n', poolExtra: '        host-key-checking: true\n' });
  const request = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  t.deepEqual([...(node!.record.host_keys as string[])].sort(), [...ssh().hostKeys].sort(), 'scanned, though the backing node has none');

  const { zuul: plain } = await setup(t, { backingExtra: '            host-key-checking: false\n' });
  const other = await plain.requestNodes(['small']);
  t.is((await plain.waitForRequest(other, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [unscanned] = (await plain.acceptNodes(other)).nodes;
  t.deepEqual(unscanned!.record.host_keys, [], 'copied from the backing node, which has none');
});
