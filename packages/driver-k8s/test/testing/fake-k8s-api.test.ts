/**
 * The fake Kubernetes API's wire formats, over plain HTTP with a raw client: Status errors,
 * selectors and paging, watches, the controllers (tokens, pods, namespace deletion), faults by
 * count, Table output and OpenShift's project API.
 */
import test from 'ava';
import { fakeK8sControl, startFakeK8s, type FakeK8sHandle, type StartFakeK8sOptions } from '@nodepool/driver-k8s/testing';
import { waitFor } from '@nodepool/testkit';
import { rawApi, watchLines } from '../helpers/raw-api.js';

async function plainFake(t: { teardown(fn: () => unknown): void }, options: StartFakeK8sOptions = {}): Promise<FakeK8sHandle> {
  const fake = await startFakeK8s({ tls: false, ...options });
  t.teardown(() => fake.stop());
  return fake;
}

const namespace = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (name: string, labels: Record<string, string> = {}, image = 'busybox:1.36') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'main', image }] } });

test('errors are Status objects with the code, reason, message and details the API server gives', async (t) => {
  const fake = await plainFake(t);
  const missing = await rawApi(fake, 'GET', '/api/v1/namespaces/nowhere');
  t.is(missing.status, 404);
  t.deepEqual(missing.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'namespaces "nowhere" not found', reason: 'NotFound', details: { name: 'nowhere', kind: 'namespaces' }, code: 404 });

  t.is((await rawApi(fake, 'POST', '/api/v1/namespaces', namespace('team'))).status, 201);
  const twice = await rawApi(fake, 'POST', '/api/v1/namespaces', namespace('team'));
  t.like(twice, { status: 409, body: { reason: 'AlreadyExists', message: 'namespaces "team" already exists', code: 409 } });
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] };
  t.is((await rawApi(fake, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles', role)).status, 201);
  t.like(await rawApi(fake, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles', role), {
    status: 409,
    body: { message: 'roles.rbac.authorization.k8s.io "reader" already exists', details: { name: 'reader', group: 'rbac.authorization.k8s.io', kind: 'roles' } },
  });

  const invalid = await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', { ...pod('Web_1'), spec: { containers: [{ name: 'main' }] } });
  t.is(invalid.status, 422);
  t.like(invalid.body, { reason: 'Invalid', details: { name: 'Web_1', kind: 'Pod' } });
  t.deepEqual(
    (invalid.body.details as { causes: { field: string; reason: string }[] }).causes.map(({ field, reason }) => ({ field, reason })),
    [
      { field: 'metadata.name', reason: 'FieldValueInvalid' },
      { field: 'spec.containers[0].image', reason: 'FieldValueRequired' },
    ],
  );
  t.like(await rawApi(fake, 'POST', '/api/v1/namespaces/elsewhere/pods', pod('web')), { status: 404, body: { message: 'namespaces "elsewhere" not found' } });
  t.like(await rawApi(fake, 'GET', '/api/v1/namespaces', undefined, { token: null }), { status: 401, body: { reason: 'Unauthorized', code: 401 } });
  t.like(await rawApi(fake, 'GET', '/api/v1/configmaps'), { status: 404, body: { reason: 'NotFound', message: 'the server could not find the requested resource' } });
  t.like(await rawApi(fake, 'PATCH', '/api/v1/namespaces/team', {}), { status: 405, body: { reason: 'MethodNotAllowed' } });
});

test('faults hit calls by count, and a 429 carries Retry-After and counts as throttled', async (t) => {
  const fake = await plainFake(t);
  fake.injectFault({ operation: 'create namespaces', status: 429, retryAfterS: 3, first: 1, every: 3 });
  fake.injectFault({ operation: 'get namespaces', status: 500, first: 2 });
  const answers = [];
  for (let index = 0; index < 5; index++) answers.push(await rawApi(fake, 'POST', '/api/v1/namespaces', namespace(`n${index}`)));
  // The 1st, then every 3rd after it (the 4th).
  t.deepEqual(answers.map((answer) => answer.status), [429, 201, 201, 429, 201]);
  t.is(answers[0]!.headers.get('retry-after'), '3');
  t.like(answers[0]!.body, { reason: 'TooManyRequests', details: { retryAfterSeconds: 3 }, code: 429 });
  const reads = [];
  for (let index = 0; index < 3; index++) reads.push((await rawApi(fake, 'GET', '/api/v1/namespaces/default')).status);
  t.deepEqual(reads, [500, 500, 200]);
  t.like(fake.calls(), { 'create namespaces': 3, 'create namespaces throttled': 2, 'get namespaces': 3, 'get namespaces failed': 2 });
  t.deepEqual(fake.faultRules().faults.map((rule) => rule.operation), ['create namespaces'], 'a rule with every stays; a spent one goes');
});

test('lists select by label and field, leave out kind and apiVersion of items, and page with limit and continue', async (t) => {
  const fake = await plainFake(t);
  await rawApi(fake, 'POST', '/api/v1/namespaces', namespace('team'));
  for (const [name, labels] of [['a', { app: 'web', tier: 'front' }], ['b', { app: 'web' }], ['c', { app: 'db' }], ['d', {}]] as const) {
    t.is((await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod(name, labels))).status, 201);
  }
  const names = async (query: string) => {
    const answer = await rawApi(fake, 'GET', `/api/v1/namespaces/team/pods?${query}`);
    t.is(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.items!.map((item) => (item.metadata as { name: string }).name);
  };
  t.deepEqual(await names(`labelSelector=${encodeURIComponent('app=web')}`), ['a', 'b']);
  t.deepEqual(await names(`labelSelector=${encodeURIComponent('app in (web,db),tier!=front')}`), ['b', 'c']);
  t.deepEqual(await names(`labelSelector=${encodeURIComponent('!app')}`), ['d']);
  t.deepEqual(await names(`labelSelector=${encodeURIComponent('app,app notin (db)')}`), ['a', 'b']);
  t.deepEqual(await names(`fieldSelector=${encodeURIComponent('metadata.name=c')}`), ['c']);
  t.like(await rawApi(fake, 'GET', `/api/v1/namespaces/team/pods?labelSelector=${encodeURIComponent('app in (web')}`), { status: 400, body: { reason: 'BadRequest' } });
  t.like(await rawApi(fake, 'GET', `/api/v1/namespaces/team/pods?fieldSelector=${encodeURIComponent('spec.image=x')}`), { status: 400, body: { message: 'field label not supported: spec.image' } });

  const list = await rawApi(fake, 'GET', '/api/v1/namespaces/team/pods?limit=3');
  t.like(list.body, { kind: 'PodList', apiVersion: 'v1' });
  t.false('kind' in list.body.items![0]!, 'items of a typed list carry no kind');
  const more = (list.body.metadata as { continue?: string }).continue;
  t.truthy(more);
  t.deepEqual(await names(`limit=3&continue=${more}`), ['d']);
  t.deepEqual(await names(''), ['a', 'b', 'c', 'd'], 'across namespaces too');
  t.deepEqual((await rawApi(fake, 'GET', '/api/v1/pods')).body.items!.map((item) => (item.metadata as { name: string }).name), ['a', 'b', 'c', 'd']);
});

test('a pod is Pending when created, then scheduled and Running; a pod failure rule leaves one waiting or Failed', async (t) => {
  const fake = await plainFake(t, { podStartDelayMs: 200 });
  await rawApi(fake, 'POST', '/api/v1/namespaces', namespace('team'));
  fake.failPods({ first: 1, reason: 'ImagePullBackOff', image: 'registry.example/missing:1' });
  fake.failPods({ first: 1, reason: 'Evicted', phase: 'Failed', message: 'The node was low on resource: memory.' });
  const created = await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('web'));
  t.like(created.body, { status: { phase: 'Pending', qosClass: 'BestEffort' }, spec: { restartPolicy: 'Always', serviceAccountName: 'default', schedulerName: 'default-scheduler' } });
  t.false('nodeName' in (created.body.spec as object), 'not scheduled yet');
  const stuck = await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('stuck', {}, 'registry.example/missing:1'));
  t.is(stuck.status, 201);
  const phase = async (name: string) => ((await rawApi(fake, 'GET', `/api/v1/namespaces/team/pods/${name}`)).body as { status: { phase: string } }).status.phase;
  await waitFor(async () => (await phase('web')) === 'Failed' && (await phase('stuck')) === 'Pending' && (await rawApi(fake, 'GET', '/api/v1/namespaces/team/pods/stuck')).body.spec !== undefined, { timeoutMs: 10_000 });
  // The second rule took "web" (the first only counts the missing image).
  t.like((await rawApi(fake, 'GET', '/api/v1/namespaces/team/pods/web')).body, { status: { phase: 'Failed', reason: 'Evicted' } });
  await waitFor(async () => ((await rawApi(fake, 'GET', '/api/v1/namespaces/team/pods/stuck')).body as { spec: { nodeName?: string } }).spec.nodeName !== undefined, { timeoutMs: 10_000 });
  const waiting = (await rawApi(fake, 'GET', '/api/v1/namespaces/team/pods/stuck')).body as { status: { phase: string; containerStatuses: { state: { waiting: { reason: string } } }[] } };
  t.is(waiting.status.phase, 'Pending');
  t.is(waiting.status.containerStatuses[0]!.state.waiting.reason, 'ImagePullBackOff');
  fake.failPods({ first: 1, reason: 'CreateContainerConfigError', name: 'fourth' });
  const third = await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('third', {}, 'busybox:1.36'));
  await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('fourth'));
  await waitFor(async () => ((await rawApi(fake, 'GET', '/api/v1/namespaces/team/pods/fourth')).body as { status: { containerStatuses?: { state: { waiting?: { reason: string } } }[] } }).status.containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError', { timeoutMs: 10_000, message: 'the rule by name missed its pod' });
  t.is(third.status, 201);
  await waitFor(async () => (await phase('third')) === 'Running', { timeoutMs: 10_000 });
  const running = (await rawApi(fake, 'GET', '/api/v1/namespaces/team/pods/third')).body as { spec: { nodeName: string }; status: { podIP: string; containerStatuses: { ready: boolean; state: { running?: { startedAt: string } } }[] } };
  t.is(running.spec.nodeName, 'fake-node-1');
  t.regex(running.status.podIP, /^10\.244\.\d+\.\d+$/);
  t.true(running.status.containerStatuses[0]!.ready);
  t.truthy(running.status.containerStatuses[0]!.state.running?.startedAt);
});

