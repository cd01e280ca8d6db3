/**
 * The openshiftpods driver under a real launcher and TLS ZooKeeper, with the Zuul-like client,
 * against the fake API server playing OpenShift: pods in the pool's existing project handed to
 * Zuul with the provider's own credentials, quota by pods and by cores, the project's pod quota,
 * pods that never start, leak cleanup, and a launcher killed mid-launch.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launcherCluster } from '@nodepool/core/testing';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { launcherOn, poolPaused } from './helpers/cluster.js';
import { kubectl } from './helpers/debian-kubectl.js';
import { useFakeK8s } from './helpers/fake-cluster.js';
import { killHard, launcherProcess } from './helpers/killed-launcher.js';
import { openshiftPodsYaml } from './helpers/provider-yaml.js';
import { testDrivers } from './helpers/test-drivers.js';
import { zuulKubeconfig } from './helpers/zuul-kubeconfig.js';

const zk = useZooKeeper(test, { tls: true });

type Fake = Awaited<ReturnType<typeof useFakeK8s>>;

/** A fake playing OpenShift with the pool's project, `ci`, already there. */
async function fakeWithProject(t: Parameters<typeof useFakeK8s>[0], options: Parameters<typeof useFakeK8s>[1] = {}): Promise<Fake> {
  const fake = await useFakeK8s(t, { openshift: true, ...options });
  fake.addNamespace({ name: 'ci' });
  return fake;
}

const nodePods = (fake: Fake) => fake.state().pods.filter((pod) => pod.metadata.namespace === 'ci' && pod.metadata.labels?.nodepool_provider_name === 'osp').map((pod) => pod.metadata.name);

