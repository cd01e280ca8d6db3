/**
 * `nodepool request-explain` from a running launcher (issue 19, part 1): each pool worker's
 * decision about a request, as published to ZooKeeper and read back by any launcher's CLI or
 * web API. One test per reason a user may see.
 */
import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { explainRequest, readLauncherReports, type Driver, type ExplainCode, type NodepoolZooKeeper, type PoolExplanation } from '@nodepool/core';
import { createFakeDriver, launcherCluster, submitRequest, type Cluster } from '@nodepool/core/testing';

const zk = useZooKeeper(test);

const LABELS = `
labels:
  - name: small
  - name: big
`;

function provider(name: string, pool: string, options: { priority?: number; maxServers?: number; labels?: string[]; extra?: string } = {}): string {
  const labels = (options.labels ?? ['small']).map((label) => `          - name: ${label}\n`).join('');
  return `  - name: ${name}
    driver: fakecloud
${options.priority === undefined ? '' : `    priority: ${options.priority}\n`}${options.extra ?? ''}    pools:
      - name: ${pool}
        max-servers: ${options.maxServers ?? 10}
        labels:
${labels}`;
}

async function setUp(t: import('ava').ExecutionContext, body: string, drivers?: Driver[]): Promise<{ c: Cluster; store: NodepoolZooKeeper }> {
  const c = await launcherCluster(t, zk(), drivers ?? [createFakeDriver().driver]);
  await c.launcher(body);
  return { c, store: await c.store() };
}

/** What a pool of `provider` published about the request, once it has published `code`. */
async function decision(c: Cluster, store: NodepoolZooKeeper, id: string, providerName: string, code: ExplainCode): Promise<PoolExplanation> {
  const client = await c.client();
  let last: PoolExplanation | undefined;
  try {
    return await waitFor(
      async () => {
        const reports = await readLauncherReports(client);
        const explanation = explainRequest(id, await store.getNodeRequest(id), reports, []);
        last = explanation.pools.find((pool) => pool.provider === providerName);
        return last?.code === code ? last : undefined;
      },
      { timeoutMs: 30_000 },
    );
  } catch (error) {
    throw new Error(`provider ${providerName} never explained request ${id} as ${code}; last: ${JSON.stringify(last)}`, { cause: error });
  }
}

async function waitForState(store: NodepoolZooKeeper, id: string, state: string): Promise<void> {
  await waitFor(async () => (await store.getNodeRequest(id))?.state === state, { timeoutMs: 30_000, message: `request ${id} never became ${state}` });
}

test('a fulfilled request says which nodes it got, after launching them', async (t) => {
  const { c, store } = await setUp(t, `${LABELS}providers:\n${provider('cloud-a', 'main')}`);
  const id = await submitRequest(store, ['small']);
  const fulfilled = await decision(c, store, id, 'cloud-a', 'fulfilled');
  const [nodeId] = (await store.getNodeRequest(id))!.nodes;
  t.is(fulfilled.text, `fulfilled with node ${nodeId}`);
  t.is(fulfilled.phase, 'fulfilled');
  t.deepEqual(
    fulfilled.history.map((change) => change.code),
    ['launching.node', 'fulfilled'],
  );
  t.is(fulfilled.history[0]!.text, `launching node ${nodeId} (small)`);
});

test('a label no pool has is declined, in the words written to the log', async (t) => {
  const { c, store } = await setUp(t, `${LABELS}providers:\n${provider('cloud-a', 'main')}`);
  const id = await submitRequest(store, ['big']);
  const declined = await decision(c, store, id, 'cloud-a', 'declined.no-such-label');
  t.is(declined.text, 'declined: node type(s) [big] not available');
  await waitForState(store, id, 'failed');
});

