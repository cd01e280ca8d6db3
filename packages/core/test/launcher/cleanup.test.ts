import test from 'ava';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { createFakeDriver, launcherCluster } from '@nodepool/core/testing';

const zk = useZooKeeper(test);

const body = (extra = '') => `
labels:
  - name: small
providers:
  - name: cloud-a
    driver: fakecloud
${extra}    pools:
      - name: main
        labels:
          - name: small
`;

test('the cleanup worker removes old request-lock directories, empty node znodes, and runs leak cleanup', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await launcherCluster(t, zk(), [driver]);
  const client = await c.client();
  // A lock directory whose request is long gone, and an "ensure path" leftover node.
  await client.mkdirp('/nodepool/requests-lock/200-0000000042');
  await client.mkdirp('/nodepool/nodes/0000000777/lock');
  // A lock directory of a request that still exists is kept whatever its age.
  const zuul = new ZuulClient(client);
  const live = await zuul.requestNodes(['nonexistent-label']);
  await client.mkdirp(`/nodepool/requests-lock/${live.id}`);
  await c.launcher(body(), { timings: { requestLockExpiryMs: 0 } });
  await waitFor(async () => (await client.exists('/nodepool/requests-lock/200-0000000042')) === null, { timeoutMs: 10_000 });
  await waitFor(async () => (await client.exists('/nodepool/nodes/0000000777')) === null, { timeoutMs: 10_000 });
  await waitFor(() => cloud.cleanupPasses > 0, { timeoutMs: 10_000 });
  t.truthy(await client.exists(`/nodepool/requests-lock/${live.id}`));
});

test('max-concurrency caps the requests a provider handles at once', async (t) => {
  const { driver, cloud } = createFakeDriver();
  cloud.holdLaunches = true;
  const c = await launcherCluster(t, zk(), [driver]);
  const store = await c.store();
  const cache = await store.requestCache();
  // Every state the cache passes through is checked, not only the moments the test looks.
  let peak = 0;
  const pending = () => [...cache.values()].filter((request) => request.state === 'pending').length;
  cache.on('change', () => (peak = Math.max(peak, pending())));
  await c.launcher(body('    max-concurrency: 2\n'));
  const zuul = new ZuulClient(await c.client());
  const requests = await Promise.all([1, 2, 3, 4].map(() => zuul.requestNodes(['small'])));
  await waitFor(() => pending() === 2, { timeoutMs: 20_000 });
  // A chance to take more (it must not); the peak above covers the whole test either way.
  await cache.changedSince(cache.revision, 300);
  t.is(pending(), 2);
  t.is(cloud.launched.length, 2);
  cloud.releaseLaunches();
  for (const request of requests) t.is((await zuul.waitForRequest(request, { timeoutMs: 20_000 })).state, 'fulfilled');
  t.is(peak, 2, 'never more than max-concurrency requests in progress');
  t.is(cloud.launched.length, 4);
});