test('a watch sends what exists, then every change; from a resourceVersion it replays; from a forgotten one it answers 410', async (t) => {
  const fake = await plainFake(t, { podStartDelayMs: 50 });
  await rawApi(fake, 'POST', '/api/v1/namespaces', namespace('team'));
  await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('old'));
  const events = await watchLines(fake, '/api/v1/namespaces/team/pods?watch=true&fieldSelector=metadata.name%3Dnew', 3, async () => {
    await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('new'));
    await waitFor(async () => ((await rawApi(fake, 'GET', '/api/v1/namespaces/team/pods/new')).body as { status: { phase: string } }).status.phase === 'Running', { timeoutMs: 10_000 });
    await rawApi(fake, 'DELETE', '/api/v1/namespaces/team/pods/new');
  });
  t.deepEqual(events.map((event) => [event.type, (event.object as { status?: { phase: string } }).status?.phase]), [
    ['ADDED', 'Pending'],
    ['MODIFIED', 'Running'],
    ['DELETED', 'Running'],
  ]);
  const initial = await watchLines(fake, '/api/v1/namespaces/team/pods?watch=1', 1);
  t.is((initial[0]!.object.metadata as { name: string }).name, 'old', 'without a resourceVersion: what exists, as ADDED');

  const from = Number((events[0]!.object.metadata as { resourceVersion: string }).resourceVersion);
  const replayed = await watchLines(fake, `/api/v1/namespaces/team/pods?watch=true&fieldSelector=metadata.name%3Dnew&resourceVersion=${from}`, 2);
  t.deepEqual(replayed.map((event) => event.type), ['MODIFIED', 'DELETED']);
  const gone = await watchLines(fake, '/api/v1/namespaces/team/pods?watch=true&resourceVersion=1', 1);
  t.like(gone[0], { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Gone' } });
});

