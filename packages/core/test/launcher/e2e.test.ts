import test from 'ava';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { createFakeDriver, launcherCluster as cluster, submitRequest } from '@nodepool/core/testing';


const zk = useZooKeeper(test);

const labels = `
labels:
  - name: small
  - name: large
`;

const provider = (name: string, options: { maxServers?: number; priority?: number; labels?: string[]; pool?: string } = {}) => `
  - name: ${name}
    driver: fakecloud
    pools:
      - name: ${options.pool ?? 'main'}
        max-servers: ${options.maxServers ?? 10}
${options.priority !== undefined ? `        priority: ${options.priority}\n` : ''}        labels:
${(options.labels ?? ['small', 'large']).map((label) => `          - name: ${label}\n`).join('')}`;

test('Zuul runs a job: request, fulfil, in-use, used, and the nodes are gone afterwards', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(`${labels}providers:${provider('cloud-a')}`);
  const zuul = new ZuulClient(await c.client(), { tenant: 'acme' });
  const result = await zuul.runJob(['small', 'large'], { timeoutMs: 10_000 });
  t.is(result.result, 'SUCCESS');
  t.is(result.nodeIds.length, 2);
  const store = await c.store();
  await waitFor(async () => (await store.getNodeIds()).length === 0, { timeoutMs: 10_000, message: 'used nodes were not deleted' });
  t.deepEqual([...cloud.deleted].sort(), [...result.nodeIds].sort());
});

test('the preferred provider gets the request when it can serve it', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(`${labels}providers:${provider('cloud-a')}${provider('cloud-b')}`);
  const zuul = new ZuulClient(await c.client());
  const store = await c.store();
  for (const preferred of ['cloud-b', 'cloud-a', 'cloud-b']) {
    const request = await zuul.requestNodes(['small'], { provider: preferred });
    const record = await zuul.waitForRequest(request, { timeoutMs: 10_000 });
    t.is(record.state, 'fulfilled');
    t.is((await store.getNode(record.nodes![0]!))!.provider, preferred);
    await zuul.cancel(request);
  }
});

test('a lower priority pool is left the request while the higher one is not paused', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(`${labels}providers:${provider('cloud-a', { priority: 200 })}${provider('cloud-b', { priority: 50 })}`);
  const zuul = new ZuulClient(await c.client());
  const store = await c.store();
  const result = await zuul.runJob(['small'], { timeoutMs: 10_000 });
  t.is(result.result, 'SUCCESS');
  const node = await store.getNode(result.nodeIds[0]!);
  t.true(node === undefined || node.provider === 'cloud-b');
  t.deepEqual(result.declinedBy, []);
});

test('a request no registered pool can serve fails once each has declined it', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  const launcher = await c.launcher(`${labels}providers:${provider('cloud-a', { labels: ['small'] })}${provider('cloud-b', { labels: ['large'] })}`);
  const zuul = new ZuulClient(await c.client());
  const result = await zuul.runJob(['small', 'large'], { timeoutMs: 10_000 });
  t.is(result.result, 'NODE_FAILURE');
  t.deepEqual([...result.declinedBy].sort(), [...launcher.poolWorkerIds('cloud-a'), ...launcher.poolWorkerIds('cloud-b')].sort());
});

test('tenant-resource-limits hold a tenant back until its nodes are returned', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(`${labels}tenant-resource-limits:\n  - tenant-name: acme\n    max-servers: 1\nproviders:${provider('cloud-a')}`);
  const zuul = new ZuulClient(await c.client(), { tenant: 'acme' });
  const other = new ZuulClient(await c.client(), { tenant: 'other' });
  const first = await zuul.requestNodes(['small']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 10_000 })).state, 'fulfilled');
  const held = await zuul.acceptNodes(first);
  await zuul.useNodes(held, { projectName: 'example.org/acme/app' });
  const second = await zuul.requestNodes(['small']);
  // Another tenant is not held back.
  t.is((await other.runJob(['small'], { timeoutMs: 10_000 })).result, 'SUCCESS');
  const store = await c.store();
  const requests = await store.requestCache();
  t.is(requests.get(second.id)?.state, 'requested', 'deferred, not declined');
  t.deepEqual(requests.get(second.id)?.declinedBy, []);
  await zuul.returnNodes(held);
  t.is((await zuul.waitForRequest(second, { timeoutMs: 10_000 })).state, 'fulfilled');
});

test('held nodes are deleted once their hold expires', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(`${labels}max-hold-age: 3600\nproviders:${provider('cloud-a')}`);
  const zuul = new ZuulClient(await c.client());
  const store = await c.store();
  const nodes = await store.nodeCache();
  // Every hold the cache sees, so the check does not race the one-second expiry.
  const held = new Map<string, number>();
  nodes.on('change', () => {
    for (const node of nodes.values()) if (node.state === 'hold') held.set(node.id, node.stateTime);
  });
  const result = await zuul.runJob(['small'], { timeoutMs: 20_000, hold: { holdJob: 'acme example.org/acme/app integration .*', comment: 'debugging', expirationSeconds: 1 } });
  const [nodeId] = result.nodeIds;
  await waitFor(async () => (await store.getNode(nodeId!)) === undefined, { timeoutMs: 20_000, message: 'the held node outlived its expiry' });
  const heldSince = held.get(nodeId!);
  t.truthy(heldSince, 'the node was held');
  // A lower bound only: not deleted before its hold expired, however slow the machine.
  t.true(Date.now() >= heldSince! * 1000 + 1_000, 'deleted only once the hold expired');
});

test('max-ready-age replaces min-ready nodes that waited too long', async (t) => {
  const { driver } = createFakeDriver();
  const c = await cluster(t, zk(), [driver]);
  await c.launcher(`labels:\n  - name: small\n    min-ready: 1\n    max-ready-age: 1\nproviders:${provider('cloud-a', { labels: ['small'] })}`);
  const store = await c.store();
  const nodes = await store.nodeCache();
  await waitFor(() => [...nodes.values()].some((node) => node.state === 'ready'), { timeoutMs: 10_000 });
  const firstId = [...nodes.values()].find((node) => node.state === 'ready')!.id;
  await waitFor(() => nodes.get(firstId) === undefined && [...nodes.values()].some((node) => node.state === 'ready'), {
    timeoutMs: 15_000,
    message: 'the old ready node was not replaced',
  });
  t.pass();
});

test('over TLS: a launcher and Zuul talk through a TLS-only ZooKeeper with client certificates', async (t) => {
  const { startZooKeeper } = await import('@nodepool/testkit');
  const server = await startZooKeeper({ tls: true });
  t.teardown(() => server.destroy());
  const { driver } = createFakeDriver();
  const c = await cluster(t, server, [driver]);
  await c.launcher(`${labels}providers:${provider('cloud-a')}`);
  const zuul = new ZuulClient(await c.client());
  t.is((await zuul.runJob(['large'], { timeoutMs: 10_000 })).result, 'SUCCESS');
});
