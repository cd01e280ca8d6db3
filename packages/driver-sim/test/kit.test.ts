/**
 * The state-machine kit under a real launcher, against the simulated cloud: quota and pausing,
 * quota refusals, throttling, shared listings, zones, timeouts, and a launcher killed mid-launch.
 * Host keys are not scanned here (the e2e file does that); instances answer nowhere.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launcherCluster } from '@nodepool/core/testing';
import simDriver from '@nodepool/driver-sim';
import { startSimCloud, type SimCloudHandle, type SimCloudOptions } from '@nodepool/driver-sim/cloud';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';

const zk = useZooKeeper(test);

async function simCloud(t: { teardown(fn: () => unknown): void }, options: SimCloudOptions = {}): Promise<SimCloudHandle> {
  const cloud = await startSimCloud(options);
  t.teardown(() => cloud.stop());
  return cloud;
}

const config = (cloud: SimCloudHandle, options: { maxServers?: number; provider?: string } = {}) => `
labels:
  - name: sim-small
providers:
  - name: sim
    driver: sim
    endpoint: ${cloud.url}
    boot-timeout: 10
    launch-retries: 2
${options.provider ?? ''}    cloud-images:
      - name: sim-base
    pools:
      - name: main
        max-servers: ${options.maxServers ?? 10}
        host-key-checking: false
        labels:
          - name: sim-small
            flavor: small
            cloud-image: sim-base
`;

test('beyond the cloud’s quota, less what others run there, requests wait paused and are served as nodes return', async (t) => {
  const cloud = await simCloud(t, { maxInstances: 3 });
  cloud.createInstance({ name: 'someone-elses' });
  const c = await launcherCluster(t, zk(), [simDriver]);
  // Quota read afresh at every look, so each look at the waiting request shows as a call.
  await c.launcher(config(cloud), { timings: { quotaCacheMs: 0 } });
  const zuul = new ZuulClient(await c.client());
  const store = await c.store();
  const requests = await store.requestCache();

  const first = await zuul.requestNodes(['sim-small']);
  const second = await zuul.requestNodes(['sim-small']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 10_000 })).state, 'fulfilled');
  t.is((await zuul.waitForRequest(second, { timeoutMs: 10_000 })).state, 'fulfilled');
  const third = await zuul.requestNodes(['sim-small']);
  await waitFor(() => requests.get(third.id)?.state === 'pending', { timeoutMs: 20_000 });
  const client = await c.client();
  const poolPaused = async () => {
    const { children } = await client.getChildren('/nodepool/components/pool');
    return (JSON.parse((await client.getData(`/nodepool/components/pool/${children[0]}`)).data.toString()) as { paused: boolean }).paused;
  };
  await waitFor(poolPaused, { timeoutMs: 20_000, message: 'the pool never said it is paused' });
  // The launcher looks at the waiting request again (reading the quota) and still holds off.
  const reads = cloud.calls()['quota.get'] ?? 0;
  await waitFor(() => (cloud.calls()['quota.get'] ?? 0) >= reads + 2, { timeoutMs: 30_000, message: 'the launcher did not look at the quota again' });
  t.is(requests.get(third.id)?.state, 'pending', 'still waiting for quota');
  t.is(cloud.instances().length, 3);

  const nodeset = await zuul.acceptNodes(first);
  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  t.is((await zuul.waitForRequest(third, { timeoutMs: 15_000 })).state, 'fulfilled');
  t.is(cloud.calls()['instances.create'], 3, 'never asked the cloud beyond its quota');
});

test('a launch the cloud refuses for quota is aborted, not failed, and retried once there is room', async (t) => {
  const cloud = await simCloud(t);
  const c = await launcherCluster(t, zk(), [simDriver]);
  await c.launcher(config(cloud));
  const zuul = new ZuulClient(await c.client());
  const store = await c.store();
  const requests = await store.requestCache();

  const first = await zuul.requestNodes(['sim-small']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 10_000 })).state, 'fulfilled');
  // The provider read "unlimited" and keeps it cached; the cloud now says otherwise.
  cloud.configure({ maxInstances: 1 });
  const reads = cloud.calls()['quota.get'] ?? 0;
  const second = await zuul.requestNodes(['sim-small']);
  await waitFor(() => (cloud.calls()['instances.create'] ?? 0) >= 2, { timeoutMs: 20_000, message: 'the refused launch was never tried' });
  // Once the refusal is handled the launcher reads the quota again; by then the request's fate is known.
  await waitFor(() => (cloud.calls()['quota.get'] ?? 0) > reads, { timeoutMs: 20_000, message: 'the quota was not read again after the refusal' });
  t.is(requests.get(second.id)?.state, 'pending', 'a quota refusal does not fail the request');
  t.deepEqual(requests.get(second.id)?.declinedBy, []);

  const nodeset = await zuul.acceptNodes(first);
  await zuul.returnNodes(nodeset);
  t.is((await zuul.waitForRequest(second, { timeoutMs: 15_000 })).state, 'fulfilled');
  t.deepEqual(requests.get(second.id)?.declinedBy, [], 'never declined');
});

test('a cloud that throttles is waited out: every launch succeeds', async (t) => {
  // Throttled by count, not by rate: the same calls are refused however fast the machine runs.
  // Creates: calls 1 and 2, then every 3rd after them (5, 8 and 11) of the 13 it takes to launch 8.
  const cloud = await simCloud(t, { throttles: { 'instances.create': { first: 2, every: 3, retryAfterMs: 250 }, 'instances.list': { first: 1, retryAfterMs: 250 } } });
  const c = await launcherCluster(t, zk(), [simDriver]);
  // The configured rate is far above anything: only the cloud's 429s slow us down.
  await c.launcher(config(cloud, { provider: '    rate: 1000\n' }));
  const zuul = new ZuulClient(await c.client());
  const submitted = await Promise.all(Array.from({ length: 8 }, () => zuul.requestNodes(['sim-small'])));
  const results = await Promise.all(submitted.map((request) => zuul.waitForRequest(request, { timeoutMs: 30_000 })));
  t.deepEqual(results.map((record) => record.state), Array(8).fill('fulfilled'));
  t.like(cloud.calls(), { 'instances.create': 8, 'instances.create.throttled': 5, 'instances.list.throttled': 1 });
});

test('however many nodes boot, the instances are listed once per interval', async (t) => {
  const cloud = await simCloud(t, { bootDelayMs: 1_500 });
  const c = await launcherCluster(t, zk(), [simDriver]);
  await c.launcher(config(cloud), { timings: { listingIntervalMs: 500 } });
  const zuul = new ZuulClient(await c.client());
  // The window encloses every counted call, so the bound below holds on a machine of any speed.
  const started = Date.now();
  cloud.resetCalls();
  const submitted = await Promise.all(Array.from({ length: 8 }, () => zuul.requestNodes(['sim-small'])));
  for (const request of submitted) t.is((await zuul.waitForRequest(request, { timeoutMs: 20_000 })).state, 'fulfilled');
  const calls = cloud.calls();
  const elapsed = Date.now() - started;
  const lists = calls['instances.list'] ?? 0;
  t.true(lists <= Math.ceil(elapsed / 500) + 1, `${lists} listings in ${elapsed} ms for 8 booting nodes`);
  t.is(calls['instances.create'], 8);
  t.is(calls['instances.get'], undefined);
});

test('the nodes of one request share an availability zone', async (t) => {
  const cloud = await simCloud(t, { zones: ['zone-a', 'zone-b', 'zone-c'] });
  const c = await launcherCluster(t, zk(), [simDriver]);
  await c.launcher(config(cloud));
  const zuul = new ZuulClient(await c.client());
  const zonesSeen = new Set<string>();
  for (let round = 0; round < 4; round++) {
    const request = await zuul.requestNodes(['sim-small', 'sim-small', 'sim-small']);
    t.is((await zuul.waitForRequest(request, { timeoutMs: 10_000 })).state, 'fulfilled');
    const nodeset = await zuul.acceptNodes(request);
    const zones = new Set(nodeset.nodes.map((node) => node.record.az as string));
    t.is(zones.size, 1, `one request's nodes in ${[...zones].join(', ')}`);
    zonesSeen.add([...zones][0]!);
    await zuul.returnNodes(nodeset);
  }
});

test('an instance that does not boot within boot-timeout fails the launch, and nothing is left behind', async (t) => {
  const cloud = await simCloud(t, { bootDelayMs: 60_000 });
  const c = await launcherCluster(t, zk(), [simDriver]);
  await c.launcher(config(cloud).replace('boot-timeout: 10', 'boot-timeout: 1'));
  const zuul = new ZuulClient(await c.client());
  const result = await zuul.runJob(['sim-small'], { timeoutMs: 20_000 });
  t.is(result.result, 'NODE_FAILURE');
  t.is(cloud.calls()['instances.create'], 2, 'one retry (launch-retries: 2)');
  await waitFor(() => cloud.instances().length === 0, { timeoutMs: 10_000, message: 'a timed-out instance was left behind' });
});

test('the instance of a launcher killed mid-launch is deleted by another, which serves the request', async (t) => {
  const cloud = await simCloud(t, { bootDelayMs: 600_000 });
  const c = await launcherCluster(t, zk(), [simDriver]);
  const body = config(cloud).replace('labels:\n  - name: sim-small', 'zookeeper-timeout: 4\nlabels:\n  - name: sim-small');
  const file = join(c.dir, 'doomed.yaml');
  await writeFile(file, c.configText(body));
  const script = fileURLToPath(new URL('./fixtures/launcher-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', script, file, 'nl-doomed'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  const [started] = (await once(child.stdout!, 'data')) as [Buffer];
  t.is(started.toString().trim(), 'started');

  const zuul = new ZuulClient(await c.client());
  const store = await c.store();
  const nodes = await store.nodeCache();
  const request = await zuul.requestNodes(['sim-small']);
  await waitFor(() => [...nodes.values()].some((node) => node.state === 'building' && node.externalId), { timeoutMs: 15_000 });
  const [abandoned] = cloud.instances();
  child.kill('SIGKILL');
  await once(child, 'exit');

  cloud.configure({ bootDelayMs: 0 });
  await c.launcher(body, { hostname: 'nl-survivor' });
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  await waitFor(() => !cloud.instances().some((instance) => instance.id === abandoned!.id), { timeoutMs: 30_000, message: 'the abandoned instance was not deleted' });
});
