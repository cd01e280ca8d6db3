/**
 * `npm run bench -- launcher [--json] [--only NAME] [--requests N]`
 *
 * Drives a real (TLS) ZooKeeper, our launcher(s) in their own processes and the simulated cloud
 * (or a static provider's hosts) with Zuul-like clients, and reports per scenario: requests
 * fulfilled per second, request-to-fulfilled latency p50/p90/p99, cloud API calls per node,
 * ZooKeeper writes per request (from the zxid span, Zuul's own writes taken out), launcher CPU
 * per request and peak RSS. Every request is checked: a job only counts if its nodes were
 * handed over. `--only static` runs the static driver's slot-turnover scenario, which first
 * runs as many jobs unmeasured: its 100 requests take about 3 s, in which a fresh launcher and
 * the benchmark's fresh ZooKeeper JVM would still be compiling (`--cold` measures that too).
 *
 * The launchers are the built `nodepool-launcher` at its default settings and log level (info).
 * ZooKeeper talks TLS, as Zuul's does; `--plain` measures without it. For a closer look:
 * BENCH_LOG_LEVEL (the launchers' log level), BENCH_LOG_DIR (keep each process's output
 * there), BENCH_LAUNCHER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    cold: { type: 'boolean', default: false },
  },
});

const here = fileURLToPath(new URL('.', import.meta.url));
// Built code, as deployed (scripts/bench.sh builds first): no TypeScript loader in the figures.
const launcherBin = join(here, '..', '..', 'cli', 'dist', 'bin', 'nodepool-launcher.js');
const simCloudBin = join(here, '..', 'dist', 'bin', 'nodepool-sim-cloud.js');
// Each process's output; BENCH_LOG_DIR keeps it.
const logDir = process.env.BENCH_LOG_DIR ?? (await mkdtemp(join(tmpdir(), 'nodepool-bench-logs-')));
const launcherNodeArgs = process.env.BENCH_LAUNCHER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];

interface Scenario {
  name: string;
  labels: string[];
  concurrency: number;
  launchers: number;
  requests: number;
  /** Keep this many ready nodes (min-ready); requests then reuse them. */
  minReady?: number;
  /** How long each job keeps its nodes in use; default 0. */
  jobMs?: number;
  /** Static hosts instead of the simulated cloud: this many, each with `slots` max-parallel-jobs. */
  static?: { hosts: number; slots: number };
  /** Jobs run (concurrency at a time) and left out of the figures before measuring; unless `--cold`. */
  warmUpJobs?: number;
}

interface Result {
  scenario: string;
  requests: number;
  failures: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number };
  cloudCallsPerNode: number;
  instanceListsPerSecond: number;
  zkWritesPerRequest: number;
  launcherZkWritesPerRequest: number;
  launcherCpuMsPerRequest: number;
  launcherPeakRssMiB: number;
  /** The ZooKeeper server's CPU (Zuul's work and the launchers'), per request. */
  zooKeeperCpuMsPerRequest: number;
}

const scenarios: Scenario[] = [
  // One request at a time: the latency of the path itself, nothing queued.
  { name: '1-node, concurrency 1 (unloaded), 1 launcher', labels: ['sim-small'], concurrency: 1, launchers: 1, requests: 300 },
  { name: 'ready-node reuse (min-ready), concurrency 1 (unloaded), 1 launcher', labels: ['sim-ready'], concurrency: 1, launchers: 1, requests: 300, minReady: 5 },
  { name: '1-node, concurrency 50, 1 launcher', labels: ['sim-small'], concurrency: 50, launchers: 1, requests: 2000 },
  { name: '1-node, concurrency 200, 1 launcher', labels: ['sim-small'], concurrency: 200, launchers: 1, requests: 4000 },
  { name: '3-node, concurrency 50, 1 launcher', labels: ['sim-small', 'sim-small', 'sim-small'], concurrency: 50, launchers: 1, requests: 1000 },
  { name: '3-node, concurrency 200, 1 launcher', labels: ['sim-small', 'sim-small', 'sim-small'], concurrency: 200, launchers: 1, requests: 2000 },
  { name: '1-node, concurrency 200, 3 launchers', labels: ['sim-small'], concurrency: 200, launchers: 3, requests: 4000 },
  { name: 'ready-node reuse (min-ready), concurrency 20, 1 launcher', labels: ['sim-ready'], concurrency: 20, launchers: 1, requests: 1000, minReady: 40 },
  // Slot turnover: 8 slots, each job 0.2 s, so at most 40 requests/s. Every job waits for a slot
  // that a used node frees (reaped, registered again), so this measures that turnaround.
  {
    name: 'static, 4 hosts × 2 slots, jobs 0.2 s, concurrency 16, 1 launcher',
    labels: ['static-bench'],
    concurrency: 16,
    launchers: 1,
    requests: 100,
    jobMs: 200,
    static: { hosts: 4, slots: 2 },
    // Measured: ZooKeeper's CPU per request falls from ~23 ms to ~7 ms over its first 600 jobs.
    warmUpJobs: 100,
  },
];

