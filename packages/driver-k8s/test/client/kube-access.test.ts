import test from 'ava';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearerToken, loadKubeAccess } from '../../src/client/kube-access.js';
import { KubeConfigError } from '../../src/errors.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

function kubeconfig(clusters: { name: string; server: string; extra?: string }[], current: string): string {
  return `apiVersion: v1
kind: Config
clusters:
${clusters.map((cluster) => `  - name: ${cluster.name}\n    cluster:\n      server: ${cluster.server}\n${cluster.extra ?? ''}`).join('')}users:
${clusters.map((cluster) => `  - name: ${cluster.name}\n    user:\n      token: token-of-${cluster.name}\n`).join('')}contexts:
${clusters.map((cluster) => `  - name: ${cluster.name}\n    context:\n      cluster: ${cluster.name}\n      user: ${cluster.name}\n`).join('')}current-context: ${current}
`;
}

async function scratch(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-kube-access-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the context of KUBECONFIG is used, the server without a trailing slash; its CA re-encoded for connection_port', async (t) => {
  const dir = await scratch(t);
  const file = join(dir, 'config');
  const caData = Buffer.from(PEM).toString('base64');
  // Line breaks in the base64, as some tools write it: the node record gets it canonical.
  const wrapped = `${caData.slice(0, 20)}\n        ${caData.slice(20)}`;
  await writeFile(
    file,
    kubeconfig(
      [
        { name: 'prod', server: 'https://prod.example:6443/', extra: `      certificate-authority-data: ${wrapped}\n` },
        { name: 'dev', server: 'https://dev.example:6443', extra: '      insecure-skip-tls-verify: true\n' },
      ],
      'dev',
    ),
  );
  const prod = await loadKubeAccess('prod', { KUBECONFIG: file });
  t.like(prod, { host: 'https://prod.example:6443', skipTls: false, caCrt: caData, source: file });
  t.is(await bearerToken(prod.kubeConfig), 'token-of-prod');
  t.like(await loadKubeAccess(null, { KUBECONFIG: file }), { host: 'https://dev.example:6443', skipTls: true, caCrt: null }, 'no context: the current one');
});

test('KUBECONFIG may name several files, merged; ~/.kube/config is the default; a CA file is read', async (t) => {
  const dir = await scratch(t);
  await writeFile(join(dir, 'ca.pem'), PEM);
  await writeFile(join(dir, 'one'), kubeconfig([{ name: 'one', server: 'https://one.example' }], 'one'));
  await writeFile(join(dir, 'two'), kubeconfig([{ name: 'two', server: 'https://two.example', extra: `      certificate-authority: ${join(dir, 'ca.pem')}\n` }], 'two'));
  const two = await loadKubeAccess('two', { KUBECONFIG: `${join(dir, 'missing')}:${join(dir, 'one')}:${join(dir, 'two')}` });
  t.like(two, { host: 'https://two.example', caCrt: Buffer.from(PEM).toString('base64') });
  await mkdir(join(dir, 'home', '.kube'), { recursive: true });
  await writeFile(join(dir, 'home', '.kube', 'config'), kubeconfig([{ name: 'home', server: 'http://127.0.0.1:8080' }], 'home'));
  t.like(await loadKubeAccess(null, { HOME: join(dir, 'home') }), { host: 'http://127.0.0.1:8080', caCrt: null, skipTls: false, source: join(dir, 'home', '.kube', 'config') });
});

test('a context the kubeconfig lacks is a KubeConfigError naming it', async (t) => {
  const dir = await scratch(t);
  await writeFile(join(dir, 'config'), kubeconfig([{ name: 'one', server: 'https://one.example' }], 'one'));
  await t.throwsAsync(loadKubeAccess('admin-cluster.local', { KUBECONFIG: join(dir, 'config') }), { instanceOf: KubeConfigError, message: /context "admin-cluster.local" is not in the kubeconfig/ });
});

test('without any kubeconfig, the in-cluster service account; outside a cluster, an error saying where it looked', async (t) => {
  const dir = await scratch(t);
  const inCluster = await loadKubeAccess(null, { HOME: dir, KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
  t.like(inCluster, { host: 'https://10.96.0.1:443', source: 'in-cluster', skipTls: false });
  // An empty file counts as none, as 9.0.0's "No configuration found".
  await writeFile(join(dir, 'empty'), '');
  await t.throwsAsync(loadKubeAccess('any', { KUBECONFIG: join(dir, 'empty') }), { instanceOf: KubeConfigError, message: /no kubeconfig \(looked for .*empty\) and not running in a cluster/ });
});
