/**
 * `npm run bench -- k8s [--json] [--only NAME] [--requests N] [--plain]`
 *
 * The built `nodepool-launcher` (default settings, log level info) with the kubernetes,
 * openshift and openshiftpods drivers against the fake Kubernetes API server
 * (`nodepool-fake-k8s`, its own process, over HTTPS) and a real (TLS) ZooKeeper, loaded by
 * Zuul-like clients. Per scenario: requests fulfilled per second, request-to-fulfilled latency
 * p50/p90/p99, API calls per launched node (from the fake's counters, by call), ZooKeeper writes
 * per request, launcher CPU per request and peak RSS. A job only counts if its nodes were handed
 * over; calls are counted from the first request until every used node is deleted again, so
 * deletions (and their waits) are included. BENCH_LOG_DIR keeps each process's output.
 */
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  chrootClient,
  currentZxid,
  latencyPercentiles,
  processStats,
  runJobs,
  startLoggedProcess,
  startZooKeeper,
  stopProcess,
  ZuulClient,
  type LocalZooKeeper,
} from '@nodepool/testkit';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    requests: { type: 'string' },
    plain: { type: 'boolean', default: false },
  },
});

const here = fileURLToPath(new URL('.', import.meta.url));
// Built code, as deployed (scripts/bench.sh builds first).
const launcherBin = join(here, '..', '..', 'cli', 'dist', 'bin', 'nodepool-launcher.js');
const fakeBin = join(here, '..', 'dist', 'bin', 'nodepool-fake-k8s.js');
const logDir = process.env.BENCH_LOG_DIR || (await mkdtemp(join(tmpdir(), 'nodepool-bench-k8s-logs-')));

interface Scenario {
  name: string;
  driver: 'kubernetes' | 'openshift' | 'openshiftpods';
  /** The label's type (kubernetes: namespace or pod; openshift: project or pod). */
  type: string;
  concurrency: number;
  requests: number;
  /** How long pods stay Pending in the fake. */
  podStartDelayMs?: number;
}

const scenarios: Scenario[] = [
  { name: 'kubernetes namespace, concurrency 1 (unloaded)', driver: 'kubernetes', type: 'namespace', concurrency: 1, requests: 100 },
  { name: 'kubernetes namespace, concurrency 50', driver: 'kubernetes', type: 'namespace', concurrency: 50, requests: 500 },
  { name: 'kubernetes pod, concurrency 50', driver: 'kubernetes', type: 'pod', concurrency: 50, requests: 500 },
  { name: 'kubernetes pod, concurrency 50, pods start in 2 s', driver: 'kubernetes', type: 'pod', concurrency: 50, requests: 300, podStartDelayMs: 2_000 },
  { name: 'openshift project, concurrency 50', driver: 'openshift', type: 'project', concurrency: 50, requests: 300 },
  { name: 'openshiftpods pod, concurrency 50', driver: 'openshiftpods', type: 'pod', concurrency: 50, requests: 500 },
];

interface Result {
  scenario: string;
  requests: number;
  failures: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number };
  nodes: number;
  apiCallsPerNode: number;
  apiCallsPerNodeByCall: Record<string, number>;
  throttledCalls: number;
  zkWritesPerRequest: number;
  launcherCpuMsPerRequest: number;
  launcherPeakRssMiB: number;
}

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