/** The launcher as operators run it: the built `nodepool-launcher`, in the foreground. */
function startLauncher(file: string, name: string): Promise<{ child: ChildProcess; line: string }> {
  // The web API on, as by default, but on a free loopback port: several launchers share this machine.
  const env = { NODEPOOL_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', NODEPOOL_WEB_PORT: '0', NODEPOOL_WEB_LISTEN_ADDRESS: '127.0.0.1' };
  return startLoggedProcess({ name, script: launcherBin, args: ['-c', file, '-f'], ready: /launcher started/, logDir, env, nodeArgs: launcherNodeArgs });
}

function startSimCloud(): Promise<{ child: ChildProcess; line: string }> {
  return startLoggedProcess({ name: 'sim-cloud', script: simCloudBin, args: ['--port', '0'], ready: /https?:\/\/\S+/, logDir });
}

function configText(zk: LocalZooKeeper, chroot: string, endpoint: string, scenario: Scenario): string {
  const header = `zookeeper-servers:
  - host: ${zk.host}
    port: ${zk.port}
    chroot: ${chroot}
${zk.tls ? `zookeeper-tls:\n  ca: ${zk.tls.caFile}\n  cert: ${zk.tls.certFile}\n  key: ${zk.tls.keyFile}\n` : ''}`;
  if (scenario.static) return header + staticConfigText(scenario.static);
  return `${header}labels:
  - name: sim-small
  - name: sim-ready
    min-ready: ${scenario.minReady ?? 0}
providers:
  - name: sim
    driver: sim
    endpoint: ${endpoint}
    rate: 100000
    pools:
      - name: main
        max-servers: 100000
        host-key-checking: false
        labels:
          - name: sim-small
            flavor: small
            cloud-image: sim-base
          - name: sim-ready
            flavor: small
            cloud-image: sim-base
    cloud-images:
      - name: sim-base
        image-id: img-sim-base
`;
}

/**
 * Loopback addresses stand for the hosts: they resolve without DNS, and with host-key-checking
 * off neither registration nor the liveness check contacts them (as in the original).
 */
function staticConfigText({ hosts, slots }: { hosts: number; slots: number }): string {
  const entries = Array.from(
    { length: hosts },
    (_, i) => `          - name: 127.0.0.${i + 1}
            labels: static-bench
            host-key-checking: false
            max-parallel-jobs: ${slots}
`,
  );
  return `labels:
  - name: static-bench
providers:
  - name: rack
    driver: static
    pools:
      - name: main
        nodes:
${entries.join('')}`;
}

/** The node count at rest: a static provider's registered slots, or min-ready's nodes. */
function nodesAtRest(scenario: Scenario): number {
  return scenario.static ? scenario.static.hosts * scenario.static.slots : (scenario.minReady ?? 0);
}

async function runScenario(zk: LocalZooKeeper, scenario: Scenario, dir: string): Promise<Result> {
  const chroot = `/bench-${Date.now()}`;
  const cloud = scenario.static ? undefined : await startSimCloud();
  const endpoint = cloud ? /(https?:\/\/[^\s]+)/.exec(cloud.line)![1]! : '';
  const control = cloud ? (await import('@nodepool/driver-sim/cloud')).simCloudControl(endpoint) : undefined;
  const file = join(dir, `${scenario.name.replace(/\W+/g, '-')}.yaml`);
  await writeFile(file, configText(zk, chroot, endpoint, scenario));

  // Started inside the try: a launcher that fails to start must not leave the others running.
  const launchers: ChildProcess[] = [];
  const clients: Awaited<ReturnType<typeof chrootClient>>[] = [];
  try {
    for (let i = 0; i < scenario.launchers; i++) launchers.push((await startLauncher(file, `launcher-${i}`)).child);
    clients.push(...(await Promise.all(Array.from({ length: Math.min(scenario.concurrency, 20) }, () => chrootClient(zk, chroot)))));
    const zuuls = clients.map((client) => new ZuulClient(client));
    await settle(clients[0]!, scenario);
    if (scenario.warmUpJobs && !values.cold) {
      await runJobs(zuuls, { labels: scenario.labels, concurrency: scenario.concurrency, total: scenario.warmUpJobs, durationMs: scenario.jobMs ?? 0 });
      await settle(clients[0]!, scenario);
    }
    await control?.resetCalls?.();
    const before = await Promise.all(launchers.map((child) => processStats(child.pid!)));
    const zkBefore = await processStats(zk.pid);
    const zxidStart = await currentZxid(clients[0]!);
    const total = values.requests ? Number(values.requests) : scenario.requests;
    const { results, elapsedS } = await runJobs(zuuls, { labels: scenario.labels, concurrency: scenario.concurrency, total, durationMs: scenario.jobMs ?? 0 });
    // The launchers' deletions of the used nodes (and static re-registrations) count too.
    await settle(clients[0]!, scenario);
    const zxidEnd = await currentZxid(clients[0]!);
    const after = await Promise.all(launchers.map((child) => processStats(child.pid!)));
    const zkAfter = await processStats(zk.pid);
    const calls: Record<string, number> = control ? await control.calls() : {};
    const ok = results.filter((result) => result.result === 'SUCCESS');
    const nodes = ok.reduce((sum, result) => sum + result.nodeIds.length, 0);
    const totalCalls = Object.entries(calls)
      .filter(([op]) => !op.endsWith('.throttled'))
      .reduce((sum, [, count]) => sum + (count as number), 0);
    const writes = Number(zxidEnd - zxidStart);
    // Zuul's own writes per job: create and delete the request, and per node lock, in-use, used, unlock.
    const zuulWrites = 2 + 4 * scenario.labels.length;
    const cpuMs = after.reduce((sum, stats, i) => sum + stats.cpuMs - before[i]!.cpuMs, 0);
    return {
      scenario: scenario.name,
      requests: results.length,
      failures: results.length - ok.length,
      requestsPerSecond: ok.length / elapsedS,
      latencyMs: latencyPercentiles(results),
      cloudCallsPerNode: control && nodes > 0 ? totalCalls / nodes : NaN,
      instanceListsPerSecond: ((calls as Record<string, number>)['instances.list'] ?? 0) / elapsedS,
      zkWritesPerRequest: writes / results.length,
      launcherZkWritesPerRequest: writes / results.length - zuulWrites,
      launcherCpuMsPerRequest: cpuMs / results.length,
      launcherPeakRssMiB: Math.max(...after.map((stats) => stats.peakRssMiB)),
      zooKeeperCpuMsPerRequest: (zkAfter.cpuMs - zkBefore.cpuMs) / results.length,
    };
  } finally {
    for (const client of clients) await client.close();
    for (const child of launchers) await stopProcess(child);
    if (cloud) await stopProcess(cloud.child);
  }
}

/**
 * Waits (up to a minute) until the nodes are at rest: every node `ready` (none building, used
 * or being deleted), the static slots exactly, min-ready's at least, otherwise none.
 */
async function settle(client: Awaited<ReturnType<typeof chrootClient>>, scenario: Scenario): Promise<void> {
  const rest = nodesAtRest(scenario);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { children } = await client.getChildren('/nodepool/nodes').catch(() => ({ children: [] as string[] }));
    const ready = await readyCount(client, children);
    const atRest = children.length === ready && (scenario.static ? ready === rest : rest > 0 ? ready >= rest : ready === 0);
    if (atRest) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How many of these nodes are `ready`. */
async function readyCount(client: Awaited<ReturnType<typeof chrootClient>>, ids: readonly string[]): Promise<number> {
  const states = await Promise.all(
    ids.map((id) =>
      client.getData(`/nodepool/nodes/${id}`).then(
        ({ data }) => (JSON.parse(data.toString() || '{}') as { state?: string }).state,
        () => undefined,
      ),
    ),
  );
  return states.filter((state) => state === 'ready').length;
}

/** 10,000 nodes and 2,000 waiting requests already in ZooKeeper: start-up time and memory. */
async function runScale(zk: LocalZooKeeper, dir: string): Promise<Record<string, unknown>> {
  const chroot = `/bench-scale-${Date.now()}`;
  const client = await chrootClient(zk, chroot);
  const cloud = await startSimCloud();
  const endpoint = /(https?:\/\/[^\s]+)/.exec(cloud.line)![1]!;
  try {
    // Nodes of another provider, and requests for a label only another (registered) pool offers.
    await client.mkdirp('/nodepool/nodes');
    const node = (i: number) =>
      JSON.stringify({ state: i % 3 === 0 ? 'in-use' : 'ready', state_time: Date.now() / 1000, provider: 'elsewhere', pool: 'main', type: ['elsewhere-label'], connection_port: 22, ssh_port: 22, host_keys: [], allocated_to: null });
    for (let i = 0; i < 10_000; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => client.create('/nodepool/nodes/', { data: node(i + j), mode: 'persistent-sequential' })));
    }
    await client.create('/nodepool/components/pool/elsewhere', {
      mode: 'ephemeral-sequential',
      makeParents: true,
      data: JSON.stringify({ hostname: 'elsewhere', id: 'elsewhere-PoolWorker.elsewhere-main-0', kind: 'pool', model_api: 0, paused: false, priority: 100, provider_name: 'elsewhere', state: 'running', supported_labels: ['elsewhere-label'], version: '9.0.0' }),
    });
    const zuul = new ZuulClient(client);
    for (let i = 0; i < 2_000; i += 500) await Promise.all(Array.from({ length: 500 }, () => zuul.requestNodes(['elsewhere-label'])));
    const file = join(dir, 'scale.yaml');
    await writeFile(file, configText(zk, chroot, endpoint, { name: 'scale', labels: [], concurrency: 0, launchers: 1, requests: 0 }));
    const t0 = performance.now();
    const launcher = await startLauncher(file, 'launcher-scale');
    const startupMs = performance.now() - t0;
    // Let it idle through a few pool-worker passes over the waiting requests.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const stats = await processStats(launcher.child.pid!);
    await stopProcess(launcher.child);
    return {
      scenario: '10,000 nodes and 2,000 waiting requests',
      startupMs: Math.round(startupMs),
      cpuMsDuringFirst5s: Math.round(stats.cpuMs),
      launcherPeakRssMiB: Math.round(stats.peakRssMiB),
    };
  } finally {
    await client.close();
    await stopProcess(cloud.child);
  }
}