test('a pool without the label leaves the request to one that has it; a pool of lower priority to the better one', async (t) => {
  const body = `${LABELS}providers:\n${provider('cloud-a', 'main', { priority: 1 })}${provider('cloud-b', 'main', { priority: 2, labels: ['small', 'big'] })}`;
  const { c, store } = await setUp(t, body);
  const big = await submitRequest(store, ['big']);
  const notHere = await decision(c, store, big, 'cloud-a', 'not-served.no-such-label');
  t.is(notHere.text, 'not served here: pool main has no label big; left to pools that have');
  await decision(c, store, big, 'cloud-b', 'fulfilled');

  const small = await submitRequest(store, ['small']);
  const preferred = await decision(c, store, small, 'cloud-b', 'not-served.other-pool-preferred');
  t.is(preferred.text, 'left to a pool of provider cloud-a (priority 1, ours 2), which comes first');
  await decision(c, store, small, 'cloud-a', 'fulfilled');
});

test('more nodes than the pool may ever have is declined as over quota', async (t) => {
  const { c, store } = await setUp(t, `${LABELS}providers:\n${provider('cloud-a', 'main', { maxServers: 1 })}`);
  const id = await submitRequest(store, ['small', 'small']);
  const declined = await decision(c, store, id, 'cloud-a', 'declined.exceeds-pool-limits');
  t.is(declined.text, 'declined: it would exceed quota');
});

test('a launch that fails declines the request as failed to launch', async (t) => {
  const { driver, cloud } = createFakeDriver();
  cloud.failNextLaunch('error');
  const { c, store } = await setUp(t, `${LABELS}providers:\n${provider('cloud-a', 'main')}`, [driver]);
  const id = await submitRequest(store, ['small']);
  const declined = await decision(c, store, id, 'cloud-a', 'declined.launch-failed');
  t.is(declined.text, 'declined: nodes failed to launch');
  t.true(declined.history.some((change) => change.code === 'launching.node'));
});

test('a driver’s own reason to decline is passed on', async (t) => {
  const { driver } = createFakeDriver();
  const refusing: Driver = {
    ...driver,
    createProvider: (config, context) => ({ ...driver.createProvider!(config, context), getRequestHandler: () => ({ getDeclinedReasons: () => ['no such flavor'] }) }),
  };
  const { c, store } = await setUp(t, `${LABELS}providers:\n${provider('cloud-a', 'main')}`, [refusing]);
  const id = await submitRequest(store, ['small']);
  const declined = await decision(c, store, id, 'cloud-a', 'declined.by-driver');
  t.is(declined.text, 'declined: no such flavor');
});

test('at max-servers a request waits with the figures, and the next one waits behind it', async (t) => {
  const { c, store } = await setUp(t, `${LABELS}providers:\n${provider('cloud-a', 'main', { maxServers: 1 })}`);
  const first = await submitRequest(store, ['small']);
  await waitForState(store, first, 'fulfilled'); // its node stays allocated: the pool is full
  const second = await submitRequest(store, ['small']);
  const atQuota = await decision(c, store, second, 'cloud-a', 'waiting.at-quota');
  t.is(atQuota.text, 'waiting for quota for a small node: pool main (max-servers 1) at 1/1 servers');
  const third = await submitRequest(store, ['small']);
  const behind = await decision(c, store, third, 'cloud-a', 'waiting.paused-behind');
  t.is(behind.text, `waiting: the pool is paused behind request ${second}`);
});

test('max-concurrency holds requests back while launches are in progress', async (t) => {
  const { driver, cloud } = createFakeDriver();
  cloud.holdLaunches = true;
  t.teardown(() => cloud.releaseLaunches());
  const { c, store } = await setUp(t, `${LABELS}providers:\n${provider('cloud-a', 'main', { extra: '    max-concurrency: 1\n' })}`, [driver]);
  const first = await submitRequest(store, ['small']);
  const launching = await decision(c, store, first, 'cloud-a', 'launching.node');
  t.regex(launching.text, /^launching node \d{10} \(small\)$/);
  const second = await submitRequest(store, ['small']);
  const held = await decision(c, store, second, 'cloud-a', 'waiting.max-concurrency');
  t.is(held.text, 'waiting: max-concurrency reached, 1 of 1 requests in progress in provider cloud-a');
  cloud.releaseLaunches();
  await decision(c, store, second, 'cloud-a', 'fulfilled');
});

