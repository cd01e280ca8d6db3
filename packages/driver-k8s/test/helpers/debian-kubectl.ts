import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Debian's kubectl (package `kubernetes-client`), wherever scripts/ensure-tools.sh put it: the
 * installed package's own binary, or the copy unpacked into `.nodepool-ts/tools/` when another
 * package (google-cloud-sdk's `kubectl`) owns /usr/bin/kubectl. Throws, naming the fix, when
 * neither is there: the tests that use it must not pass without it.
 */
export function debianKubectl(): string {
  try {
    const files = execFileSync('dpkg-query', ['-L', 'kubernetes-client'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n');
    const binary = files.find((file) => /\/bin\/kubectl$/.test(file));
    if (binary && existsSync(binary)) return binary;
  } catch {
    // Not installed as a package: look for the unpacked copy.
  }
  const unpacked = `${repositoryRoot}.nodepool-ts/tools/kubernetes-client/usr/bin/kubectl`;
  if (existsSync(unpacked)) return unpacked;
  throw new Error("Debian's kubectl (kubernetes-client) is missing: run bash scripts/ensure-tools.sh");
}

/** The result of one kubectl run. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs Debian's kubectl with `kubeconfig` (a file) and a discovery cache of its own; `input` is its stdin. */
export function kubectl(kubeconfig: string, cacheDir: string, args: readonly string[], input = ''): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(debianKubectl(), ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, '--request-timeout', '30s', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
