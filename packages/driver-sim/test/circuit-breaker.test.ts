/**
 * The provider circuit breaker end to end (issue 19, part 2): two simulated clouds, the preferred
 * one failing every boot. Once its breaker opens, its pool stops taking requests and says it is
 * paused, so the healthy provider serves every request at once instead of each job waiting for
 * the sick cloud's retries.
 */
import test from 'ava';
import { readLauncherReports } from '@nodepool/core';
import { launcherCluster } from '@nodepool/core/testing';
import simDriver from '@nodepool/driver-sim';
import { startSimCloud, type SimCloudHandle } from '@nodepool/driver-sim/cloud';
import { useSshServer, useZooKeeper, waitFor, ZuulClient, type LocalSshServer } from '@nodepool/testkit';

const zk = useZooKeeper(test);
const ssh = useSshServer(test);

async function cloudFor(t: { teardown(fn: () => unknown): void }, server: LocalSshServer, failureRate: number): Promise<SimCloudHandle> {
  const cloud = await startSimCloud({ address: server.host, sshPort: server.port, failureRate });
  t.teardown(() => cloud.stop());
  return cloud;
}

const provider = (name: string, cloud: SimCloudHandle, server: LocalSshServer, priority: number, extra = ''): string => `
  - name: ${name}
    driver: sim
    endpoint: ${cloud.url}
    priority: ${priority}
    boot-timeout: 10
    launch-retries: 2
${extra}    cloud-images:
      - name: sim-base
    pools:
      - name: main
        max-servers: 20
        labels:
          - name: sim-small
            flavor: small
            cloud-image: sim-base
            connection-port: ${server.port}
`;

test('with the preferred cloud failing every boot, its breaker opens and the healthy cloud serves every request', async (t) => {
  const sick = await cloudFor(t, ssh(), 1);
  const healthy = await cloudFor(t, ssh(), 0);
  const breaker = '    circuit-breaker:\n      failures: 2\n      probe-interval: 3600\n';
  const c = await launcherCluster(t, zk(), [simDriver]);
  await c.launcher(`
labels:
  - name: sim-small
providers:${provider('sick', sick, ssh(), 1, breaker)}${provider('healthy', healthy, ssh(), 2)}`);
  const client = await c.client();
  const zuul = new ZuulClient(client);

  const fulfilBatch = async (count: number): Promise<string[]> => {
    const requests = await Promise.all(Array.from({ length: count }, () => zuul.requestNodes(['sim-small'])));
    const providers: string[] = [];
    for (const request of requests) {
      const record = await zuul.waitForRequest(request, { timeoutMs: 60_000 });
      t.is(record.state, 'fulfilled', `request ${request.id}`);
      const nodeset = await zuul.acceptNodes(request);
      providers.push(...nodeset.nodes.map((node) => String(node.record.provider)));
      await zuul.returnNodes(nodeset);
    }
    return providers;
  };

  // The sick cloud is tried first (it comes first), fails, and the requests go on to the healthy one.
  t.deepEqual(new Set(await fulfilBatch(4)), new Set(['healthy']));
  const reports = await waitFor(async () => {
    const found = await readLauncherReports(client);
    return found.some((report) => report.providers.some((each) => each.provider === 'sick' && each.state === 'open')) ? found : undefined;
  }, { timeoutMs: 30_000, message: 'the sick provider’s breaker never showed open' });
  t.like(reports[0]!.providers.find((each) => each.provider === 'sick'), { state: 'open', threshold: 2, timesOpened: 1 });
  t.true(reports[0]!.providers.every((each) => each.provider !== 'healthy'), 'a provider without the key has no breaker');

  // Open: the sick cloud is asked for nothing more, and the healthy one takes every request.
  const createsWhenOpen = sick.calls()['instances.create'] ?? 0;
  t.deepEqual(await fulfilBatch(6), Array(6).fill('healthy'));
  t.is(sick.calls()['instances.create'] ?? 0, createsWhenOpen);
});