test("a pod node: a pod in the pool's project, handed to Zuul with the provider's own token and CA; deleted once returned", async (t) => {
  const fake = await fakeWithProject(t, { podStartDelayMs: 200 });
  const { zuul, nodes } = await launcherOn(t, zk(), openshiftPodsYaml(fake));
  const request = await zuul.requestNodes(['osp-pod']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const nodeset = await zuul.acceptNodes(request);
  const [node] = nodeset.nodes;
  const pod = `osp-pod-${node!.id}`;
  t.deepEqual(node!.record.connection_port, { pod, namespace: 'ci', host: fake.url, ca_crt: Buffer.from(fake.caCert).toString('base64'), skiptls: false, token: fake.adminToken, user: 'zuul-worker' });
  t.deepEqual(Object.keys(node!.record.connection_port as object), ['pod', 'namespace', 'host', 'ca_crt', 'skiptls', 'token', 'user'], "9.0.0's keys, in its order");
  t.like(node!.record, { state: 'ready', provider: 'osp', pool: 'ci', connection_type: 'kubectl', external_id: `ci-${pod}`, interface_ip: pod, host_id: 'fake-node-1', cloud: fake.context, python_path: 'auto', resources: { cores: 1, instances: 1, ram: 512 } });
  t.like(fake.state().pods.find((each) => each.metadata.name === pod), { metadata: { labels: { nodepool_node_id: node!.id, nodepool_pool_name: 'ci', nodepool_node_label: 'osp-pod' } }, spec: { containers: [{ name: 'osp-pod' }], imagePullSecrets: [] }, status: { phase: 'Running' } });
  t.deepEqual(fake.state().serviceAccounts.filter((each) => each.metadata.namespace === 'ci').map((each) => each.metadata.name), ['default'], 'nothing but the pod is made');

  const dir = await mkdtemp(join(tmpdir(), 'nodepool-osp-zuul-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const kubeconfig = await zuulKubeconfig(dir, node!.record.connection_port as Record<string, unknown>);
  const pods = await kubectl(kubeconfig, join(dir, 'cache'), ['get', 'pods', '-o', 'name']);
  t.is(pods.code, 0, pods.stderr);
  t.regex(pods.stdout, new RegExp(`^pod/${pod}$`, 'm'));

  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  await waitFor(() => !nodes.get(node!.id), { timeoutMs: 30_000, message: 'the node record stayed' });
  t.deepEqual(nodePods(fake), [], 'the pod went with the node');
  t.true(fake.state().namespaces.some((each) => each.metadata.name === 'ci'), 'the project stays');
});

test('quota by pods and by cores: max-servers 2 and max-cores 3; pods of two cores wait by cores, pods of one by count', async (t) => {
  const fake = await fakeWithProject(t);
  // osp-pod asks for two cores here; osp-small for one.
  const yaml = openshiftPodsYaml(fake, { pool: '        max-servers: 2\n        max-cores: 3\n', podLabel: '          - name: osp-small\n            image: quay.io/fedora/fedora:39\n            cpu: 1\n' })
    .replace('  - name: osp-pod\n', '  - name: osp-pod\n  - name: osp-small\n')
    .replace(/(- name: osp-pod\n\s+image: \S+\n\s+)cpu: 1/, '$1cpu: 2');
  const { c, zuul, requests } = await launcherOn(t, zk(), yaml);
  const release = async (request: { id: string }) => {
    const nodeset = await zuul.acceptNodes(request);
    await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
    await zuul.returnNodes(nodeset);
  };
  // Two cores in use, one server: a second two-core pod would make four cores.
  const big = await zuul.requestNodes(['osp-pod']);
  t.is((await zuul.waitForRequest(big, { timeoutMs: 30_000 })).state, 'fulfilled');
  const bigger = await zuul.requestNodes(['osp-pod']);
  await waitFor(() => requests.get(bigger.id)?.state === 'pending', { timeoutMs: 30_000 });
  await waitFor(() => poolPaused(c), { timeoutMs: 30_000, message: 'the pool did not pause at max-cores' });
  t.is(fake.calls()['create pods'], 1);
  await release(big);
  t.is((await zuul.waitForRequest(bigger, { timeoutMs: 30_000 })).state, 'fulfilled');
  await release(bigger);

  // Two one-core pods: two cores, two servers; a third would fit the cores, not the count.
  const small = [await zuul.requestNodes(['osp-small']), await zuul.requestNodes(['osp-small'])];
  for (const request of small) t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const third = await zuul.requestNodes(['osp-small']);
  await waitFor(() => requests.get(third.id)?.state === 'pending', { timeoutMs: 30_000 });
  await waitFor(() => poolPaused(c), { timeoutMs: 30_000, message: 'the pool did not pause at max-servers' });
  t.is(fake.calls()['create pods'], 4, 'nothing made beyond the quota');
  await release(small[0]!);
  t.is((await zuul.waitForRequest(third, { timeoutMs: 30_000 })).state, 'fulfilled');
});

test("the project's pod quota (\"exceeded quota\") aborts the node: the request waits and is served once there is room", async (t) => {
  const fake = await fakeWithProject(t, { podsPerNamespace: 1 });
  fake.addPod({ namespace: 'ci', name: 'someone-else' });
  const { zuul, requests } = await launcherOn(t, zk(), openshiftPodsYaml(fake));
  const request = await zuul.requestNodes(['osp-pod']);
  await waitFor(() => (fake.calls()['create pods failed'] ?? 0) >= 2, { timeoutMs: 30_000, message: 'the launcher did not try' });
  t.is(requests.get(request.id)?.state, 'pending', 'waiting, not failed');
  fake.configure({ podsPerNamespace: null });
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  t.deepEqual(requests.get(request.id)?.declinedBy ?? [], []);
});

test('a pod that never starts fails the attempt: it is deleted and the launch tried again', async (t) => {
  const fake = await fakeWithProject(t);
  fake.failPods({ first: 1, reason: 'ImagePullBackOff' });
  const { zuul } = await launcherOn(t, zk(), openshiftPodsYaml(fake));
  const job = await zuul.runJob(['osp-pod'], { timeoutMs: 60_000 });
  t.is(job.result, 'SUCCESS');
  const log = fake.callLog();
  t.like(fake.calls(), { 'create pods': 2 });
  t.true(log.indexOf('delete pods') < log.lastIndexOf('create pods'), 'the stuck pod was deleted before the retry');
});

test('leaked pods (named for a label and node of this provider, no node) are deleted; others are left', async (t) => {
  const fake = await fakeWithProject(t);
  fake.addPod({ namespace: 'ci', name: 'osp-pod-0000009999', labels: { nodepool_provider_name: 'osp', nodepool_node_id: '0000009999' } });
  fake.addPod({ namespace: 'ci', name: 'osp-pod-0000009998', labels: { nodepool_provider_name: 'another-provider' } });
  fake.addPod({ namespace: 'ci', name: 'builder-0000009997' });
  fake.addPod({ namespace: 'ci', name: 'osp-pod-debug' });
  fake.addNamespace({ name: 'other' });
  fake.addPod({ namespace: 'other', name: 'osp-pod-0000009996' });
  const { zuul } = await launcherOn(t, zk(), openshiftPodsYaml(fake));
  const request = await zuul.requestNodes(['osp-pod']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  await waitFor(() => !fake.state().pods.some((each) => each.metadata.name === 'osp-pod-0000009999'), { timeoutMs: 30_000, message: 'the leaked pod stayed' });
  const left = fake.state().pods.map((each) => `${each.metadata.namespace}/${each.metadata.name}`);
  for (const kept of [`ci/osp-pod-${node!.id}`, 'ci/osp-pod-0000009998', 'ci/builder-0000009997', 'ci/osp-pod-debug', 'other/osp-pod-0000009996']) t.true(left.includes(kept), `${kept} is no leak`);
});

test('the pod of a launcher killed mid-launch is deleted by another launcher, which serves the request', async (t) => {
  const fake = await fakeWithProject(t, { podStartDelayMs: 3_600_000 });
  const c = await launcherCluster(t, zk(), testDrivers);
  const body = `zookeeper-timeout: 4.0\n${openshiftPodsYaml(fake)}`;
  const child = await launcherProcess(t, c, body, 'nl-doomed');
  const zuul = new ZuulClient(await c.client());
  const nodes = await (await c.store()).nodeCache();
  const request = await zuul.requestNodes(['osp-pod']);
  await waitFor(() => [...nodes.values()].some((node) => node.state === 'building' && node.externalId), { timeoutMs: 30_000 });
  const [abandoned] = nodePods(fake);
  await killHard(child);

  fake.configure({ podStartDelayMs: 0 });
  await c.launcher(body, { hostname: 'nl-survivor' });
  t.is((await zuul.waitForRequest(request, { timeoutMs: 60_000 })).state, 'fulfilled');
  await waitFor(() => !nodePods(fake).includes(abandoned!), { timeoutMs: 60_000, message: 'the abandoned pod was not deleted' });
  t.is(nodePods(fake).length, 1, 'only the node that serves the request is left');
});
