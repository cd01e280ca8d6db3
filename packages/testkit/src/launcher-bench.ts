import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chrootClient, currentZxid, latencyPercentiles, processStats, runJobs, startLoggedProcess, stopProcess } from './bench-tools.js';
import type { LocalZooKeeper } from './local-zookeeper.js';
import { startZooKeeper } from './start-zookeeper.js';
import { ZuulClient } from '@nodepool/zuul-client';

/*
 * The frame of a cloud driver's launcher benchmark (`packages/<driver>/bench/<name>.ts`): the
 * built `nodepool-launcher` against a fake cloud in its own process and a real (TLS) ZooKeeper,
 * loaded by Zuul-like clients, scenario by scenario. The driver's benchmark says how to start
 * its fake and what its provider looks like; this file does the rest and prints the figures.
 */

/** One measured run: `requests` jobs for `labels`, `concurrency` at a time. */
export interface LauncherBenchScenario {
  readonly name: string;
  readonly labels: readonly string[];
  readonly concurrency: number;
  readonly requests: number;
}

/** A fake cloud started for one scenario. */
export interface BenchCloud {
  /** The `providers:` section of nodepool.yaml (top level, starting with `providers:`). */
  readonly providersYaml: string;
  /** Added to the launcher's environment (credentials, CA). */
  readonly env?: Readonly<Record<string, string>>;
  /** API calls by name since the start or the last reset (names ending `.throttled`/`.failed` are refusals). */
  calls(): Promise<Record<string, number>>;
  resetCalls(): Promise<unknown>;
  stop(): Promise<void>;
}

/** What a benchmark hands `startCloud`: where to keep files and logs. */
export interface BenchCloudContext {
  /** A directory of this scenario's own, removed at the end. */
  readonly dir: string;
  /** Where process output goes (kept with BENCH_LOG_DIR). */
  readonly logDir: string;
}

/**
 * A benchmark's own figures in place of the standard ones (aws tells EC2 calls from the others):
 * made from the standard figures and the calls counted, and printed its own way.
 */
export interface LauncherBenchReport<R> {
  figures(result: LauncherBenchResult, calls: Readonly<Record<string, number>>): R;
  print(figures: R): void;
}

export interface LauncherBenchOptions<S extends LauncherBenchScenario, R = LauncherBenchResult> {
  /** The benchmark's name (`gce`): names temporary directories and the ZooKeeper chroots. */
  readonly name: string;
  /** The built `nodepool-launcher.js`. */
  readonly launcherBin: string;
  /** How the output names the cloud's calls (`Compute API calls`). */
  readonly callsLabel: string;
  /** The label names the providers offer (the `labels:` section). */
  readonly labels: readonly string[];
  readonly scenarios: readonly S[];
  startCloud(scenario: S, context: BenchCloudContext): Promise<BenchCloud>;
  /** Start-up reads to let pass before counting (default 1 s). */
  readonly warmUpMs?: number;
  /** How the fake names a refused call after the call's name: `.` (default: `<call>.throttled`), or ` ` (k8s). */
  readonly refusalSeparator?: string;
  /** How long to wait at most for the used nodes to be deleted after the last job (default 60 s). */
  readonly settleMs?: number;
  /** Default: the standard figures, printed by `printLauncherBenchResult`. */
  readonly report?: LauncherBenchReport<R>;
}

/** The figures of one scenario. */
export interface LauncherBenchResult {
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

/** Where the benchmark's processes write their output. */
export async function benchLogDir(name: string): Promise<string> {
  return process.env.BENCH_LOG_DIR || (await mkdtemp(join(tmpdir(), `nodepool-bench-${name}-logs-`)));
}

/**
 * Runs the scenarios, as chosen on the command line (`[--json] [--only NAME] [--requests N]
 * [--plain]`), and prints each one's figures (or all of them as JSON at the end). A job only
 * counts if its nodes were handed over; calls are counted from the first request until every
 * used node is deleted again, so deletions and their listings are included.
 */
export async function runLauncherBench<S extends LauncherBenchScenario, R = LauncherBenchResult>(options: LauncherBenchOptions<S, R>): Promise<R[]> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      requests: { type: 'string' },
      plain: { type: 'boolean', default: false },
    },
  });
  const logDir = await benchLogDir(options.name);
  const dir = await mkdtemp(join(tmpdir(), `nodepool-bench-${options.name}-`));
  const zk = await startZooKeeper({ tls: !values.plain, jvm: 'server' });
  const report = options.report ?? (standardReport(options.callsLabel) as unknown as LauncherBenchReport<R>);
  const output: R[] = [];
  try {
    for (const scenario of options.scenarios) {
      if (values.only && !scenario.name.includes(values.only)) continue;
      const total = values.requests ? Number(values.requests) : scenario.requests;
      const { result, calls } = await runScenario(options, zk, { ...scenario, requests: total }, dir, logDir);
      const figures = report.figures(result, calls);
      output.push(figures);
      if (!values.json) report.print(figures);
    }
  } finally {
    await zk.destroy();
    await rm(dir, { recursive: true, force: true });
    if (!process.env.BENCH_LOG_DIR) await rm(logDir, { recursive: true, force: true });
  }
  if (values.json) console.log(JSON.stringify(output, null, 2));
  return output;
}

function standardReport(callsLabel: string): LauncherBenchReport<LauncherBenchResult> {
  return { figures: (result) => result, print: (result) => printLauncherBenchResult(result, callsLabel) };
}

