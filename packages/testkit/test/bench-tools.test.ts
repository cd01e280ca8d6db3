import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latencyPercentiles, percentile, processStats, startLoggedProcess, stopProcess, type JobResult } from '@nodepool/testkit';

test('percentiles of a sorted sample, NaN for none', (t) => {
  const sample = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(percentile(sample, 50), 51);
  t.is(percentile(sample, 99), 100);
  t.true(Number.isNaN(percentile([], 50)));
  const job = (result: JobResult['result'], latencyMs: number) => ({ result, timings: { latencyMs } }) as JobResult;
  t.deepEqual(latencyPercentiles([job('SUCCESS', 30), job('NODE_FAILURE', 1), job('SUCCESS', 10), job('SUCCESS', 20)]), { p50: 20, p90: 30, p99: 30 });
});

test('a logged process is ready at its matching line, reports its figures, and stops on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bench-tools-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const script = join(dir, 'serve.mjs');
  await writeFile(script, "console.log('warming up'); setTimeout(() => console.log('serving at http://127.0.0.1:1234'), 50); setInterval(() => {}, 1000);\n");
  const { child, line } = await startLoggedProcess({ name: 'serve', script, args: [], ready: /https?:\/\/\S+/, logDir: dir });
  t.is(line, 'serving at http://127.0.0.1:1234');
  const stats = await processStats(child.pid!);
  t.true(stats.peakRssMiB > 1);
  t.true(stats.cpuMs >= 0);
  await stopProcess(child);
  t.not(child.signalCode ?? child.exitCode, null);

  const broken = join(dir, 'broken.mjs');
  await writeFile(broken, "console.log('no luck'); process.exit(3);\n");
  await t.throwsAsync(startLoggedProcess({ name: 'broken', script: broken, args: [], ready: /never/, logDir: dir }), { message: /exited with 3:\nno luck/ });
});

test('a logged process that never gets ready is stopped, not left running', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bench-tools-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const script = join(dir, 'silent.mjs');
  await writeFile(script, 'setInterval(() => {}, 1000);\n');
  await t.throwsAsync(startLoggedProcess({ name: 'silent', script, args: [], ready: /never/, logDir: dir, timeoutMs: 500 }), { message: /did not start within 0.5 s/ });
  // pgrep exits 1 when no process runs the script.
  const search = t.throws(() => execFileSync('pgrep', ['-f', script])) as (Error & { status?: number }) | undefined;
  t.is(search?.status, 1);
});