const dir = await mkdtemp(join(tmpdir(), 'nodepool-bench-'));
const zk = await startZooKeeper({ tls: !values.plain, jvm: 'server' });
const output: unknown[] = [];
try {
  for (const scenario of scenarios) {
    if (values.only && !scenario.name.includes(values.only)) continue;
    const result = await runScenario(zk, scenario, dir);
    output.push(result);
    if (!values.json) printResult(result);
  }
  if (!values.only || 'scale'.includes(values.only) || values.only.includes('10,000')) {
    const scale = await runScale(zk, dir);
    output.push(scale);
    if (!values.json) console.log(`\n${scale.scenario}\n  launcher start-up ${scale.startupMs} ms (process start to serving), peak RSS ${scale.launcherPeakRssMiB} MiB, CPU in the first 5 s ${scale.cpuMsDuringFirst5s} ms`);
  }
} finally {
  await zk.destroy();
  await rm(dir, { recursive: true, force: true });
  if (!process.env.BENCH_LOG_DIR) await rm(logDir, { recursive: true, force: true });
}
if (values.json) console.log(JSON.stringify(output, null, 2));

function printResult(result: Result): void {
  const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
  console.log(`\n${result.scenario}`);
  console.log(`  ${result.requests} requests, ${result.failures} failed; ${f(result.requestsPerSecond)} requests/s`);
  console.log(`  latency request→fulfilled p50 ${f(result.latencyMs.p50, 0)} ms, p90 ${f(result.latencyMs.p90, 0)} ms, p99 ${f(result.latencyMs.p99, 0)} ms`);
  console.log(`  cloud API calls per node ${f(result.cloudCallsPerNode, 2)}; instance listings ${f(result.instanceListsPerSecond, 2)}/s`);
  console.log(`  ZooKeeper writes per request ${f(result.zkWritesPerRequest)} (launcher ${f(result.launcherZkWritesPerRequest)})`);
  console.log(`  launcher CPU ${f(result.launcherCpuMsPerRequest, 2)} ms/request, peak RSS ${f(result.launcherPeakRssMiB, 0)} MiB; ZooKeeper server CPU ${f(result.zooKeeperCpuMsPerRequest, 2)} ms/request`);
}
