/**
 * A dead launcher's work is taken over as soon as ZooKeeper ends its session (issue 13, part 4):
 * its `pending` request is reset and served, its `building` node reaped. The periodic passes
 * that would also do it run once an hour here, so only the watches can explain success.
 */
import test from 'ava';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { Node } from '@nodepool/core';
import { createFakeDriver, launcherCluster } from '@nodepool/core/testing';
import { captureLogEntries } from './helpers/gated-driver.js';

const zk = useZooKeeper(test);
const log = captureLogEntries();

const config = `
labels:
  - name: small
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 5
        labels:
          - name: small
`;

/** No periodic cleanup, lost-request reset or deleted-node pass within a test's lifetime. */
const hourly = { cleanupIntervalMs: 3_600_000, deletedNodeIntervalMs: 3_600_000 };

test("a dead launcher's pending request and building node are taken over when its session ends, without waiting for the cleanup pass", async (t) => {
  const { driver, cloud } = createFakeDriver();
  const c = await launcherCluster(t, zk(), [driver]);
  const zuul = new ZuulClient(await c.client());
  const request = await zuul.requestNodes(['small']);

  // Another launcher, reduced to its ZooKeeper session: it accepts the request and starts a node.
  const dead = await c.store();
  await dead.lockNodeRequest(request.id);
  const accepted = (await dead.getNodeRequest(request.id))!;
  accepted.setState('pending');
  await dead.storeNodeRequest(accepted);
  const half = new Node();
  half.setState('init');
  half.type = ['small'];
  half.provider = 'cloud-a';
  half.pool = 'main';
  half.launcher = 'nl-dead-PoolWorker.cloud-a-main';
  half.allocatedTo = request.id;
  await dead.storeNode(half);
  half.setState('building');
  await dead.lockAndStoreNewNode(half);

  const launcher = await c.launcher(config, { hostname: 'nl-survivor', timings: hourly });
  // Its start-up passes saw both locked and left them alone.
  t.is((await zuul.readRequest(request))?.state, 'pending');
  await dead.client.close();

  const record = await zuul.waitForRequest(request, { timeoutMs: 30_000 });
  t.is(record.state, 'fulfilled');
  t.notDeepEqual(record.nodes, [half.id]);
  const observer = await c.client();
  await waitFor(async () => (await observer.exists(`/nodepool/nodes/${half.id}`)) === null, { timeoutMs: 30_000, message: 'the half-built node was not reaped' });
  t.true(cloud.deleted.includes(half.id));
  t.true(log.some((entry) => entry.message === 'resetting a lost request' && entry.request === request.id));
  t.false(launcher.zooKeeper.holdsRequestLock(request.id));
});
