import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeK8s, type FakeK8sHandle, type StartFakeK8sOptions } from '@nodepool/driver-k8s/testing';

/**
 * One kubeconfig per test process, holding a context per fake (`fake-<port>`), named by
 * KUBECONFIG as an operator would: launchers started in this process read it, and each provider
 * picks its fake by `context:`. Each new fake rewrites it whole (a rename, so a reader never sees
 * half a file).
 */
const kubeconfigDir = mkdtempSync(join(tmpdir(), 'nodepool-k8s-kubeconfig-'));
const kubeconfigFile = join(kubeconfigDir, 'config');
const fakes = new Map<string, FakeK8sHandle>();
process.env.KUBECONFIG = kubeconfigFile;
writeKubeconfig();

/** The kubeconfig the fakes of this process are in. */
export const KUBECONFIG_FILE = kubeconfigFile;

function writeKubeconfig(): void {
  const entries = [...fakes.entries()];
  const clusters = entries.map(([name, fake]) => {
    const ca = fake.url.startsWith('https:') ? `\n      certificate-authority-data: ${Buffer.from(fake.caCert).toString('base64')}` : '';
    return `  - name: ${name}\n    cluster:\n      server: ${fake.url}${ca}`;
  });
  const users = entries.map(([name, fake]) => `  - name: ${name}-admin\n    user:\n      token: ${fake.adminToken}`);
  const contexts = entries.map(([name]) => `  - name: ${name}\n    context:\n      cluster: ${name}\n      user: ${name}-admin`);
  const text = `apiVersion: v1
kind: Config
clusters:${clusters.length > 0 ? `\n${clusters.join('\n')}` : ' []'}
users:${users.length > 0 ? `\n${users.join('\n')}` : ' []'}
contexts:${contexts.length > 0 ? `\n${contexts.join('\n')}` : ' []'}
${entries.length > 0 ? `current-context: ${entries[entries.length - 1]![0]}\n` : ''}`;
  const temporary = `${kubeconfigFile}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, kubeconfigFile);
}

/** A fake Kubernetes with its own context in this process's kubeconfig; stopped when the test ends. */
export async function useFakeK8s(t: { teardown(fn: () => unknown): void }, options: StartFakeK8sOptions = {}): Promise<FakeK8sHandle & { context: string }> {
  const fake = await startFakeK8s(options);
  const context = `fake-${fake.port}`;
  fakes.set(context, fake);
  writeKubeconfig();
  t.teardown(async () => {
    await fake.stop();
    fakes.delete(context);
  });
  return Object.assign(fake, { context });
}
