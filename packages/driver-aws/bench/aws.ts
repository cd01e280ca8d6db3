/**
 * `npm run bench -- aws [--json] [--only NAME] [--requests N] [--plain]`
 *
 * The built `nodepool-launcher` (default settings, log level info) with the aws driver against
 * the fake AWS (`nodepool-fake-aws`, its own process, the real SDK over HTTP) and a real (TLS)
 * ZooKeeper, loaded by Zuul-like clients. Per scenario: requests fulfilled per second,
 * request-to-fulfilled latency p50/p90/p99, EC2 API calls per launched node (from the fake's
 * counters, by action), ZooKeeper writes per request, launcher CPU per request and peak RSS
 * (testkit's `runLauncherBench`, with EC2's calls told from the other AWS calls).
 *
 * The provider's `rate` is 100 calls/s so that the figures are the launcher's, not a budget's
 * (AWS's own default is 2). BENCH_LOG_DIR keeps each process's output.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EC2_ACTIONS, FAKE_AWS_CREDENTIALS, fakeAwsControl } from '@nodepool/driver-aws/testing';
import { runLauncherBench, startLoggedProcess, stopProcess, type LauncherBenchResult, type LauncherBenchScenario } from '@nodepool/testkit';

const here = fileURLToPath(new URL('.', import.meta.url));
// Built code, as deployed (scripts/bench.sh builds first).
const launcherBin = join(here, '..', '..', 'cli', 'dist', 'bin', 'nodepool-launcher.js');
const fakeAwsBin = join(here, '..', 'dist', 'bin', 'nodepool-fake-aws.js');

interface Scenario extends LauncherBenchScenario {
  /** How long instances stay `pending` in the fake. */
  readonly bootDelayMs?: number;
}

const scenarios: Scenario[] = [
  { name: '1-node, concurrency 1 (unloaded)', labels: ['small'], concurrency: 1, requests: 100 },
  { name: '1-node, concurrency 50', labels: ['small'], concurrency: 50, requests: 1000 },
  { name: '3-node, concurrency 50', labels: ['small', 'small', 'small'], concurrency: 50, requests: 400 },
  { name: '1-node, concurrency 50, instances boot in 2 s', labels: ['small'], concurrency: 50, requests: 500, bootDelayMs: 2_000 },
];

interface Result {
  scenario: string;
  requests: number;
  failures: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number };
  nodes: number;
  ec2CallsPerNode: number;
  ec2CallsPerNodeByAction: Record<string, number>;
  otherCallsPerNode: number;
  throttledCalls: number;
  zkWritesPerRequest: number;
  launcherCpuMsPerRequest: number;
  launcherPeakRssMiB: number;
}

function providersYaml(endpoint: string): string {
  return `providers:
  - name: aws
    driver: aws
    region-name: us-east-1
    endpoint-url: ${endpoint}
    rate: 100
    cloud-images:
      - name: ubuntu
        username: ubuntu
        image-id: ami-00000000000ab0002
    pools:
      - name: main
        max-servers: 100000
        host-key-checking: false
        labels:
          - name: small
            cloud-image: ubuntu
            instance-type: t3.medium
            key-name: zuul
`;
}

/** The standard figures with EC2's calls told from the other AWS calls (Service Quotas, S3). */
function figures(result: LauncherBenchResult, calls: Readonly<Record<string, number>>): Result {
  const perNode = (count: number): number => (result.nodes > 0 ? count / result.nodes : NaN);
  const total = (entries: [string, number][]): number => entries.reduce((sum, [, count]) => sum + count, 0);
  const answered = Object.entries(calls).filter(([action]) => !action.includes('.'));
  const ec2 = answered.filter(([action]) => EC2_ACTIONS.includes(action));
  return {
    scenario: result.scenario,
    requests: result.requests,
    failures: result.failures,
    requestsPerSecond: result.requestsPerSecond,
    latencyMs: result.latencyMs,
    nodes: result.nodes,
    ec2CallsPerNode: perNode(total(ec2)),
    ec2CallsPerNodeByAction: Object.fromEntries(ec2.map(([action, count]) => [action, perNode(count)])),
    otherCallsPerNode: perNode(total(answered.filter(([action]) => !EC2_ACTIONS.includes(action)))),
    throttledCalls: result.throttledCalls,
    zkWritesPerRequest: result.zkWritesPerRequest,
    launcherCpuMsPerRequest: result.launcherCpuMsPerRequest,
    launcherPeakRssMiB: result.launcherPeakRssMiB,
  };
}

function printResult(result: Result): void {
  const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
  const byAction = Object.entries(result.ec2CallsPerNodeByAction)
    .map(([action, count]) => `${action} ${f(count, 2)}`)
    .join(', ');
  console.log(`\n${result.scenario}`);
  console.log(`  ${result.requests} requests, ${result.failures} failed; ${f(result.requestsPerSecond)} requests/s`);
  console.log(`  latency request→fulfilled p50 ${f(result.latencyMs.p50, 0)} ms, p90 ${f(result.latencyMs.p90, 0)} ms, p99 ${f(result.latencyMs.p99, 0)} ms`);
  console.log(`  EC2 API calls per node ${f(result.ec2CallsPerNode, 2)} (${byAction}); other AWS calls per node ${f(result.otherCallsPerNode, 2)}; throttled ${result.throttledCalls}`);
  console.log(`  ZooKeeper writes per request ${f(result.zkWritesPerRequest)}; launcher CPU ${f(result.launcherCpuMsPerRequest, 2)} ms/request, peak RSS ${f(result.launcherPeakRssMiB, 0)} MiB`);
}

await runLauncherBench({
  name: 'aws',
  launcherBin,
  callsLabel: 'EC2 API calls',
  labels: ['small'],
  scenarios,
  report: { figures, print: printResult },
  async startCloud(scenario, { logDir }) {
    // Generous quotas: the benchmark measures launching, not waiting for room.
    const args = ['--port', '0', '--quota', 'L-1216C47A=1000000', '--boot-delay-ms', String(scenario.bootDelayMs ?? 0)];
    const fake = await startLoggedProcess({ name: 'fake-aws', script: fakeAwsBin, args, ready: /listening on https?:\/\/\S+/, logDir });
    const endpoint = /(https?:\/\/\S+)/.exec(fake.line)![1]!;
    const control = fakeAwsControl(endpoint);
    return {
      providersYaml: providersYaml(endpoint),
      env: {
        AWS_ACCESS_KEY_ID: FAKE_AWS_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: FAKE_AWS_CREDENTIALS.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      calls: () => control.calls(),
      resetCalls: () => control.resetCalls(),
      stop: () => stopProcess(fake.child),
    };
  },
});