function configText(zk: LocalZooKeeper, chroot: string, scenario: Scenario): string {
  return `zookeeper-servers:
  - host: ${zk.host}
    port: ${zk.port}
    chroot: ${chroot}
${zk.tls ? `zookeeper-tls:\n  ca: ${zk.tls.caFile}\n  cert: ${zk.tls.certFile}\n  key: ${zk.tls.keyFile}\n` : ''}labels:
  - name: bench
${providerYaml(scenario)}`;
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
async function printedKubeconfig(): Promise<string> {
  const logs = (await readdir(logDir)).filter((name) => name.startsWith('fake-k8s-')).sort();
  const text = await readFile(join(logDir, logs[logs.length - 1]!), 'utf8');
  return text.slice(text.indexOf('apiVersion: v1'), text.indexOf('Press Ctrl-C')).trimEnd();
}

async function runScenario(zk: LocalZooKeeper, scenario: Scenario, dir: string): Promise<Result> {
  const chroot = `/bench-k8s-${Date.now()}`;
  const fakeArgs = ['--port', '0', '--pod-start-delay-ms', String(scenario.podStartDelayMs ?? 0)];
  if (scenario.driver !== 'kubernetes') fakeArgs.push('--openshift');
  const fake = await startLoggedProcess({ name: 'fake-k8s', script: fakeBin, args: fakeArgs, ready: /Press Ctrl-C to stop/, logDir });
  const kubeconfig = await printedKubeconfig();
  const url = /server: (https:\/\/\S+)/.exec(kubeconfig)![1]!;
  const control = controlOf(url, Buffer.from(/certificate-authority-data: (\S+)/.exec(kubeconfig)![1]!, 'base64').toString());
  if (scenario.driver === 'openshiftpods') await control('POST', 'namespaces', { name: 'ci' });
  const kubeconfigFile = join(dir, `kubeconfig-${chroot.slice(1)}`);
  await writeFile(kubeconfigFile, `${kubeconfig}\n`);
  const file = join(dir, `${scenario.name.replace(/\W+/g, '-')}.yaml`);
  await writeFile(file, configText(zk, chroot, scenario));
  const launcher = await startLoggedProcess({
    name: 'launcher',
    script: launcherBin,
    args: ['-c', file, '-f'],
    ready: /launcher started/,
    logDir,
    env: {
      NODEPOOL_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      // The web API on, as by default, but on a free loopback port, whatever else holds 8005.
      NODEPOOL_WEB_PORT: '0',
      NODEPOOL_WEB_LISTEN_ADDRESS: '127.0.0.1',
      KUBECONFIG: kubeconfigFile,
    },
  });
  const clients = await Promise.all(Array.from({ length: Math.min(scenario.concurrency, 20) }, () => chrootClient(zk, chroot)));
  const zuuls = clients.map((client) => new ZuulClient(client));
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await control('DELETE', 'calls');
    const before = await processStats(launcher.child.pid!);
    const zxidStart = await currentZxid(clients[0]!);
    const total = values.requests ? Number(values.requests) : scenario.requests;
    const { results, elapsedS } = await runJobs(zuuls, { labels: ['bench'], concurrency: scenario.concurrency, total });
    // Until every used node is deleted: its deletion belongs to its cost.
    const settleDeadline = Date.now() + 120_000;
    while (Date.now() < settleDeadline) {
      const { children } = await clients[0]!.getChildren('/nodepool/nodes');
      if (children.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const zxidEnd = await currentZxid(clients[0]!);
    const after = await processStats(launcher.child.pid!);
    const calls = await control<Record<string, number>>('GET', 'calls');
    const ok = results.filter((result) => result.result === 'SUCCESS');
    const nodes = ok.reduce((sum, result) => sum + result.nodeIds.length, 0);
    const perNode = (count: number): number => (nodes > 0 ? count / nodes : NaN);
    const answered = Object.entries(calls).filter(([name]) => !name.endsWith(' failed') && !name.endsWith(' throttled'));
    return {
      scenario: scenario.name,
      requests: results.length,
      failures: results.length - ok.length,
      requestsPerSecond: ok.length / elapsedS,
      latencyMs: latencyPercentiles(results),
      nodes,
      apiCallsPerNode: perNode(answered.reduce((sum, [, count]) => sum + count, 0)),
      apiCallsPerNodeByCall: Object.fromEntries(answered.sort((a, b) => b[1] - a[1]).map(([name, count]) => [name, perNode(count)])),
      throttledCalls: Object.entries(calls).filter(([name]) => name.endsWith(' throttled')).reduce((sum, [, count]) => sum + count, 0),
      zkWritesPerRequest: Number(zxidEnd - zxidStart) / results.length,
      launcherCpuMsPerRequest: (after.cpuMs - before.cpuMs) / results.length,
      launcherPeakRssMiB: after.peakRssMiB,
    };
  } finally {
    for (const client of clients) await client.close();
    await stopProcess(launcher.child);
    await stopProcess(fake.child);
  }
}

function printResult(result: Result): void {
  const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
  const byCall = Object.entries(result.apiCallsPerNodeByCall)
    .map(([name, count]) => `${name} ${f(count, 2)}`)
    .join(', ');
  console.log(`\n${result.scenario}`);
  console.log(`  ${result.requests} requests, ${result.failures} failed; ${f(result.requestsPerSecond)} requests/s`);
  console.log(`  latency request→fulfilled p50 ${f(result.latencyMs.p50, 0)} ms, p90 ${f(result.latencyMs.p90, 0)} ms, p99 ${f(result.latencyMs.p99, 0)} ms`);
  console.log(`  API calls per node ${f(result.apiCallsPerNode, 2)} (${byCall}); throttled ${result.throttledCalls}`);
  console.log(`  ZooKeeper writes per request ${f(result.zkWritesPerRequest)}; launcher CPU ${f(result.launcherCpuMsPerRequest, 2)} ms/request, peak RSS ${f(result.launcherPeakRssMiB, 0)} MiB`);
}

const dir = await mkdtemp(join(tmpdir(), 'nodepool-bench-k8s-'));
const zk = await startZooKeeper({ tls: !values.plain, jvm: 'server' });
const output: Result[] = [];
try {
  for (const scenario of scenarios) {
    if (values.only && !scenario.name.includes(values.only)) continue;
    const result = await runScenario(zk, scenario, dir);
    output.push(result);
    if (!values.json) printResult(result);
  }
} finally {
  await zk.destroy();
  await rm(dir, { recursive: true, force: true });
  if (!process.env.BENCH_LOG_DIR) await rm(logDir, { recursive: true, force: true });
}
if (values.json) console.log(JSON.stringify(output, null, 2));