function configText(zk: LocalZooKeeper, chroot: string, labels: readonly string[], providersYaml: string): string {
  const tls = zk.tls ? `zookeeper-tls:\n  ca: ${zk.tls.caFile}\n  cert: ${zk.tls.certFile}\n  key: ${zk.tls.keyFile}\n` : '';
  return `zookeeper-servers:
  - host: ${zk.host}
    port: ${zk.port}
    chroot: ${chroot}
${tls}labels:
${labels.map((label) => `  - name: ${label}\n`).join('')}${providersYaml}`;
}

async function runScenario<S extends LauncherBenchScenario, R>(
  options: LauncherBenchOptions<S, R>,
  zk: LocalZooKeeper,
  scenario: S,
  parent: string,
  logDir: string,
): Promise<{ result: LauncherBenchResult; calls: Record<string, number> }> {
  const chroot = `/bench-${options.name}-${Date.now()}`;
  const dir = await mkdtemp(join(parent, 'scenario-'));
  const cloud = await options.startCloud(scenario, { dir, logDir });
  let launcher: Awaited<ReturnType<typeof startLoggedProcess>> | undefined;
  const clients: Awaited<ReturnType<typeof chrootClient>>[] = [];
  try {
    const file = join(dir, 'nodepool.yaml');
    await writeFile(file, configText(zk, chroot, options.labels, cloud.providersYaml));
    launcher = await startLoggedProcess({
      name: 'launcher',
      script: options.launcherBin,
      args: ['-c', file, '-f'],
      ready: /launcher started/,
      logDir,
      env: {
        NODEPOOL_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
        // The web API on, as by default, but on a free loopback port, whatever else holds 8005.
        NODEPOOL_WEB_PORT: '0',
        NODEPOOL_WEB_LISTEN_ADDRESS: '127.0.0.1',
        ...cloud.env,
      },
    });
    for (let i = 0; i < Math.min(scenario.concurrency, 20); i++) clients.push(await chrootClient(zk, chroot));
    const zuuls = clients.map((client) => new ZuulClient(client));
    // Start-up reads (token, machine types, quotas) are once per launcher, not per node.
    await new Promise((resolve) => setTimeout(resolve, options.warmUpMs ?? 1_000));
    await cloud.resetCalls();
    const before = await processStats(launcher.child.pid!);
    const zxidStart = await currentZxid(clients[0]!);
    const { results, elapsedS } = await runJobs(zuuls, { labels: scenario.labels, concurrency: scenario.concurrency, total: scenario.requests });
    // Until every used node is deleted: its deletion belongs to its cost.
    const settleDeadline = Date.now() + (options.settleMs ?? 60_000);
    while (Date.now() < settleDeadline) {
      const { children } = await clients[0]!.getChildren('/nodepool/nodes');
      if (children.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const zxidEnd = await currentZxid(clients[0]!);
    const after = await processStats(launcher.child.pid!);
    const calls = await cloud.calls();
    const ok = results.filter((result) => result.result === 'SUCCESS');
    const nodes = ok.reduce((sum, result) => sum + result.nodeIds.length, 0);
    const perNode = (count: number): number => (nodes > 0 ? count / nodes : NaN);
    const sep = options.refusalSeparator ?? '.';
    const throttled = (name: string) => name.endsWith(`${sep}throttled`);
    const refused = (name: string) => name.endsWith(`${sep}failed`) || throttled(name);
    const answered = Object.entries(calls).filter(([name]) => !refused(name));
    const result: LauncherBenchResult = {
      scenario: scenario.name,
      requests: results.length,
      failures: results.length - ok.length,
      requestsPerSecond: ok.length / elapsedS,
      latencyMs: latencyPercentiles(results),
      nodes,
      apiCallsPerNode: perNode(answered.reduce((sum, [, count]) => sum + count, 0)),
      apiCallsPerNodeByCall: Object.fromEntries(answered.sort((a, b) => b[1] - a[1]).map(([name, count]) => [name, perNode(count)])),
      throttledCalls: Object.entries(calls)
        .filter(([name]) => throttled(name))
        .reduce((sum, [, count]) => sum + count, 0),
      zkWritesPerRequest: Number(zxidEnd - zxidStart) / results.length,
      launcherCpuMsPerRequest: (after.cpuMs - before.cpuMs) / results.length,
      launcherPeakRssMiB: after.peakRssMiB,
    };
    return { result, calls };
  } finally {
    for (const client of clients) await client.close();
    if (launcher) await stopProcess(launcher.child);
    await cloud.stop();
  }
}

/** One scenario's figures, as the launcher benchmarks print them. */
export function printLauncherBenchResult(result: LauncherBenchResult, callsLabel: string): void {
  const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
  const byCall = Object.entries(result.apiCallsPerNodeByCall)
    .map(([name, count]) => `${name} ${f(count, 2)}`)
    .join(', ');
  console.log(`\n${result.scenario}`);
  console.log(`  ${result.requests} requests, ${result.failures} failed; ${f(result.requestsPerSecond)} requests/s`);
  console.log(`  latency request→fulfilled p50 ${f(result.latencyMs.p50, 0)} ms, p90 ${f(result.latencyMs.p90, 0)} ms, p99 ${f(result.latencyMs.p99, 0)} ms`);
  console.log(`  ${callsLabel} per node ${f(result.apiCallsPerNode, 2)} (${byCall}); throttled ${result.throttledCalls}`);
  console.log(`  ZooKeeper writes per request ${f(result.zkWritesPerRequest)}; launcher CPU ${f(result.launcherCpuMsPerRequest, 2)} ms/request, peak RSS ${f(result.launcherPeakRssMiB, 0)} MiB`);
}
