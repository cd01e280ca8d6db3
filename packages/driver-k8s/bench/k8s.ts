/**
 * `npm run bench -- k8s [--json] [--only NAME] [--requests N] [--plain]`
 *
 * The built `nodepool-launcher` (default settings, log level info) with the kubernetes,
 * openshift and openshiftpods drivers against the fake Kubernetes API server
 * (`nodepool-fake-k8s`, its own process, over HTTPS) and a real (TLS) ZooKeeper, loaded by
 * Zuul-like clients. Per scenario: requests fulfilled per second, request-to-fulfilled latency
 * p50/p90/p99, API calls per launched node (from the fake's counters, by call), ZooKeeper writes
 * per request, launcher CPU per request and peak RSS (testkit's `runLauncherBench`). Deletions
 * (and their waits) are counted too. BENCH_LOG_DIR keeps each process's output.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLauncherBench, startLoggedProcess, stopProcess, type LauncherBenchScenario } from '@nodepool/testkit';

const here = fileURLToPath(new URL('.', import.meta.url));
// Built code, as deployed (scripts/bench.sh builds first).
const launcherBin = join(here, '..', '..', 'cli', 'dist', 'bin', 'nodepool-launcher.js');
const fakeBin = join(here, '..', 'dist', 'bin', 'nodepool-fake-k8s.js');

interface Scenario extends LauncherBenchScenario {
  driver: 'kubernetes' | 'openshift' | 'openshiftpods';
  /** The label's type (kubernetes: namespace or pod; openshift: project or pod). */
  type: string;
  /** How long pods stay Pending in the fake. */
  podStartDelayMs?: number;
}

const scenarios: Scenario[] = [
  { name: 'kubernetes namespace, concurrency 1 (unloaded)', driver: 'kubernetes', type: 'namespace', labels: ['bench'], concurrency: 1, requests: 100 },
  { name: 'kubernetes namespace, concurrency 50', driver: 'kubernetes', type: 'namespace', labels: ['bench'], concurrency: 50, requests: 500 },
  { name: 'kubernetes pod, concurrency 50', driver: 'kubernetes', type: 'pod', labels: ['bench'], concurrency: 50, requests: 500 },
  { name: 'kubernetes pod, concurrency 50, pods start in 2 s', driver: 'kubernetes', type: 'pod', labels: ['bench'], concurrency: 50, requests: 300, podStartDelayMs: 2_000 },
  { name: 'openshift project, concurrency 50', driver: 'openshift', type: 'project', labels: ['bench'], concurrency: 50, requests: 300 },
  { name: 'openshiftpods pod, concurrency 50', driver: 'openshiftpods', type: 'pod', labels: ['bench'], concurrency: 50, requests: 500 },
];

function providerYaml(scenario: Scenario): string {
  const image = 'docker.io/library/fedora:39';
  switch (scenario.driver) {
    case 'kubernetes':
      return `providers:
  - name: k8s
    driver: kubernetes
    context: fake
    pools:
      - name: main
        max-servers: 100000
        labels:
          - name: bench
            type: ${scenario.type}
${scenario.type === 'pod' ? `            image: ${image}\n            cpu: 1\n            memory: 512\n` : ''}`;
    case 'openshift':
      return `providers:
  - name: os
    driver: openshift
    context: fake
    pools:
      - name: main
        max-servers: 100000
        labels:
          - name: bench
            type: ${scenario.type}
${scenario.type === 'pod' ? `            image: ${image}\n` : ''}`;
    case 'openshiftpods':
      return `providers:
  - name: osp
    driver: openshiftpods
    context: fake
    pools:
      - name: ci
        max-servers: 100000
        labels:
          - name: bench
            image: ${image}
            cpu: 1
            memory: 512
`;
  }
}

/** The fake's control API over HTTPS, trusting its CA (read from the kubeconfig it printed). */
function controlOf(url: string, ca: string) {
  return <T>(method: string, path: string, body?: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const request = httpsRequest(`${url}/_fake/${path}`, { method, ca, headers: body === undefined ? {} : { 'Content-Type': 'application/json' } }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => ((response.statusCode ?? 500) < 300 ? resolve((text === '' ? undefined : JSON.parse(text)) as T) : reject(new Error(`${method} /_fake/${path}: ${response.statusCode} ${text}`))));
      });
      request.on('error', reject);
      request.end(body === undefined ? undefined : JSON.stringify(body));
    });
}

/** The kubeconfig the fake printed at start (its log file is the newest `fake-k8s-*.log`). */
async function printedKubeconfig(logDir: string): Promise<string> {
  const logs = (await readdir(logDir)).filter((name) => name.startsWith('fake-k8s-')).sort();
  const text = await readFile(join(logDir, logs[logs.length - 1]!), 'utf8');
  return text.slice(text.indexOf('apiVersion: v1'), text.indexOf('Press Ctrl-C')).trimEnd();
}

await runLauncherBench({
  name: 'k8s',
  launcherBin,
  callsLabel: 'API calls',
  labels: ['bench'],
  scenarios,
  // The fake counts `create pods failed`, `get secrets throttled`.
  refusalSeparator: ' ',
  settleMs: 120_000,
  async startCloud(scenario, { dir, logDir }) {
    const args = ['--port', '0', '--pod-start-delay-ms', String(scenario.podStartDelayMs ?? 0)];
    if (scenario.driver !== 'kubernetes') args.push('--openshift');
    const fake = await startLoggedProcess({ name: 'fake-k8s', script: fakeBin, args, ready: /Press Ctrl-C to stop/, logDir });
    const kubeconfig = await printedKubeconfig(logDir);
    const url = /server: (https:\/\/\S+)/.exec(kubeconfig)![1]!;
    const control = controlOf(url, Buffer.from(/certificate-authority-data: (\S+)/.exec(kubeconfig)![1]!, 'base64').toString());
    if (scenario.driver === 'openshiftpods') await control('POST', 'namespaces', { name: 'ci' });
    const kubeconfigFile = join(dir, 'kubeconfig');
    await writeFile(kubeconfigFile, `${kubeconfig}\n`);
    return {
      providersYaml: providerYaml(scenario),
      env: { KUBECONFIG: kubeconfigFile },
      calls: () => control<Record<string, number>>('GET', 'calls'),
      resetCalls: () => control('DELETE', 'calls'),
      stop: () => stopProcess(fake.child),
    };
  },
});