test('a deleted namespace is Terminating until it goes with its contents: nothing new goes in, a second delete conflicts', async (t) => {
  const fake = await plainFake(t, { namespaceDeleteDelayMs: 60_000 });
  await rawApi(fake, 'POST', '/api/v1/namespaces', namespace('team'));
  await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('web'));
  const deleted = await rawApi(fake, 'DELETE', '/api/v1/namespaces/team', { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
  t.like(deleted, { status: 200, body: { kind: 'Namespace', status: { phase: 'Terminating' } } });
  t.like(await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('late')), {
    status: 403,
    body: { reason: 'Forbidden', message: 'pods "late" is forbidden: unable to create new content in namespace team because it is being terminated' },
  });
  t.like(await rawApi(fake, 'DELETE', '/api/v1/namespaces/team'), { status: 409, body: { reason: 'Conflict' } });
  fake.configure({ namespaceDeleteDelayMs: 0 });
  // A fresh delete of another namespace with no delay: gone at once, with its pods.
  await rawApi(fake, 'POST', '/api/v1/namespaces', namespace('quick'));
  await rawApi(fake, 'POST', '/api/v1/namespaces/quick/pods', pod('web'));
  await rawApi(fake, 'DELETE', '/api/v1/namespaces/quick');
  await waitFor(async () => (await rawApi(fake, 'GET', '/api/v1/namespaces/quick')).status === 404, { timeoutMs: 30_000 });
  t.false(fake.state().pods.some((each) => each.metadata.namespace === 'quick'));
  t.true(fake.state().pods.some((each) => each.metadata.namespace === 'team'), 'the slow one is still terminating');
});

