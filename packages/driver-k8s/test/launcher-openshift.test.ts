/**
 * The openshift driver under a real launcher and TLS ZooKeeper, with the Zuul-like client,
 * against the fake API server playing OpenShift: project and pod nodes handed to Zuul (and used
 * with Debian's kubectl as Zuul would), quota by pods and by cores, OpenShift's "exceeded quota",
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
import { openshiftYaml } from './helpers/provider-yaml.js';
import { testDrivers } from './helpers/test-drivers.js';
import { zuulKubeconfig } from './helpers/zuul-kubeconfig.js';

const zk = useZooKeeper(test, { tls: true });

type Fake = Awaited<ReturnType<typeof useFakeK8s>>;
const nodeProjects = (fake: Fake) => fake.state().namespaces.filter((namespace) => /^main-\d+$/.test(namespace.metadata.name)).map((namespace) => namespace.metadata.name);

test('a project node: a project from a ProjectRequest, its service account made admin, handed to Zuul, who can use it; gone once returned', async (t) => {
  const fake = await useFakeK8s(t, { openshift: true });
  const { zuul, nodes } = await launcherOn(t, zk(), openshiftYaml(fake));
  const request = await zuul.requestNodes(['os-project']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const nodeset = await zuul.acceptNodes(request);
  const [node] = nodeset.nodes;
  const project = `main-${node!.id}`;
  const { token: _token, ...connection } = node!.record.connection_port as Record<string, unknown>;
  t.deepEqual(connection, { namespace: project, host: fake.url, skiptls: false, user: 'zuul-worker', ca_crt: Buffer.from(fake.caCert).toString('base64') });
  t.deepEqual(Object.keys(node!.record.connection_port as object), ['namespace', 'host', 'skiptls', 'token', 'user', 'ca_crt'], "9.0.0's keys (no name), in its order");
  t.like(node!.record, { state: 'ready', provider: 'os', connection_type: 'project', external_id: project, interface_ip: null, host_id: null, cloud: fake.context, python_path: 'auto', resources: { cores: 0, instances: 1, ram: 0 } });
  t.like(fake.state().namespaces.find((each) => each.metadata.name === project), { metadata: { annotations: { 'openshift.io/requester': 'kube:admin' } } });
  t.like(fake.state().roleBindings.find((each) => each.metadata.namespace === project), { metadata: { name: 'admin-0' }, roleRef: { kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'ServiceAccount', name: 'zuul-worker', namespace: project }] });

  const dir = await mkdtemp(join(tmpdir(), 'nodepool-os-zuul-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const kubeconfig = await zuulKubeconfig(dir, node!.record.connection_port as Record<string, unknown>);
  const asJob = (...args: string[]) => kubectl(kubeconfig, join(dir, 'cache'), args);
  const run = await asJob('run', 'job', '--image=busybox:1.36');
  t.is(run.code, 0, run.stderr);
  t.is((await asJob('get', 'secrets')).code, 0, 'the project admin may read its secrets');
  t.regex((await asJob('-n', 'default', 'get', 'pods')).stderr, /Forbidden/);

  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  await waitFor(() => !nodes.get(node!.id), { timeoutMs: 30_000, message: 'the node record stayed' });
  t.deepEqual(nodeProjects(fake), [], 'the project went with the node');
  t.like(fake.calls(), { 'create projectrequests.project.openshift.io': 1, 'create rolebindings.authorization.openshift.io': 1, 'delete projects.project.openshift.io': 1 });
});

test('a pod node: a project with one Running pod, with the image pull secrets of the label', async (t) => {
  const fake = await useFakeK8s(t, { openshift: true, podStartDelayMs: 200 });
  const { zuul } = await launcherOn(t, zk(), openshiftYaml(fake));
  const request = await zuul.requestNodes(['os-pod']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  const project = `main-${node!.id}`;
  // As 9.0.0: no host_id for this driver's pods.
  t.like(node!.record, { connection_type: 'kubectl', interface_ip: 'os-pod', host_id: null, external_id: project, resources: { cores: 1, instances: 1, ram: 512 }, connection_port: { namespace: project, pod: 'os-pod' } });
  t.like(fake.state().pods.find((each) => each.metadata.namespace === project), {
    metadata: { name: 'os-pod', labels: { nodepool_node_id: node!.id, nodepool_provider_name: 'os' } },
    spec: { imagePullSecrets: [{ name: 'registry-credentials' }], containers: [{ name: 'os-pod', image: 'quay.io/fedora/fedora:39' }] },
    status: { phase: 'Running' },
  });
});

test('quota by pods and by cores: max-servers 2 and max-cores 1: one pod of a core and one project at most, the rest wait', async (t) => {
  const fake = await useFakeK8s(t, { openshift: true });
  const { c, zuul, requests } = await launcherOn(t, zk(), openshiftYaml(fake, { pool: '        max-servers: 2\n        max-cores: 1\n' }));
  const pod = await zuul.requestNodes(['os-pod']);
  t.is((await zuul.waitForRequest(pod, { timeoutMs: 30_000 })).state, 'fulfilled');
  const secondPod = await zuul.requestNodes(['os-pod']);
  await waitFor(() => requests.get(secondPod.id)?.state === 'pending', { timeoutMs: 30_000 });
  await waitFor(() => poolPaused(c), { timeoutMs: 30_000, message: 'the pool did not pause at max-cores' });
  t.is(fake.calls()['create pods'], 1);

  const nodeset = await zuul.acceptNodes(pod);
  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
  t.is((await zuul.waitForRequest(secondPod, { timeoutMs: 30_000 })).state, 'fulfilled');
  // One pod and one project fill max-servers 2; a third node waits.
  const project = await zuul.requestNodes(['os-project']);
  t.is((await zuul.waitForRequest(project, { timeoutMs: 30_000 })).state, 'fulfilled');
  const third = await zuul.requestNodes(['os-project']);
  await waitFor(() => requests.get(third.id)?.state === 'pending', { timeoutMs: 30_000 });
  await waitFor(() => poolPaused(c), { timeoutMs: 30_000, message: 'the pool did not pause at max-servers' });
  t.is(fake.calls()['create projectrequests.project.openshift.io'], 3);
});

test('OpenShift refusing a pod for "exceeded quota" aborts the node, not fails it: the request waits and is served', async (t) => {
  const fake = await useFakeK8s(t, { openshift: true });
  fake.injectFault({ operation: 'create pods', status: 403, reason: 'Forbidden', message: 'pods "os-pod" is forbidden: exceeded quota: compute-resources, requested: pods=1, used: pods=4, limited: pods=4', first: 2 });
  const { zuul, requests } = await launcherOn(t, zk(), openshiftYaml(fake));
  const request = await zuul.requestNodes(['os-pod']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 60_000 })).state, 'fulfilled');
  t.deepEqual(requests.get(request.id)?.declinedBy ?? [], [], 'never declined');
  t.like(fake.calls(), { 'create pods failed': 2, 'create projectrequests.project.openshift.io': 3, 'delete projects.project.openshift.io': 2 });
});

test('a pod that never starts fails the attempt: its project is deleted and the launch tried again', async (t) => {
  const fake = await useFakeK8s(t, { openshift: true });
  fake.failPods({ first: 1, reason: 'ErrImagePull' });
  const { zuul } = await launcherOn(t, zk(), openshiftYaml(fake));
  t.is((await zuul.runJob(['os-pod'], { timeoutMs: 60_000 })).result, 'SUCCESS');
  const log = fake.callLog();
  t.like(fake.calls(), { 'create projectrequests.project.openshift.io': 2, 'create pods': 2 });
  t.true(log.indexOf('delete projects.project.openshift.io') < log.lastIndexOf('create projectrequests.project.openshift.io'), 'unwound before the retry');
});

test('leaked projects (named for a pool and node of this provider, no node) are deleted; others are left', async (t) => {
  const fake = await useFakeK8s(t, { openshift: true });
  fake.addNamespace({ name: 'main-0000009999' });
  fake.addNamespace({ name: 'main-0000009998', labels: { nodepool_provider_name: 'another-provider' } });
  fake.addNamespace({ name: 'team-0000009997' });
  fake.addNamespace({ name: 'main-staging' });
  const { zuul } = await launcherOn(t, zk(), openshiftYaml(fake));
  const request = await zuul.requestNodes(['os-project']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  await waitFor(() => !nodeProjects(fake).includes('main-0000009999'), { timeoutMs: 30_000, message: 'the leaked project stayed' });
  const left = fake.state().namespaces.map((each) => each.metadata.name);
  for (const kept of [`main-${node!.id}`, 'main-0000009998', 'team-0000009997', 'main-staging']) t.true(left.includes(kept), `${kept} is no leak`);
});

test('the project of a launcher killed mid-launch is deleted by another launcher, which serves the request', async (t) => {
  const fake = await useFakeK8s(t, { openshift: true, podStartDelayMs: 3_600_000 });
  const c = await launcherCluster(t, zk(), testDrivers);
  const body = `zookeeper-timeout: 4.0\n${openshiftYaml(fake)}`;
  const child = await launcherProcess(t, c, body, 'nl-doomed');
  const zuul = new ZuulClient(await c.client());
  const nodes = await (await c.store()).nodeCache();
  const request = await zuul.requestNodes(['os-pod']);
  await waitFor(() => [...nodes.values()].some((node) => node.state === 'building' && node.externalId) && fake.state().pods.length === 1, { timeoutMs: 30_000 });
  const [abandoned] = nodeProjects(fake);
  await killHard(child);

  fake.configure({ podStartDelayMs: 0 });
  await c.launcher(body, { hostname: 'nl-survivor' });
  t.is((await zuul.waitForRequest(request, { timeoutMs: 60_000 })).state, 'fulfilled');
  await waitFor(() => !nodeProjects(fake).includes(abandoned!), { timeoutMs: 60_000, message: 'the abandoned project was not deleted' });
  t.is(nodeProjects(fake).length, 1, 'only the node that serves the request is left');
});
