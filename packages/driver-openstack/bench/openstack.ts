/**
 * `npm run bench -- openstack [--json] [--only NAME] [--requests N] [--plain]`
 *
 * The built `nodepool-launcher` (default settings, log level info) with the openstack driver
 * against the fake OpenStack (`nodepool-fake-openstack`, its own process, over HTTP) and a real
 * (TLS) ZooKeeper, loaded by Zuul-like clients. Per scenario: requests fulfilled per second,
 * request-to-fulfilled latency p50/p90/p99, OpenStack API calls per launched node (from the
 * fake's counters, by call, named as openstacksdk names them), ZooKeeper writes per request,
 * launcher CPU per request and peak RSS. A job only counts if its nodes were handed over; calls
 * are counted from the first request until every used node is deleted again, so deletions and
 * their listings are included.
 *
 * The provider's `rate` is 0.01 s (100 mutating calls/s) so that the figures are the launcher's,
 * not a budget's (the original's default is 1 s). BENCH_LOG_DIR keeps each process's output.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fakeCloudsYaml, fakeOpenStackControl } from '@nodepool/driver-openstack/testing';
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
const fakeBin = join(here, '..', 'dist', 'bin', 'nodepool-fake-openstack.js');
const logDir = process.env.BENCH_LOG_DIR ?? (await mkdtemp(join(tmpdir(), 'nodepool-bench-openstack-logs-')));

interface Scenario {
  name: string;
  labels: string[];
  concurrency: number;
  requests: number;
  /** How long servers stay `BUILD` in the fake. */
  bootDelayMs?: number;
  /** The pool attaches floating IPs (the fake's servers are on a tenant network). */
  floatingIps?: boolean;
}

const scenarios: Scenario[] = [
  { name: '1-node, concurrency 1 (unloaded)', labels: ['small'], concurrency: 1, requests: 100 },
  { name: '1-node, concurrency 50', labels: ['small'], concurrency: 50, requests: 1000 },
  { name: '3-node, concurrency 50', labels: ['small', 'small', 'small'], concurrency: 50, requests: 400 },
  { name: '1-node, concurrency 50, floating IPs', labels: ['small'], concurrency: 50, requests: 500, floatingIps: true },
  { name: '1-node, concurrency 50, servers boot in 2 s', labels: ['small'], concurrency: 50, requests: 500, bootDelayMs: 2_000 },
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

function configText(zk: LocalZooKeeper, chroot: string, scenario: Scenario): string {
  return `zookeeper-servers:
  - host: ${zk.host}
    port: ${zk.port}
    chroot: ${chroot}
${zk.tls ? `zookeeper-tls:\n  ca: ${zk.tls.caFile}\n  cert: ${zk.tls.certFile}\n  key: ${zk.tls.keyFile}\n` : ''}labels:
  - name: small
providers:
  - name: openstack
    driver: openstack
    cloud: fake
    region-name: RegionOne
    rate: 0.01
    cloud-images:
      - name: cirros
        image-name: cirros-0.6.2-x86_64-disk
        username: cirros
    pools:
      - name: main
        max-servers: 100000
        host-key-checking: false
        auto-floating-ip: ${scenario.floatingIps ? 'true' : 'false'}
        networks:
          - private
        labels:
          - name: small
            cloud-image: cirros
            min-ram: 1024
            key-name: zuul
`;
}

async function runScenario(zk: LocalZooKeeper, scenario: Scenario, dir: string): Promise<Result> {
  const chroot = `/bench-openstack-${Date.now()}`;
  // Generous quotas: the benchmark measures launching, not waiting for room.
  const fakeArgs = ['--port', '0', '--boot-delay-ms', String(scenario.bootDelayMs ?? 0)];
  for (const quota of ['instances', 'cores', 'ram', 'floatingips', 'ports']) fakeArgs.push('--quota', `${quota}=-1`);
  const fake = await startLoggedProcess({ name: 'fake-openstack', script: fakeBin, args: fakeArgs, ready: /listening on https?:\/\/\S+/, logDir });
  const url = /(https?:\/\/\S+)/.exec(fake.line)![1]!;
  const control = fakeOpenStackControl(url);
  const clouds = join(dir, `clouds-${chroot.slice(1)}.yaml`);
  await writeFile(clouds, fakeCloudsYaml('fake', url));
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
      OS_CLIENT_CONFIG_FILE: clouds,
    },
  });
  const clients = await Promise.all(Array.from({ length: Math.min(scenario.concurrency, 20) }, () => chrootClient(zk, chroot)));
  const zuuls = clients.map((client) => new ZuulClient(client));
  try {
    // Start-up reads (token, flavors, images, zones, quotas) are once per launcher, not per node.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await control.resetCalls();
    const before = await processStats(launcher.child.pid!);
    const zxidStart = await currentZxid(clients[0]!);
    const total = values.requests ? Number(values.requests) : scenario.requests;
    const { results, elapsedS } = await runJobs(zuuls, { labels: scenario.labels, concurrency: scenario.concurrency, total });
    // Until every used node is deleted: its deletion belongs to its cost.
    const settleDeadline = Date.now() + 60_000;
    while (Date.now() < settleDeadline) {
      const { children } = await clients[0]!.getChildren('/nodepool/nodes');
      if (children.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const zxidEnd = await currentZxid(clients[0]!);
    const after = await processStats(launcher.child.pid!);
    const calls = await control.calls();
    const ok = results.filter((result) => result.result === 'SUCCESS');
    const nodes = ok.reduce((sum, result) => sum + result.nodeIds.length, 0);
    const perNode = (count: number): number => (nodes > 0 ? count / nodes : NaN);
    const answered = Object.entries(calls).filter(([name]) => !name.endsWith('.failed') && !name.endsWith('.throttled'));
    return {
      scenario: scenario.name,
      requests: results.length,
      failures: results.length - ok.length,
      requestsPerSecond: ok.length / elapsedS,
      latencyMs: latencyPercentiles(results),
      nodes,
      apiCallsPerNode: perNode(answered.reduce((sum, [, count]) => sum + count, 0)),
      apiCallsPerNodeByCall: Object.fromEntries(answered.sort((a, b) => b[1] - a[1]).map(([name, count]) => [name, perNode(count)])),
      throttledCalls: Object.entries(calls).filter(([name]) => name.endsWith('.throttled')).reduce((sum, [, count]) => sum + count, 0),
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
  console.log(`  OpenStack API calls per node ${f(result.apiCallsPerNode, 2)} (${byCall}); throttled ${result.throttledCalls}`);
  console.log(`  ZooKeeper writes per request ${f(result.zkWritesPerRequest)}; launcher CPU ${f(result.launcherCpuMsPerRequest, 2)} ms/request, peak RSS ${f(result.launcherPeakRssMiB, 0)} MiB`);
}

const dir = await mkdtemp(join(tmpdir(), 'nodepool-bench-openstack-'));
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
