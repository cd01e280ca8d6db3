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
  await c.launcher(body('    max-concurrency: 2\n'));
  const zuul = new ZuulClient(await c.client());
  const requests = await Promise.all([1, 2, 3, 4].map(() => zuul.requestNodes(['small'])));
  const store = await c.store();
  const cache = await store.requestCache();
  await waitFor(() => requests.filter((request) => cache.get(request.id)?.state === 'pending').length === 2, { timeoutMs: 10_000 });
  // Give the pool every chance to take more; it must not.
  await cache.changedSince(cache.revision, 300);
  t.is(requests.filter((request) => cache.get(request.id)?.state === 'pending').length, 2);
  t.is(cloud.launched.length, 2);
  cloud.releaseLaunches();
  for (const request of requests) t.is((await zuul.waitForRequest(request, { timeoutMs: 10_000 })).state, 'fulfilled');
});