test('the token controller fills a service-account token secret, or deletes one whose account does not exist', async (t) => {
  const fake = await plainFake(t, { tokenDelayMs: 20 });
  await rawApi(fake, 'POST', '/api/v1/namespaces', namespace('team'));
  await rawApi(fake, 'POST', '/api/v1/namespaces/team/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'zuul-worker' } });
  const secret = (name: string, account: string) => ({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name, annotations: { 'kubernetes.io/service-account.name': account } } });
  const created = await rawApi(fake, 'POST', '/api/v1/namespaces/team/secrets', secret('zuul-worker', 'zuul-worker'));
  t.like(created, { status: 201 });
  t.false('data' in created.body, 'filled in later, not in the create answer');
  await rawApi(fake, 'POST', '/api/v1/namespaces/team/secrets', secret('orphan', 'nobody'));
  await waitFor(async () => Boolean(((await rawApi(fake, 'GET', '/api/v1/namespaces/team/secrets/zuul-worker')).body as { data?: { token?: string } }).data?.token), { timeoutMs: 10_000 });
  const filled = (await rawApi(fake, 'GET', '/api/v1/namespaces/team/secrets/zuul-worker')).body as { data: Record<string, string>; metadata: { annotations: Record<string, string> } };
  t.deepEqual(Object.keys(filled.data).sort(), ['ca.crt', 'namespace', 'token']);
  t.is(Buffer.from(filled.data.namespace!, 'base64').toString(), 'team');
  t.regex(Buffer.from(filled.data['ca.crt']!, 'base64').toString(), /^-----BEGIN CERTIFICATE-----/);
  t.truthy(filled.metadata.annotations['kubernetes.io/service-account.uid']);
  await waitFor(async () => (await rawApi(fake, 'GET', '/api/v1/namespaces/team/secrets/orphan')).status === 404, { timeoutMs: 30_000 });
  const token = Buffer.from(filled.data.token!, 'base64').toString();
  t.is((await rawApi(fake, 'GET', '/api/v1/namespaces/team/pods', undefined, { token })).status, 403, 'authenticated, but bound to no role');
});

