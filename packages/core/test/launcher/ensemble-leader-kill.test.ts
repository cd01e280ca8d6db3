/**
 * A running launcher while the leader of a three-server ZooKeeper ensemble is killed (issue 13,
 * part 1): its server drops every client until a new leader is elected, in the middle of its
 * launches. Every request is fulfilled, no lock is left behind, and Zuul takes the nodes.
 */
import test from 'ava';
import { KazooPeer, useZooKeeperEnsemble, waitFor, ZuulClient } from '@nodepool/testkit';
import { launcherCluster } from '@nodepool/core/testing';
import { isTransientError, ZooKeeperClient } from '@nodepool/zookeeper';
import { gatedDriver } from './helpers/gated-driver.js';
import { leftoverLocks } from './helpers/leftover-locks.js';

const ensemble = useZooKeeperEnsemble(test);

/** Zuul's side rides out the election too: a call cut off by it is made again once connected. */
async function riding<T>(client: ZooKeeperClient, call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientError(error)) throw error;
      await client.whenConnected();
    }
  }
}

const config = `
labels:
  - name: small
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 20
        labels:
          - name: small
`;

test('killing the ensemble leader mid-launch: every request fulfilled, no lock left behind, Zuul locks every node', async (t) => {
  const leader = await ensemble().leader();
  t.teardown(() => (leader.running ? undefined : leader.start()));
  // The launcher talks to a follower: it stays up, but serves nobody until a new leader is elected.
  const follower = ensemble().servers.find((server) => server !== leader)!;
  const gate = gatedDriver();
  const c = await launcherCluster(t, follower, [gate.driver]);
  const launcher = await c.launcher(config);
  let connectionsLost = 0;
  launcher.zooKeeper.client.on('reconnected', () => connectionsLost++);
  launcher.zooKeeper.client.on('expired', () => connectionsLost++);
  const zuulClient = new ZooKeeperClient({ servers: ensemble().connectString, chroot: c.chroot, sessionTimeoutMs: 30_000 });
  t.teardown(() => zuulClient.close());
  await zuulClient.connect();
  const zuul = new ZuulClient(zuulClient);
  const requests = await Promise.all([['small'], ['small'], ['small'], ['small', 'small']].map((labels) => zuul.requestNodes(labels)));
  await waitFor(() => gate.launches.length === 5, { timeoutMs: 30_000 });

  await leader.kill();
  // The held launches finish during the election; any launch made afresh (after a session lost
  // to a slow election) finishes too.
  const releaser = setInterval(() => gate.releaseAll(), 100);
  t.teardown(() => clearInterval(releaser));
  for (const request of requests) t.is((await riding(zuulClient, () => zuul.waitForRequest(request, { timeoutMs: 120_000 }))).state, 'fulfilled');

  t.true(connectionsLost > 0, 'the launcher never lost its connection');
  await waitFor(async () => (await leftoverLocks(zuulClient)).length === 0, { timeoutMs: 30_000, message: 'a lock was left behind' });
  const kazoo = await KazooPeer.start(`${ensemble().connectString}${c.chroot}`);
  t.teardown(() => kazoo.stop());
  for (const request of requests) {
    for (const nodeId of (await zuul.readRequest(request))!.nodes!) {
      t.true((await kazoo.acquire(`/nodepool/nodes/${nodeId}/lock`, { blocking: false })).acquired, `node ${nodeId} is locked by someone`);
    }
  }
});