test('a tenant at its resource limits waits, undeclined', async (t) => {
  const limits = 'tenant-resource-limits:\n  - tenant-name: acme\n    max-servers: 1\n';
  const { c, store } = await setUp(t, `${LABELS}${limits}providers:\n${provider('cloud-a', 'main')}`);
  const first = await submitRequest(store, ['small'], { tenant: 'acme' });
  await waitForState(store, first, 'fulfilled');
  const second = await submitRequest(store, ['small'], { tenant: 'acme' });
  const waiting = await decision(c, store, second, 'cloud-a', 'waiting.tenant-quota');
  t.is(waiting.text, 'waiting: tenant acme is at its resource limits');
  t.is((await store.getNodeRequest(second))!.declinedBy.length, 0);
});

test('a ready node is taken rather than launched, and said so', async (t) => {
  const body = `${LABELS.replace('  - name: small\n', '  - name: small\n    min-ready: 1\n')}providers:\n${provider('cloud-a', 'main')}`;
  const { c, store } = await setUp(t, body);
  const nodes = await store.nodeCache();
  const ready = await waitFor(() => [...nodes.values()].find((node) => node.state === 'ready' && node.allocatedTo === null), { timeoutMs: 30_000 });
  const id = await submitRequest(store, ['small']);
  const fulfilled = await decision(c, store, id, 'cloud-a', 'fulfilled');
  t.deepEqual(
    fulfilled.history.map((change) => [change.code, change.text]),
    [
      ['launching.reused', `took ready node ${ready.id} (small)`],
      ['fulfilled', `fulfilled with node ${ready.id}`],
    ],
  );
});

test('a pool that only hands out existing nodes waits for a free one', async (t) => {
  const { driver } = createFakeDriver();
  const handOutOnly: Driver = {
    ...driver,
    createProvider: (config, context) => ({ ...driver.createProvider!(config, context), getRequestHandler: () => ({}) }),
  };
  const { c, store } = await setUp(t, `${LABELS}providers:\n${provider('cloud-a', 'main')}`, [handOutOnly]);
  const id = await submitRequest(store, ['small']);
  const waiting = await decision(c, store, id, 'cloud-a', 'waiting.free-node');
  t.is(waiting.text, 'waiting for a free small node');
});

test('after failures in a row the circuit breaker keeps new requests out of the provider, and says so', async (t) => {
  const { driver, cloud } = createFakeDriver();
  cloud.failNextLaunch('error', 2);
  const breaker = '    circuit-breaker:\n      failures: 2\n      probe-interval: 3600\n';
  const { c, store } = await setUp(t, `${LABELS}providers:\n${provider('cloud-a', 'main', { extra: breaker })}`, [driver]);
  for (let i = 0; i < 2; i++) {
    const failing = await submitRequest(store, ['small']);
    await decision(c, store, failing, 'cloud-a', 'declined.launch-failed');
  }
  const launchedBefore = cloud.launched.length;
  const id = await submitRequest(store, ['small']);
  const unhealthy = await decision(c, store, id, 'cloud-a', 'waiting.provider-unhealthy');
  t.regex(unhealthy.text, /^waiting: provider cloud-a is unhealthy \(circuit breaker open after 2 failures in a row; next probe in \d+ s\); other providers may take it$/);
  const explanation = explainRequest(id, await store.getNodeRequest(id), await readLauncherReports(await c.client()), []);
  t.like(explanation.providers[0], { provider: 'cloud-a', state: 'open', consecutiveFailures: 2, threshold: 2, timesOpened: 1 });
  t.is(cloud.launched.length, launchedBefore, 'nothing is launched in a provider whose breaker is open');
  t.is((await store.getNodeRequest(id))!.state, 'requested', 'the request is left for other providers, not declined');
});
