import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import type { LocalZooKeeper } from './local-zookeeper.js';
import type { JobResult, ZuulClient } from '@nodepool/zuul-client';

/*
 * Measuring helpers of the launcher benchmarks (`packages/<driver>/bench/*.ts`): processes with
 * their output in log files, /proc figures, ZooKeeper write counts, and Zuul-like load.
 */

/** The value below which `p` percent of `sorted` (ascending) lie; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** CPU time so far and peak resident memory of a process (Linux /proc). */
export async function processStats(pid: number): Promise<{ cpuMs: number; peakRssMiB: number }> {
  const clockTicksPerSecond = 100;
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const cpuMs = ((Number(stat[11]) + Number(stat[12])) * 1000) / clockTicksPerSecond;
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuMs, peakRssMiB: hwm / 1024 };
}

export interface LoggedProcessOptions {
  /** Names the log file, `<name>-<time>.log`. */
  readonly name: string;
  /** A built script, run with this Node.js. */
  readonly script: string;
  readonly args: readonly string[];
  /** Resolves once a line of the output matches. */
  readonly ready: RegExp;
  /** Where the output goes. */
  readonly logDir: string;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Node.js options before the script (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** Default 120 s. */
  readonly timeoutMs?: number;
}

/**
 * Starts `node <script> args…` with its output in a log file, and resolves with the first line
 * matching `ready` (the output's tail is in the error if it exits or times out first).
 */
export async function startLoggedProcess(options: LoggedProcessOptions): Promise<{ child: ChildProcess; line: string }> {
  const logFile = join(options.logDir, `${options.name}-${Date.now()}.log`);
  const out = await open(logFile, 'w');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script, ...options.args], {
    stdio: ['ignore', out.fd, out.fd],
    env: { ...process.env, ...options.env },
  });
  await out.close();
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    const text = await readFile(logFile, 'utf8');
    const line = text.split('\n').find((each) => options.ready.test(each));
    if (line) return { child, line };
    if (exited !== undefined) throw new Error(`${options.name} exited with ${exited}:\n${text.slice(-4000)}`);
    if (Date.now() > deadline) {
      // Not left running behind a benchmark that gave up on it.
      await stopProcess(child);
      throw new Error(`${options.name} did not start within ${timeoutMs / 1000} s:\n${text.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** SIGTERM, then SIGKILL if it has not exited within 10 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** A connected client of `zk` (TLS if it talks TLS) on `chroot`, which is created if missing. */
export async function chrootClient(zk: LocalZooKeeper, chroot: string): Promise<ZooKeeperClient> {
  const tls = zk.tls ? { ca: zk.tls.ca, cert: zk.tls.cert, key: zk.tls.key } : undefined;
  const client = new ZooKeeperClient({ servers: zk.connectString, chroot, ...(tls ? { tls } : {}), sessionTimeoutMs: 10_000 });
  await client.connect();
  await client.mkdirp('/');
  return client;
}

/** The server's current zxid (a sync's reply carries it): the span between two counts writes. */
export async function currentZxid(client: ZooKeeperClient): Promise<bigint> {
  await client.sync('/');
  return client.lastZxid;
}

/**
 * Runs `total` jobs for `labels`, `concurrency` at a time, spread over the given clients; each
 * job keeps its nodes in use `durationMs` (default 0) before returning them as used. A job
 * that throws counts as NODE_FAILURE. Returns every result and the seconds it took.
 */
export async function runJobs(
  zuuls: readonly ZuulClient[],
  options: { labels: readonly string[]; concurrency: number; total: number; timeoutMs?: number; durationMs?: number },
): Promise<{ results: JobResult[]; elapsedS: number }> {
  const results: JobResult[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, worker) => {
      const zuul = zuuls[worker % zuuls.length]!;
      while (next < options.total) {
        next++;
        results.push(await zuul.runJob(options.labels, { timeoutMs: options.timeoutMs ?? 120_000, durationMs: options.durationMs ?? 0 }).catch((error: unknown) => ({ result: 'NODE_FAILURE', error }) as unknown as JobResult));
      }
    }),
  );
  return { results, elapsedS: (performance.now() - started) / 1000 };
}

/** Latency request → fulfilled of the successful jobs, p50/p90/p99 in ms. */
export function latencyPercentiles(results: readonly JobResult[]): { p50: number; p90: number; p99: number } {
  const latencies = results
    .filter((result) => result.result === 'SUCCESS')
    .map((result) => result.timings.latencyMs)
    .sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99) };
}
