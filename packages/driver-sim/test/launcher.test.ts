/**
 * The sim driver end to end: a real launcher running core's state-machine kit, a real
 * ZooKeeper, a real sshd standing for the instances, and a client behaving as Zuul.
 */
import test from 'ava';
import { explainRequest, readLauncherReports } from '@nodepool/core';
import { launcherCluster } from '@nodepool/core/testing';
import simDriver from '@nodepool/driver-sim';
import { startSimCloud, type SimCloudHandle } from '@nodepool/driver-sim/cloud';
import { useSshServer, useZooKeeper, waitFor, ZuulClient, type LocalSshServer } from '@nodepool/testkit';

const zk = useZooKeeper(test);
const ssh = useSshServer(test);

/** A cloud whose instances all answer on the test's sshd. */
async function cloudFor(t: { teardown(fn: () => unknown): void }, server: LocalSshServer, options: Parameters<typeof startSimCloud>[0] = {}): Promise<SimCloudHandle> {
  const cloud = await startSimCloud({ address: server.host, sshPort: server.port, ...options });
  t.teardown(() => cloud.stop());
  return cloud;
}

const config = (cloud: SimCloudHandle, server: LocalSshServer, extra = '') => `
labels:
  - name: sim-small
providers:
  - name: sim
    driver: sim
    endpoint: ${cloud.url}
    boot-timeout: 10
    launch-retries: 2
${extra}    cloud-images:
      - name: sim-base
    pools:
      - name: main
        max-servers: 4
        labels:
          - name: sim-small
            flavor: small
            cloud-image: sim-base
            connection-port: ${server.port}
            username: zuul-worker
`;

test('a node of the simulated cloud is handed to Zuul with real host keys, and its instance deleted after the job', async (t) => {
  const cloud = await cloudFor(t, ssh(), { bootDelayMs: 200 });
  const c = await launcherCluster(t, zk(), [simDriver]);
  await c.launcher(config(cloud, ssh()));
  const zuul = new ZuulClient(await c.client());

  const request = await zuul.requestNodes(['sim-small']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 20_000 })).state, 'fulfilled');
  const nodeset = await zuul.acceptNodes(request);
  const node = nodeset.nodes[0]!.record;
  const [instance] = cloud.instances();
  t.is(node.external_id, instance?.id);
  t.is(node.interface_ip, ssh().host);
  t.is(node.connection_port, ssh().port);
  t.is(node.username, 'zuul-worker');
  t.is(node.cloud, 'sim');
  t.true(['sim-a', 'sim-b'].includes(node.az as string));
  t.deepEqual([...(node.host_keys as string[])].sort(), [...ssh().hostKeys].sort());
  t.deepEqual(instance?.metadata, { nodepool_node_id: nodeset.nodeIds[0], nodepool_pool_name: 'main', nodepool_provider_name: 'sim' });
  t.is(cloud.calls()['instances.create'], 1);
  t.is(cloud.calls()['instances.get'], undefined, 'progress is read from the shared listing');

  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  await waitFor(() => cloud.instances().length === 0, { timeoutMs: 20_000, message: 'the instance was not deleted' });
});

test('request-explain shows a launch’s attempt and the create machine’s state while the instance boots', async (t) => {
  // A boot slower than the test: the launch stays in its machine's waiting state.
  const cloud = await cloudFor(t, ssh(), { bootDelayMs: 600_000 });
  const c = await launcherCluster(t, zk(), [simDriver]);
  await c.launcher(config(cloud, ssh()).replace('boot-timeout: 10', 'boot-timeout: 900'));
  const client = await c.client();
  const zuul = new ZuulClient(client);
  const request = await zuul.requestNodes(['sim-small']);
  const launching = await waitFor(
    async () => {
      const explanation = explainRequest(request.id, undefined, await readLauncherReports(client), []);
      const pool = explanation.pools.find((each) => each.provider === 'sim');
      return pool?.text.includes('waiting for instance') ? pool : undefined;
    },
    { timeoutMs: 30_000, message: 'the launch never showed its machine waiting for the instance' },
  );
  t.is(launching.code, 'launching.node');
  t.regex(launching.text, /^launching node \d{10} \(sim-small\) \(attempt 1 of 2, state "waiting for instance"\)$/);
});

test('instances that fail to boot are deleted before each retry, and the request fails in the end', async (t) => {
  const cloud = await cloudFor(t, ssh(), { failureRate: 1 });
  const c = await launcherCluster(t, zk(), [simDriver]);
  await c.launcher(config(cloud, ssh()));
  const zuul = new ZuulClient(await c.client());
  const result = await zuul.runJob(['sim-small'], { timeoutMs: 20_000 });
  t.is(result.result, 'NODE_FAILURE');
  t.is(cloud.calls()['instances.create'], 2, 'launch-retries: 2');
  await waitFor(() => cloud.instances().length === 0, { timeoutMs: 10_000, message: 'a failed instance was left behind' });
});

test('a leaked instance tagged for a node Nodepool does not know is deleted; others are left alone', async (t) => {
  const cloud = await cloudFor(t, ssh());
  const leak = cloud.createInstance({ name: 'np9999999999', metadata: { nodepool_node_id: '9999999999', nodepool_pool_name: 'main', nodepool_provider_name: 'sim' } });
  cloud.createInstance({ name: 'not-nodepools' });
  cloud.createInstance({ name: 'another-provider', metadata: { nodepool_node_id: '9999999998', nodepool_pool_name: 'main', nodepool_provider_name: 'elsewhere' } });
  const c = await launcherCluster(t, zk(), [simDriver]);
  await c.launcher(config(cloud, ssh()));
  await waitFor(() => !cloud.instances().some((instance) => instance.id === leak.id), { timeoutMs: 20_000, message: 'the leak was not deleted' });
  t.deepEqual(
    cloud.instances().map((instance) => instance.name),
    ['not-nodepools', 'another-provider'],
  );
});
