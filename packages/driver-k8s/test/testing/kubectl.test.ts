/**
 * Debian's unmodified kubectl (kubernetes-client 1.20) against the fake API server, with the
 * kubeconfig the fake prints: the proof that the fake speaks the API as a real client expects.
 */
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeK8s, type FakeK8sHandle } from '@nodepool/driver-k8s/testing';
import { kubectl } from '../helpers/debian-kubectl.js';

async function withKubectl(t: { teardown(fn: () => unknown): void }, fake: FakeK8sHandle) {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-kubectl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, fake.kubeconfig());
  const run = (...args: string[]) => kubectl(kubeconfig, join(dir, 'cache'), args);
  /** kubectl as someone else: the same cluster, another bearer token. */
  const as = async (token: string) => {
    const file = join(dir, `kubeconfig-${token.slice(-8)}`);
    await writeFile(file, fake.kubeconfig({ token }));
    return (...args: string[]) => kubectl(file, join(dir, 'cache'), args);
  };
  const withInput = (input: string, ...args: string[]) => kubectl(kubeconfig, join(dir, 'cache'), args, input);
  return Object.assign(run, { as, withInput });
}

test('kubectl creates and gets a namespace, runs a pod, lists pods by label and deletes them, every command succeeding', async (t) => {
  // Pods take a moment to run and deleted objects to go, so kubectl's waits are exercised.
  const fake = await startFakeK8s({ podStartDelayMs: 300, podDeleteDelayMs: 300, namespaceDeleteDelayMs: 300 });
  t.teardown(() => fake.stop());
  const k = await withKubectl(t, fake);
  const ok = async (args: string[], expected: RegExp) => {
    const result = await k(...args);
    t.is(result.code, 0, `kubectl ${args.join(' ')} failed: ${result.stderr}`);
    t.regex(result.stdout, expected, `kubectl ${args.join(' ')}`);
    return result.stdout;
  };

  await ok(['create', 'namespace', 'demo'], /^namespace\/demo created$/m);
  await ok(['get', 'namespace', 'demo'], /^demo\s+Active\s+\d+s$/m);
  await ok(['get', 'namespace', 'demo', '-o', 'jsonpath={.metadata.labels.kubernetes\\.io/metadata\\.name}'], /^demo$/);
  await ok(['-n', 'demo', 'run', 'web', '--image=nginx:1.25', '--labels=app=web,tier=front'], /^pod\/web created$/m);
  await ok(['-n', 'demo', 'run', 'db', '--image=postgres:16', '--labels=app=db'], /^pod\/db created$/m);
  const listed = await ok(['-n', 'demo', 'get', 'pods', '-l', 'app=web', '-o', 'wide'], /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/m);
  t.regex(listed, /^web\s+\d\/1\s+(Pending|ContainerCreating|Running)/m);
  t.notRegex(listed, /^db\s/m, 'the label selector leaves db out');
  await ok(['-n', 'demo', 'get', 'pods', '-l', 'app in (web,db),tier!=front', '-o', 'name'], /^pod\/db$/m);
  await ok(['-n', 'demo', 'wait', '--for=condition=Ready', 'pod/web', '--timeout=60s'], /condition met/);
  await ok(['-n', 'demo', 'get', 'pod', 'web', '-o', 'jsonpath={.status.phase} {.spec.nodeName}'], /^Running fake-node-1$/);
  await ok(['-n', 'demo', 'delete', 'pod', 'web'], /^pod "web" deleted$/m);
  await ok(['-n', 'demo', 'get', 'pods', '-o', 'name'], /^pod\/db$/m);
  await ok(['delete', 'namespace', 'demo'], /^namespace "demo" deleted$/m);
  await ok(['get', 'namespaces', '-o', 'name'], /^namespace\/default$/m);
  t.false(fake.state().namespaces.some((namespace) => namespace.metadata.name === 'demo'), 'kubectl waited until the namespace was gone');
  t.deepEqual(fake.state().pods, [], 'the namespace took its pods with it');
});

test("kubectl shows the API server's errors as it shows a real one's", async (t) => {
  const fake = await startFakeK8s();
  t.teardown(() => fake.stop());
  const k = await withKubectl(t, fake);
  const missing = await k('get', 'namespace', 'nowhere');
  t.is(missing.code, 1);
  t.regex(missing.stderr, /Error from server \(NotFound\): namespaces "nowhere" not found/);
  t.is((await k('create', 'namespace', 'twice')).code, 0);
  const twice = await k('create', 'namespace', 'twice');
  t.regex(twice.stderr, /Error from server \(AlreadyExists\): namespaces "twice" already exists/);
  const invalid = await k('create', 'namespace', 'Not_Valid');
  t.regex(invalid.stderr, /The Namespace "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid"/);
  const selector = await k('get', 'pods', '-A', '-l', 'app in (web');
  t.not(selector.code, 0, 'a malformed selector is refused');
});

test('kubectl with a service account token is held to what RBAC grants the account', async (t) => {
  const fake = await startFakeK8s();
  t.teardown(() => fake.stop());
  const k = await withKubectl(t, fake);
  for (const args of [
    ['create', 'namespace', 'team'],
    ['-n', 'team', 'create', 'serviceaccount', 'robot'],
    ['-n', 'team', 'create', 'role', 'reader', '--verb=get,list', '--resource=pods'],
    ['-n', 'team', 'create', 'rolebinding', 'robot-reads', '--role=reader', '--serviceaccount=team:robot'],
  ]) {
    const result = await k(...args);
    t.is(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
  }
  const unnamed = await k('-n', 'team', 'create', 'secret', 'generic', 'nobody-token', '--type=kubernetes.io/service-account-token');
  t.regex(unnamed.stderr, /is invalid: metadata.annotations\[kubernetes.io\/service-account.name\]: Required value/);

  // A token secret naming the account: the token controller fills it in.
  const secret = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'robot-token', annotations: { 'kubernetes.io/service-account.name': 'robot' } } };
  const created = await k.withInput(JSON.stringify(secret), '-n', 'team', 'create', '--validate=false', '-f', '-');
  t.is(created.code, 0, created.stderr);
  let token = '';
  for (let tries = 0; token === '' && tries < 100; tries++) {
    token = Buffer.from((await k('-n', 'team', 'get', 'secret', 'robot-token', '-o', 'jsonpath={.data.token}')).stdout, 'base64').toString('utf8');
  }
  t.not(token, '', 'the token controller filled in the token');

  const robot = await k.as(token);
  const pods = await robot('-n', 'team', 'get', 'pods');
  t.is(pods.code, 0, pods.stderr);
  t.regex(pods.stderr, /No resources found in team namespace/);
  const secrets = await robot('-n', 'team', 'get', 'secrets');
  t.regex(secrets.stderr, /Error from server \(Forbidden\): secrets is forbidden: User "system:serviceaccount:team:robot" cannot list resource "secrets" in API group "" in the namespace "team"/);
  const elsewhere = await robot('-n', 'default', 'get', 'pods');
  t.regex(elsewhere.stderr, /Forbidden/);
  const namespaces = await robot('get', 'namespaces');
  t.regex(namespaces.stderr, /cannot list resource "namespaces" in API group "" at the cluster scope/);

  // Deleting the secret revokes its token.
  t.is((await k('-n', 'team', 'delete', 'secret', 'robot-token')).code, 0);
  t.regex((await robot('-n', 'team', 'get', 'pods')).stderr, /Unauthorized/);
});
