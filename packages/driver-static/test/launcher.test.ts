/**
 * The static driver end to end: a real launcher, a real ZooKeeper, real sshd servers, and a
 * client behaving as Zuul.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startZooKeeper, useSshServer, useZooKeeper, waitFor, ZuulClient, type LocalSshServer } from '@nodepool/testkit';
import { launcherCluster } from '@nodepool/core/testing';
import staticDriver from '@nodepool/driver-static';

const zk = useZooKeeper(test);
const sshA = useSshServer(test);
const sshB = useSshServer(test);

const config = (hosts: { server: LocalSshServer; labels: string; slots?: number }[]) => `
labels:
  - name: static-a
  - name: static-b
providers:
  - name: rack
    driver: static
    pools:
      - name: main
        node-attributes:
          executor-zone: rack-1
        nodes:
${hosts
  .map(
    ({ server, labels, slots }) => `          - name: ${server.host}
            labels: ${labels}
            connection-port: ${server.port}
            username: zuul-worker
            max-parallel-jobs: ${slots ?? 1}
            timeout: 5
`,
  )
  .join('')}`;

test('a static host is handed to Zuul with its real host keys, and registered again after the job', async (t) => {
  const c = await launcherCluster(t, zk(), [staticDriver]);
  await c.launcher(config([{ server: sshA(), labels: 'static-a static-b' }]));
  const store = await c.store();
  const nodes = await store.nodeCache();
  await waitFor(() => [...nodes.values()].some((node) => node.state === 'ready'), { timeoutMs: 15_000 });

  const zuul = new ZuulClient(await c.client());
  const request = await zuul.requestNodes(['static-b']);
  const record = await zuul.waitForRequest(request, { timeoutMs: 15_000 });
  t.is(record.state, 'fulfilled');
  const nodeset = await zuul.acceptNodes(request);
  const node = nodeset.nodes[0]!.record;
  t.is(node.interface_ip, sshA().host);
  t.is(node.connection_port, sshA().port);
  t.is(node.username, 'zuul-worker');
  t.deepEqual(node.attributes, { 'executor-zone': 'rack-1' });
  t.deepEqual([...(node.host_keys as string[])].sort(), [...sshA().hostKeys].sort());
  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);

  // The used node is removed and the host registered again as a fresh ready node.
  await waitFor(() => nodes.get(nodeset.nodeIds[0]!) === undefined, { timeoutMs: 15_000 });
  await waitFor(() => [...nodes.values()].filter((each) => each.state === 'ready').length === 1, { timeoutMs: 15_000 });
});

test('a multi-node request is served from two hosts of the pool', async (t) => {
  const c = await launcherCluster(t, zk(), [staticDriver]);
  await c.launcher(config([{ server: sshA(), labels: 'static-a' }, { server: sshB(), labels: 'static-b' }]));
  const zuul = new ZuulClient(await c.client());
  const result = await zuul.runJob(['static-b', 'static-a'], { timeoutMs: 20_000 });
  t.is(result.result, 'SUCCESS');
  t.is(result.nodeIds.length, 2);
});

test('a request for more nodes than the pool has slots is declined, not left waiting', async (t) => {
  const c = await launcherCluster(t, zk(), [staticDriver]);
  await c.launcher(config([{ server: sshA(), labels: 'static-a', slots: 2 }]));
  const zuul = new ZuulClient(await c.client());
  const result = await zuul.runJob(['static-a', 'static-a', 'static-a'], { timeoutMs: 20_000 });
  t.is(result.result, 'NODE_FAILURE');
});

test('with every slot in use, the next request waits and gets the host once it is returned', async (t) => {
  const c = await launcherCluster(t, zk(), [staticDriver]);
  await c.launcher(config([{ server: sshA(), labels: 'static-a' }]));
  const zuul = new ZuulClient(await c.client());
  const first = await zuul.requestNodes(['static-a']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 15_000 })).state, 'fulfilled');
  const held = await zuul.acceptNodes(first);
  await zuul.useNodes(held, { projectName: 'example.org/app' });
  const second = await zuul.requestNodes(['static-a']);
  const store = await c.store();
  const registry = await store.componentRegistry();
  await waitFor(() => registry.all('pool')[0]?.paused === true, { timeoutMs: 15_000, message: 'the pool did not pause while waiting' });
  await zuul.returnNodes(held);
  t.is((await zuul.waitForRequest(second, { timeoutMs: 20_000 })).state, 'fulfilled');
});

test('a host removed from the configuration is deregistered once it is free', async (t) => {
  const c = await launcherCluster(t, zk(), [staticDriver]);
  const file = join(c.dir, 'static.yaml');
  await c.launcher(config([{ server: sshA(), labels: 'static-a' }, { server: sshB(), labels: 'static-b' }]), { file });
  const store = await c.store();
  const nodes = await store.nodeCache();
  await waitFor(() => [...nodes.values()].filter((node) => node.state === 'ready').length === 2, { timeoutMs: 15_000 });
  const zuul = new ZuulClient(await c.client());
  const request = await zuul.requestNodes(['static-b']);
  await zuul.waitForRequest(request, { timeoutMs: 15_000 });
  const inUse = await zuul.acceptNodes(request);
  await zuul.useNodes(inUse, { projectName: 'example.org/app' });

  await writeFile(file, c.configText(config([{ server: sshA(), labels: 'static-a' }])));
  // The in-use node stays until Zuul is done with it, then is not registered again.
  await waitFor(() => nodes.get(inUse.nodeIds[0]!)?.state === 'in-use', { timeoutMs: 5_000 });
  await zuul.returnNodes(inUse);
  await waitFor(() => [...nodes.values()].every((node) => node.hostname === sshA().host && node.connectionPort === sshA().port), {
    timeoutMs: 20_000,
    message: 'the removed host still has nodes',
  });
  t.is([...nodes.values()].length, 1);
});

test('over TLS as Nodepool 9 requires, a static node is served end to end', async (t) => {
  const server = await startZooKeeper({ tls: true });
  t.teardown(() => server.destroy());
  const c = await launcherCluster(t, server, [staticDriver]);
  await c.launcher(config([{ server: sshA(), labels: 'static-a' }]));
  const zuul = new ZuulClient(await c.client());
  t.is((await zuul.runJob(['static-a'], { timeoutMs: 20_000 })).result, 'SUCCESS');
});
