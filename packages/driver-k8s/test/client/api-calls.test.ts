import test from 'ava';
import { startFakeK8s } from '@nodepool/driver-k8s/testing';
import { KubeApiError } from '../../src/errors.js';
import { clientsFor } from '../helpers/clients.js';

async function fake(t: { teardown(fn: () => unknown): void }, options: Parameters<typeof startFakeK8s>[0] = {}) {
  const started = await startFakeK8s(options);
  t.teardown(() => started.stop());
  return started;
}

test('every call goes through a limiter: changes through the mutating one, reads through the read-only one', async (t) => {
  const api = await fake(t);
  const { kube, limits } = await clientsFor(api);
  await kube.createNamespace({ metadata: { name: 'team' } });
  await kube.createServiceAccount('team', { metadata: { name: 'zuul-worker' } });
  await kube.readServiceAccount('team', 'zuul-worker');
  await kube.listNamespaces();
  await kube.deleteNamespace('team');
  t.is(limits.mutating.runs, 3);
  t.is(limits.readOnly.runs, 2);
  t.deepEqual(api.calls(), { 'create namespaces': 1, 'create serviceaccounts': 1, 'delete namespaces': 1, 'get serviceaccounts': 1, 'list namespaces': 1 });
});

test("a 429 backs the limiter off for the server's Retry-After and the call is tried again", async (t) => {
  const api = await fake(t);
  api.injectFault({ operation: 'list namespaces', status: 429, retryAfterS: 0.05, first: 2 });
  const { kube, limits } = await clientsFor(api);
  const namespaces = await kube.listNamespaces();
  t.deepEqual(namespaces.map((namespace) => namespace.metadata?.name), ['default', 'kube-public', 'kube-system']);
  t.deepEqual(limits.readOnly.backOffs, [50, 50]);
  t.like(api.calls(), { 'list namespaces': 1, 'list namespaces throttled': 2 });
});

test('throttled beyond the retries, the call fails with the 429', async (t) => {
  const api = await fake(t);
  api.injectFault({ operation: 'create namespaces', status: 429, retryAfterS: 0, every: 1 });
  const { kube } = await clientsFor(api, { throttleRetries: 2 });
  const error = await t.throwsAsync(kube.createNamespace({ metadata: { name: 'team' } }), { instanceOf: KubeApiError });
  t.is(error!.code, 429);
  t.is(error!.reason, 'TooManyRequests');
  t.is(api.calls()['create namespaces throttled'], 3);
});

test("the API server's errors become KubeApiError with its code, reason and message", async (t) => {
  const api = await fake(t);
  const { kube } = await clientsFor(api);
  const missing = await t.throwsAsync(kube.readNamespace('nowhere'), { instanceOf: KubeApiError });
  t.like(missing, { code: 404, reason: 'NotFound', message: '404 NotFound: namespaces "nowhere" not found' });
  await kube.createNamespace({ metadata: { name: 'team' } });
  t.like(await t.throwsAsync(kube.createNamespace({ metadata: { name: 'team' } })), { code: 409, reason: 'AlreadyExists' });
  api.injectFault({ operation: 'create pods', status: 403, message: 'pods "p" is forbidden: exceeded quota: pods' });
  const quota = await t.throwsAsync(kube.createPod('team', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } }));
  t.regex(quota!.message, /exceeded quota/);
});

test('a call without an answer fails after the timeout', async (t) => {
  const api = await fake(t, { latencyMs: 2_000 });
  const { kube } = await clientsFor(api, { timeoutMs: 50 });
  await t.throwsAsync(kube.listNamespaces(), { message: 'list namespaces: no answer from the API server within 0 s' });
});

test('the OpenShift calls go through the limiters too, and a 401 builds the client again with fresh credentials', async (t) => {
  const api = await fake(t, { openshift: true });
  const { openshift, limits } = await clientsFor(api);
  api.injectFault({ operation: 'list projects.project.openshift.io', status: 401, first: 1 });
  await openshift.requestProject({ apiVersion: 'project.openshift.io/v1', kind: 'ProjectRequest', metadata: { name: 'ci-1' } });
  const projects = await openshift.listProjects();
  t.true(projects.some((project) => project.metadata.name === 'ci-1'));
  t.is((await openshift.readProject('ci-1')).metadata.name, 'ci-1');
  await openshift.deleteProject('ci-1');
  t.like(await t.throwsAsync(openshift.deleteProject('nowhere')), { code: 404 });
  t.is(limits.mutating.runs, 3);
  t.is(limits.readOnly.runs, 2);
  t.like(api.calls(), { 'list projects.project.openshift.io': 2, 'list projects.project.openshift.io failed': 1 });
});
