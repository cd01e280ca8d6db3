import test from 'ava';
import { startFakeK8s } from '@nodepool/driver-k8s/testing';
import { K8sLaunchError } from '../src/errors.js';
import { waitForNamespaceGone, waitForPodRunning } from '../src/object-waits.js';
import { clientsFor } from './helpers/clients.js';

async function setup(t: { teardown(fn: () => unknown): void }, options: Parameters<typeof startFakeK8s>[0] = {}) {
  const fake = await startFakeK8s(options);
  t.teardown(() => fake.stop());
  const clients = await clientsFor(fake);
  await clients.kube.createNamespace({ metadata: { name: 'team' } });
  const createPod = (name: string, image = 'busybox:1.36') => clients.kube.createPod('team', { metadata: { name }, spec: { containers: [{ name: 'main', image }] } });
  return { fake, ...clients, createPod };
}

const limits = (timeoutMs = 20_000) => ({ timeoutMs, pollMs: 50, signal: new AbortController().signal });

test('a pod is watched from its creation until it runs: one watch call, no polling', async (t) => {
  const { fake, kube, createPod } = await setup(t, { podStartDelayMs: 300 });
  const created = await createPod('web');
  fake.resetCalls();
  const pod = await waitForPodRunning(kube, 'team', 'web', created, limits());
  t.is(pod.status?.phase, 'Running');
  t.is(pod.spec?.nodeName, 'fake-node-1');
  t.deepEqual(fake.calls(), { 'watch pods': 1 });
});

test('where watching is forbidden, the pod is polled instead', async (t) => {
  const { fake, kube, createPod } = await setup(t, { podStartDelayMs: 300 });
  fake.injectFault({ operation: 'watch pods', status: 403, every: 1 });
  const created = await createPod('web');
  const pod = await waitForPodRunning(kube, 'team', 'web', created, limits());
  t.is(pod.status?.phase, 'Running');
  t.is(fake.calls()['watch pods failed'], 1, 'one refusal is enough to stop trying');
  t.true((fake.calls()['get pods'] ?? 0) >= 1);
});

test('a pod that ended fails at once; one stuck waiting fails when time is up, saying why', async (t) => {
  const { fake, kube, createPod } = await setup(t);
  fake.failPods({ first: 1, reason: 'Evicted', phase: 'Failed' });
  const evicted = await createPod('evicted');
  await t.throwsAsync(waitForPodRunning(kube, 'team', 'evicted', evicted, limits()), { instanceOf: K8sLaunchError, message: 'team: pod failed to initialize (Failed: Evicted)' });
  fake.failPods({ first: 1, reason: 'ImagePullBackOff' });
  const stuck = await createPod('stuck');
  const error = await t.throwsAsync(waitForPodRunning(kube, 'team', 'stuck', stuck, limits(500)), { instanceOf: K8sLaunchError });
  t.regex(error!.message, /^team: pod failed to initialize \(Pending(: ImagePullBackOff)?\)$/);
  t.is(error!.statsdKey, 'error.nodepool');
});

test('a pod deleted while it is waited for fails the wait', async (t) => {
  const { kube, createPod } = await setup(t, { podStartDelayMs: 3_600_000 });
  const created = await createPod('web');
  const waiting = waitForPodRunning(kube, 'team', 'web', created, limits());
  await kube.deletePod('team', 'web');
  await t.throwsAsync(waiting, { instanceOf: K8sLaunchError, message: /pod web was deleted while starting/ });
});

test('a namespace is watched until it is gone; one already gone is no wait', async (t) => {
  // Long enough that even a starved machine reads it Terminating first and has to watch.
  const { fake, kube } = await setup(t, { namespaceDeleteDelayMs: 3_000 });
  await kube.deleteNamespace('team');
  fake.resetCalls();
  await waitForNamespaceGone(kube, 'team', limits());
  t.like(fake.calls(), { 'get namespaces': 1, 'watch namespaces': 1 });
  t.false(fake.state().namespaces.some((namespace) => namespace.metadata.name === 'team'));
  fake.resetCalls();
  await waitForNamespaceGone(kube, 'team', limits());
  t.deepEqual(fake.calls(), { 'get namespaces': 1, 'get namespaces failed': 1 });
});

test('waiting ends when its signal is aborted', async (t) => {
  const { kube, createPod } = await setup(t, { podStartDelayMs: 3_600_000 });
  const created = await createPod('web');
  const controller = new AbortController();
  const waiting = waitForPodRunning(kube, 'team', 'web', created, { timeoutMs: 60_000, pollMs: 50, signal: controller.signal });
  controller.abort(new Error('the launcher is stopping'));
  await t.throwsAsync(waiting);
});