test('a pod quota answers with the "exceeded quota" Forbidden that OpenShift drivers read as quota', async (t) => {
  const fake = await plainFake(t, { podsPerNamespace: 1 });
  await rawApi(fake, 'POST', '/api/v1/namespaces', namespace('team'));
  t.is((await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('one'))).status, 201);
  t.like(await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('two')), {
    status: 403,
    body: { reason: 'Forbidden', message: 'pods "two" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1' },
  });
});

test('kubectl-style requests get a Table: the columns the API server prints for pods', async (t) => {
  const fake = await plainFake(t);
  await rawApi(fake, 'POST', '/api/v1/namespaces', namespace('team'));
  await rawApi(fake, 'POST', '/api/v1/namespaces/team/pods', pod('web'));
  await waitFor(() => fake.state().pods.every((each) => (each.status as { phase: string }).phase === 'Running'), { timeoutMs: 10_000 });
  const table = await rawApi(fake, 'GET', '/api/v1/namespaces/team/pods', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
  t.like(table.body, { kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
  t.deepEqual((table.body.columnDefinitions as { name: string }[]).map((column) => column.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  const [row] = table.body.rows as { cells: unknown[]; object: { kind: string } }[];
  t.deepEqual(row!.cells.slice(0, 4), ['web', '1/1', 'Running', 0]);
  t.is(row!.object.kind, 'PartialObjectMetadata');
});

test('playing OpenShift: project requests, projects, the legacy role bindings, and token secrets listed in service accounts', async (t) => {
  // Long enough that even a starved machine reads the project Terminating before it goes.
  const fake = await plainFake(t, { openshift: true, namespaceDeleteDelayMs: 3_000 });
  const project = await rawApi(fake, 'POST', '/apis/project.openshift.io/v1/projectrequests', { apiVersion: 'project.openshift.io/v1', kind: 'ProjectRequest', metadata: { name: 'ci-1', labels: { team: 'x' } } });
  t.like(project, { status: 201, body: { kind: 'Project', apiVersion: 'project.openshift.io/v1', metadata: { name: 'ci-1', annotations: { 'openshift.io/requester': 'kube:admin' } }, status: { phase: 'Active' } } });
  t.false('team' in ((project.body.metadata as { labels: object }).labels ?? {}), "the request's labels are not copied");
  t.like(await rawApi(fake, 'POST', '/apis/project.openshift.io/v1/projectrequests', { metadata: { name: 'ci-1' } }), { status: 409, body: { reason: 'AlreadyExists', message: 'project.project.openshift.io "ci-1" already exists' } });
  t.deepEqual((await rawApi(fake, 'GET', '/apis/project.openshift.io/v1/projects')).body.items!.map((item) => (item.metadata as { name: string }).name), ['ci-1', 'default', 'kube-public', 'kube-system']);

  await rawApi(fake, 'POST', '/api/v1/namespaces/ci-1/serviceaccounts', { metadata: { name: 'zuul-worker' } });
  await waitFor(async () => (((await rawApi(fake, 'GET', '/api/v1/namespaces/ci-1/serviceaccounts/zuul-worker')).body.secrets as unknown[] | undefined) ?? []).length === 2, { timeoutMs: 10_000 });
  const account = (await rawApi(fake, 'GET', '/api/v1/namespaces/ci-1/serviceaccounts/zuul-worker')).body as { secrets: { name: string }[] };
  t.regex(account.secrets[0]!.name, /^zuul-worker-dockercfg-/);
  t.regex(account.secrets[1]!.name, /^zuul-worker-token-/);
  const tokenSecret = (await rawApi(fake, 'GET', `/api/v1/namespaces/ci-1/secrets/${account.secrets[1]!.name}`)).body as { type: string; data: { token: string } };
  t.is(tokenSecret.type, 'kubernetes.io/service-account-token');

  const binding = await rawApi(fake, 'POST', '/apis/authorization.openshift.io/v1/namespaces/ci-1/rolebindings', {
    apiVersion: 'authorization.openshift.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'admin-0' },
    roleRef: { name: 'admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'zuul-worker', namespace: 'ci-1' }],
    userNames: ['system:serviceaccount:ci-1:zuul-worker'],
  });
  t.like(binding, { status: 201, body: { apiVersion: 'authorization.openshift.io/v1', roleRef: { name: 'admin' }, userNames: ['system:serviceaccount:ci-1:zuul-worker'] } });
  t.like((await rawApi(fake, 'GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/ci-1/rolebindings/admin-0')).body, { roleRef: { kind: 'ClusterRole', name: 'admin' } });
  const token = Buffer.from(tokenSecret.data.token, 'base64').toString();
  t.is((await rawApi(fake, 'GET', '/api/v1/namespaces/ci-1/secrets', undefined, { token })).status, 200, 'the admin binding lets the account do anything in its project');

  t.like(await rawApi(fake, 'DELETE', '/apis/project.openshift.io/v1/projects/ci-1'), { status: 200, body: { kind: 'Status', status: 'Success', details: { name: 'ci-1', group: 'project.openshift.io', kind: 'projects' } } });
  t.like((await rawApi(fake, 'GET', '/apis/project.openshift.io/v1/projects/ci-1')).body, { status: { phase: 'Terminating' } });
  await waitFor(async () => (await rawApi(fake, 'GET', '/apis/project.openshift.io/v1/projects/ci-1')).status === 404, { timeoutMs: 30_000 });
  t.like((await rawApi(fake, 'GET', '/apis/project.openshift.io/v1/projects/ci-1')).body, { message: 'projects.project.openshift.io "ci-1" not found' });
});

test('without OpenShift, its APIs are not served', async (t) => {
  const fake = await plainFake(t);
  t.is((await rawApi(fake, 'POST', '/apis/project.openshift.io/v1/projectrequests', { metadata: { name: 'x' } })).status, 404);
  const groups = (await rawApi(fake, 'GET', '/apis')).body.groups as { name: string }[];
  t.deepEqual(groups.map((group) => group.name), ['rbac.authorization.k8s.io']);
});

test('the control API does over HTTP what the handle does in process, without counting API calls', async (t) => {
  const fake = await plainFake(t);
  const control = fakeK8sControl(fake.url);
  await control.addNamespace({ name: 'leaked', labels: { nodepool_provider_name: 'k8s' } });
  await control.addPod({ namespace: 'leaked', name: 'web', labels: { app: 'web' } });
  t.like((await control.state()).pods[0], { metadata: { name: 'web', namespace: 'leaked' }, status: { phase: 'Running' } });
  t.like(await control.configure({ podStartDelayMs: 5 }), { podStartDelayMs: 5 });
  await t.throwsAsync(control.configure({ podStartDelayMs: -1 } as never), { message: /podStartDelayMs must be a number >= 0/ });
  await control.injectFault({ operation: 'list pods', status: 503 });
  await control.failPods({ reason: 'ErrImagePull', first: 2 });
  t.like(await control.faultRules(), { faults: [{ operation: 'list pods', status: 503 }], podFailures: [{ reason: 'ErrImagePull', first: 2 }] });
  t.is((await rawApi(fake, 'GET', '/api/v1/namespaces/leaked/pods')).status, 503);
  t.deepEqual(await control.calls(), { 'list pods': 1, 'list pods failed': 1 });
  t.deepEqual(await control.callLog(), ['list pods', 'list pods failed']);
  t.regex(await control.kubeconfig(), new RegExp(`server: ${fake.url}`));
  await control.resetCalls();
  t.deepEqual(await control.calls(), {});
  await control.reset();
  t.deepEqual((await control.state()).namespaces.map((each) => each.metadata.name), ['default', 'kube-public', 'kube-system']);
  t.like(await control.settings(), { podStartDelayMs: 0 });
});
