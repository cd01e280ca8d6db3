/**
 * The kubernetes driver under a real launcher and TLS ZooKeeper, with the Zuul-like client,
 * against the fake Kubernetes API over HTTPS: namespace and pod nodes handed to Zuul (and used
 * with Debian's kubectl as Zuul would), quota by pods and by cores, pods that never start,
 * throttling, leak cleanup, and a launcher killed mid-launch.
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
import { kubernetesYaml } from './helpers/provider-yaml.js';
import { testDrivers } from './helpers/test-drivers.js';
import { zuulKubeconfig } from './helpers/zuul-kubeconfig.js';

const zk = useZooKeeper(test, { tls: true });

async function scratchDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-k8s-zuul-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const nodepoolNamespaces = (fake: Awaited<ReturnType<typeof useFakeK8s>>) => fake.state().namespaces.filter((namespace) => namespace.metadata.labels?.nodepool_provider_name === 'k8s');

test('a namespace node: its own namespace, service account, token and role, handed to Zuul, who can use it with kubectl; gone once returned', async (t) => {
  const fake = await useFakeK8s(t);
  const { zuul, nodes } = await launcherOn(t, zk(), kubernetesYaml(fake));
  const request = await zuul.requestNodes(['k8s-namespace']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const nodeset = await zuul.acceptNodes(request);
  const [node] = nodeset.nodes;
  const namespace = `main-${node!.id}`;
  const { token, ...connection } = node!.record.connection_port as Record<string, unknown>;
  t.deepEqual(connection, { name: namespace, namespace, host: fake.url, skiptls: false, user: 'zuul-worker', ca_crt: Buffer.from(fake.caCert).toString('base64') });
  t.like(node!.record, {
    state: 'ready',
    provider: 'k8s',
    pool: 'main',
    type: ['k8s-namespace'],
    connection_type: 'namespace',
    external_id: namespace,
    interface_ip: null,
    host_id: null,
    cloud: fake.context,
    python_path: '/usr/bin/python3',
    shell_type: null,
    username: null,
    host_keys: [],
    resources: { cores: 0, instances: 1, ram: 0 },
  });
  t.deepEqual(Object.keys(node!.record.connection_port as object), ['name', 'namespace', 'host', 'skiptls', 'token', 'user', 'ca_crt'], "9.0.0's keys, in its order");

  const state = fake.state();
  t.like(state.namespaces.find((each) => each.metadata.name === namespace)?.metadata.labels, { nodepool_node_id: node!.id, nodepool_provider_name: 'k8s', nodepool_pool_name: 'main', nodepool_node_label: 'k8s-namespace' });
  t.true(state.serviceAccounts.some((each) => each.metadata.namespace === namespace && each.metadata.name === 'zuul-worker'));
  t.like(state.secrets.find((each) => each.metadata.namespace === namespace && each.metadata.name === 'zuul-worker'), { type: 'kubernetes.io/service-account-token' });
  t.like(state.roles.find((each) => each.metadata.namespace === namespace), { metadata: { name: 'zuul' }, rules: [{ apiGroups: [''], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }] });
  t.like(state.roleBindings.find((each) => each.metadata.namespace === namespace), { metadata: { name: 'zuul-role' }, roleRef: { kind: 'Role', name: 'zuul' }, subjects: [{ kind: 'ServiceAccount', name: 'zuul-worker', namespace }] });

  // Zuul's view: a kubeconfig from connection_port, and the namespace is the job's.
  const dir = await scratchDir(t);
  const kubeconfig = await zuulKubeconfig(dir, node!.record.connection_port as Record<string, unknown>);
  const asJob = (...args: string[]) => kubectl(kubeconfig, join(dir, 'cache'), args);
  const run = await asJob('run', 'job', '--image=busybox:1.36', '--labels=app=job');
  t.is(run.code, 0, run.stderr);
  t.regex((await asJob('get', 'pods', '-l', 'app=job', '-o', 'name')).stdout, /^pod\/job$/m);
  t.is((await asJob('get', 'secrets')).code, 0, 'the zuul role manages secrets');
  t.regex((await asJob('-n', 'default', 'get', 'pods')).stderr, /Forbidden/, 'and nothing beyond its namespace');

  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  await waitFor(() => !nodes.get(node!.id), { timeoutMs: 30_000, message: 'the node record stayed' });
  t.false(fake.state().namespaces.some((each) => each.metadata.name === namespace), 'the namespace (and the job pod in it) went with the node');
  t.regex((await asJob('get', 'pods')).stderr, /Unauthorized/, "the node's token died with its namespace");
  t.is(token !== undefined, true);
});

test('a pod node: a namespace with one pod of the label, Running, reachable by kubectl exec rights only', async (t) => {
  const fake = await useFakeK8s(t, { podStartDelayMs: 300 });
  const { zuul } = await launcherOn(t, zk(), kubernetesYaml(fake, { podLabel: '            memory-limit: 1024\n            env:\n              - name: ZUUL\n                value: "yes"\n            labels:\n              team: ci\n            annotations:\n              owner: zuul\n' }));
  const request = await zuul.requestNodes(['k8s-pod']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  const namespace = `main-${node!.id}`;
  t.like(node!.record, {
    connection_type: 'kubectl',
    interface_ip: 'k8s-pod',
    host_id: 'fake-node-1',
    external_id: namespace,
    shell_type: 'bash',
    python_path: 'auto',
    resources: { cores: 1, instances: 1, ram: 512 },
    connection_port: { name: namespace, namespace, pod: 'k8s-pod', user: 'zuul-worker', skiptls: false, host: fake.url },
  });
  const pod = fake.state().pods.find((each) => each.metadata.namespace === namespace)!;
  t.like(pod, {
    metadata: { name: 'k8s-pod', labels: { team: 'ci', nodepool_node_id: node!.id, nodepool_provider_name: 'k8s', nodepool_pool_name: 'main', nodepool_node_label: 'k8s-pod' }, annotations: { owner: 'zuul' } },
    spec: { restartPolicy: 'Always', containers: [{ name: 'k8s-pod', image: 'docker.io/library/fedora:39', imagePullPolicy: 'IfNotPresent', command: ['/bin/sh', '-c'], args: ['while true; do sleep 30; done;'], env: [{ name: 'ZUUL', value: 'yes' }] }] },
    status: { phase: 'Running' },
  });
  const container = (pod.spec as { containers: { resources: unknown }[] }).containers[0]!;
  t.deepEqual(container.resources, { limits: { cpu: '1', memory: '1024Mi' }, requests: { cpu: '1', memory: '512Mi' } }, 'limits default to the requests');
  t.like(fake.state().roles.find((each) => each.metadata.namespace === namespace), { metadata: { name: 'zuul-restricted' } });

  const dir = await scratchDir(t);
  const kubeconfig = await zuulKubeconfig(dir, node!.record.connection_port as Record<string, unknown>);
  const pods = await kubectl(kubeconfig, join(dir, 'cache'), ['get', 'pods', '-o', 'name']);
  t.is(pods.code, 0, pods.stderr);
  t.regex(pods.stdout, /^pod\/k8s-pod$/m);
  t.regex((await kubectl(kubeconfig, join(dir, 'cache'), ['get', 'secrets'])).stderr, /Forbidden/, 'a pod node gets the restricted role');
  t.regex((await kubectl(kubeconfig, join(dir, 'cache'), ['run', 'other', '--image=busybox:1.36'])).stderr, /Forbidden/);
});

test('quota by pods: beyond max-servers a request waits with the pool paused, and is served once a node goes', async (t) => {
  const fake = await useFakeK8s(t);
  const { c, zuul, requests } = await launcherOn(t, zk(), kubernetesYaml(fake, { pool: '        max-servers: 1\n' }));
  const first = await zuul.requestNodes(['k8s-pod']);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 30_000 })).state, 'fulfilled');
  const second = await zuul.requestNodes(['k8s-namespace']);
  await waitFor(() => requests.get(second.id)?.state === 'pending', { timeoutMs: 30_000 });
  await waitFor(() => poolPaused(c), { timeoutMs: 30_000, message: 'the pool did not pause at max-servers' });
  t.is(fake.calls()['create namespaces'], 1, 'nothing made beyond the quota');

  const nodeset = await zuul.acceptNodes(first);
  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  t.is((await zuul.waitForRequest(second, { timeoutMs: 30_000 })).state, 'fulfilled');
  t.deepEqual(requests.get(second.id)?.declinedBy ?? [], []);
});

test('quota by cores: pods of one core each, max-cores 2: a third waits until one is returned; a set that could never fit is declined', async (t) => {
  const fake = await useFakeK8s(t);
  const { c, zuul, requests } = await launcherOn(t, zk(), kubernetesYaml(fake, { pool: '        max-cores: 2\n' }));
  const running = [await zuul.requestNodes(['k8s-pod']), await zuul.requestNodes(['k8s-pod'])];
  for (const request of running) t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const third = await zuul.requestNodes(['k8s-pod']);
  await waitFor(() => requests.get(third.id)?.state === 'pending', { timeoutMs: 30_000 });
  await waitFor(() => poolPaused(c), { timeoutMs: 30_000, message: 'the pool did not pause at max-cores' });
  t.is(fake.calls()['create pods'], 2, 'nothing made beyond the quota');

  const nodeset = await zuul.acceptNodes(running[0]!);
  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  t.is((await zuul.waitForRequest(third, { timeoutMs: 30_000 })).state, 'fulfilled');

  const tooBig = await zuul.runJob(['k8s-pod', 'k8s-pod', 'k8s-pod'], { timeoutMs: 30_000 });
  t.is(tooBig.result, 'NODE_FAILURE', 'three cores never fit in two');
});

test('a pod that never starts fails the attempt: its namespace is deleted and the launch tried again', async (t) => {
  const fake = await useFakeK8s(t);
  fake.failPods({ first: 1, reason: 'ImagePullBackOff', message: 'Back-off pulling image "docker.io/library/fedora:39"' });
  const { zuul } = await launcherOn(t, zk(), kubernetesYaml(fake));
  const job = await zuul.runJob(['k8s-pod'], { timeoutMs: 60_000 });
  t.is(job.result, 'SUCCESS');
  const log = fake.callLog();
  t.like(fake.calls(), { 'create namespaces': 2, 'create pods': 2 }, 'the failed attempt and the retry');
  t.true(log.indexOf('delete namespaces') < log.lastIndexOf('create namespaces'), 'the failed attempt was unwound before the retry');
  t.is(fake.faultRules().podFailures.length, 0);
});

test('a pod that ends Failed fails its attempt at once; after launch-retries attempts the node fails and nothing is left', async (t) => {
  const fake = await useFakeK8s(t);
  fake.failPods({ first: 2, reason: 'Error', phase: 'Failed' });
  const { zuul, nodes } = await launcherOn(t, zk(), kubernetesYaml(fake, { launchRetries: 2 }));
  const job = await zuul.runJob(['k8s-pod'], { timeoutMs: 60_000 });
  t.is(job.result, 'NODE_FAILURE');
  await waitFor(() => nodepoolNamespaces(fake).length === 0 && nodes.size === 0, { timeoutMs: 30_000, message: 'a failed attempt left something behind' });
  t.like(fake.calls(), { 'create pods': 2 });
});

test('an API server that throttles (429 with Retry-After) is waited out: every launch succeeds', async (t) => {
  const fake = await useFakeK8s(t);
  // By count, not by rate: the same calls are refused however fast the machine is.
  fake.injectFault({ operation: 'create namespaces', status: 429, retryAfterS: 0, first: 2, every: 3 });
  fake.injectFault({ operation: 'get secrets', status: 429, retryAfterS: 0, first: 1 });
  const { zuul } = await launcherOn(t, zk(), kubernetesYaml(fake));
  const jobs = await Promise.all(Array.from({ length: 4 }, () => zuul.runJob(['k8s-namespace'], { timeoutMs: 60_000 })));
  t.deepEqual(jobs.map((job) => job.result), Array(4).fill('SUCCESS'));
  // 4 namespaces take 7 tries: the first 2 refused, then the 3rd and 6th of those after.
  t.like(fake.calls(), { 'create namespaces': 4, 'create namespaces throttled': 3, 'get secrets throttled': 1 });
});

test('leaked namespaces (Nodepool labels of this provider, no node) are deleted; others are left', async (t) => {
  const fake = await useFakeK8s(t);
  const labels = (node: string, provider = 'k8s') => ({ nodepool_node_id: node, nodepool_provider_name: provider, nodepool_pool_name: 'main', nodepool_node_label: 'k8s-pod' });
  fake.addNamespace({ name: 'main-0000009999', labels: labels('0000009999') });
  fake.addPod({ namespace: 'main-0000009999', name: 'k8s-pod', labels: labels('0000009999') });
  fake.addNamespace({ name: 'main-0000009998', labels: labels('0000009998', 'another-provider') });
  fake.addNamespace({ name: 'team-0000009997', labels: labels('0000009997') });
  fake.addNamespace({ name: 'main-staging', labels: labels('0000009996') });
  const { zuul } = await launcherOn(t, zk(), kubernetesYaml(fake));
  // A node of ours, in use: its namespace is no leak.
  const request = await zuul.requestNodes(['k8s-namespace']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  await waitFor(() => !fake.state().namespaces.some((each) => each.metadata.name === 'main-0000009999'), { timeoutMs: 30_000, message: 'the leaked namespace stayed' });
  const left = fake.state().namespaces.map((each) => each.metadata.name);
  t.true(left.includes(`main-${node!.id}`), 'a node in use keeps its namespace');
  t.true(left.includes('main-0000009998'), "another provider's namespace is left");
  t.true(left.includes('team-0000009997'), 'a namespace of no pool of ours is left');
  t.true(left.includes('main-staging'), 'a name without a node number is left');
  t.false(fake.state().pods.some((each) => each.metadata.namespace === 'main-0000009999'), 'its pod went with it');
});

test('a leaked namespace already being deleted is not deleted again on later passes', async (t) => {
  const fake = await useFakeK8s(t, { namespaceDeleteDelayMs: 3_600_000 });
  fake.addNamespace({ name: 'main-0000009999', labels: { nodepool_node_id: '0000009999', nodepool_provider_name: 'k8s' } });
  await launcherOn(t, zk(), kubernetesYaml(fake));
  await waitFor(() => fake.calls()['delete namespaces'] === 1, { timeoutMs: 30_000, message: 'the leak was not deleted' });
  const listings = fake.calls()['list namespaces'] ?? 0;
  // Two more cleanup passes see it Terminating.
  await waitFor(() => (fake.calls()['list namespaces'] ?? 0) >= listings + 2, { timeoutMs: 30_000 });
  t.is(fake.calls()['delete namespaces'], 1);
  t.is(fake.calls()['delete namespaces failed'], undefined, 'no 409 Conflict from deleting it twice');
});

test("the namespace of a launcher killed mid-launch is deleted by another launcher, which serves the request", async (t) => {
  // Pods never run while the first launcher lives: it is killed waiting for one.
  const fake = await useFakeK8s(t, { podStartDelayMs: 3_600_000 });
  const c = await launcherCluster(t, zk(), testDrivers);
  const body = `zookeeper-timeout: 4.0\n${kubernetesYaml(fake)}`;
  const child = await launcherProcess(t, c, body, 'nl-doomed');
  const zuul = new ZuulClient(await c.client());
  const nodes = await (await c.store()).nodeCache();
  const request = await zuul.requestNodes(['k8s-pod']);
  await waitFor(() => [...nodes.values()].some((node) => node.state === 'building' && node.externalId) && fake.state().pods.length === 1, { timeoutMs: 30_000 });
  const [abandoned] = nodepoolNamespaces(fake);
  await killHard(child);

  fake.configure({ podStartDelayMs: 0 });
  await c.launcher(body, { hostname: 'nl-survivor' });
  t.is((await zuul.waitForRequest(request, { timeoutMs: 60_000 })).state, 'fulfilled');
  await waitFor(() => !fake.state().namespaces.some((each) => each.metadata.name === abandoned!.metadata.name), { timeoutMs: 60_000, message: 'the abandoned namespace was not deleted' });
  t.is(nodepoolNamespaces(fake).length, 1, 'only the node that serves the request is left');
  t.is(fake.state().pods.filter((each) => each.metadata.labels?.nodepool_provider_name === 'k8s').length, 1);
});

test("a provider whose context is not in the kubeconfig fails its launches with the reason, as 9.0.0's unusable provider does", async (t) => {
  const fake = await useFakeK8s(t);
  const { zuul } = await launcherOn(t, zk(), kubernetesYaml({ context: 'no-such-context' }, { launchRetries: 1 }));
  const job = await zuul.runJob(['k8s-namespace'], { timeoutMs: 30_000 });
  t.is(job.result, 'NODE_FAILURE');
  t.deepEqual(fake.calls(), {}, 'nothing reached any cluster');
});
