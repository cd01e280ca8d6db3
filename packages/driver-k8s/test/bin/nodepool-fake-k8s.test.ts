import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fakeK8sControl } from '@nodepool/driver-k8s/testing';
import { waitFor } from '@nodepool/testkit';
import { kubectl } from '../helpers/debian-kubectl.js';

const bin = fileURLToPath(new URL('../../src/bin/nodepool-fake-k8s.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { child, output };
}

test('runs a fake Kubernetes over HTTPS, prints a kubeconfig kubectl can use, and stops on SIGTERM', async (t) => {
  const { child, output } = run(['--port', '0', '--openshift', '--pod-start-delay-ms', '250', '--kubeconfig-context', 'trial']);
  t.teardown(() => child.kill('SIGKILL'));
  const url = await waitFor(() => /listening on (https:\/\/\S+)/.exec(output.stdout)?.[1], { timeoutMs: 20_000, message: 'no URL printed' });
  await waitFor(() => output.stdout.includes('Press Ctrl-C'), { timeoutMs: 20_000 });
  t.regex(output.stdout, /a fake Kubernetes \(and OpenShift\) API server for tests and demos, not Kubernetes/);
  const kubeconfig = output.stdout.slice(output.stdout.indexOf('apiVersion: v1'), output.stdout.indexOf('Press Ctrl-C')).trimEnd();
  t.regex(kubeconfig, /current-context: trial/);
  t.regex(kubeconfig, /certificate-authority-data: \S+/);

  const dir = await mkdtemp(join(tmpdir(), 'nodepool-fake-k8s-bin-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'config'), `${kubeconfig}\n`);
  const projects = await kubectl(join(dir, 'config'), join(dir, 'cache'), ['get', 'projects.project.openshift.io', '-o', 'name']);
  t.is(projects.code, 0, projects.stderr);
  t.regex(projects.stdout, /^project.project.openshift.io\/default$/m);

  // The control plane over HTTPS, trusting the fake's CA as a process would (NODE_EXTRA_CA_CERTS).
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(kubeconfig)![1]!, 'base64').toString();
  await writeFile(join(dir, 'ca.pem'), ca);
  const probe = spawn(process.execPath, ['--import=tsx', '--conditions=source', '--input-type=module', '-e', `import { fakeK8sControl } from '@nodepool/driver-k8s/testing'; console.log(JSON.stringify(await fakeK8sControl(${JSON.stringify(url)}).settings()));`], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let settings = '';
  probe.stdout.on('data', (chunk: Buffer) => (settings += chunk.toString()));
  await once(probe, 'exit');
  t.like(JSON.parse(settings), { openshift: true, legacyServiceAccountTokens: true, podStartDelayMs: 250 });

  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.is(code, 0);
});

test('plain HTTP on request, its control API reachable by any client', async (t) => {
  const { child, output } = run(['--port', '0', '--plain-http', '--pods-per-namespace', '3', '--admin-token', 's3cret']);
  t.teardown(() => child.kill('SIGKILL'));
  const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output.stdout)?.[1], { timeoutMs: 20_000, message: 'no URL printed' });
  const control = fakeK8sControl(url);
  t.like(await control.settings(), { podsPerNamespace: 3, openshift: false });
  t.regex(await control.kubeconfig(), /token: s3cret/);
  child.kill('SIGTERM');
  t.is((await once(child, 'exit'))[0], 0);
});

test('refuses bad arguments with the usage, and requires a port', async (t) => {
  const bad = run(['--port', '0', '--latency-ms', 'soon']);
  t.is((await once(bad.child, 'exit'))[0], 2);
  t.regex(bad.output.stderr, /--latency-ms must be a number >= 0/);
  t.regex(bad.output.stderr, /Usage: nodepool-fake-k8s --port N/);
  const none = run([]);
  t.is((await once(none.child, 'exit'))[0], 2);
  t.regex(none.output.stderr, /--port is required/);
});
