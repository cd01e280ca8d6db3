import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isProcessAlive } from '../src/is-process-alive.js';
import { spawnWatched } from '../src/spawn-watched.js';
import { waitFor } from '../src/wait-for.js';

const fixture = new URL('fixtures/start-zookeeper-child.ts', import.meta.url).pathname;

/** Runs the fixture in a child Node process; resolves with it and its server's JVM pid. */
async function childWithServer(t: { teardown(fn: () => unknown): void }) {
  const child = spawn(process.execPath, [...process.execArgv, fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const { pid, dir } = JSON.parse(line) as { pid: number; dir: string };
  // A SIGKILLed process runs no exit hooks, so its server's temp dir stays behind.
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return { child, pid };
}

test('a SIGKILLed parent process leaves no JVM behind', async (t) => {
  const { child, pid } = await childWithServer(t);
  t.true(isProcessAlive(pid));
  child.kill('SIGKILL');
  await waitFor(() => !isProcessAlive(pid), { timeoutMs: 10_000, message: `JVM ${pid} outlived its parent` });
  t.pass();
});

test('a parent stopped by SIGTERM kills its JVM and still dies of the signal', async (t) => {
  const { child, pid } = await childWithServer(t);
  child.kill('SIGTERM');
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  t.deepEqual({ code, signal }, { code: null, signal: 'SIGTERM' });
  await waitFor(() => !isProcessAlive(pid), { timeoutMs: 10_000, message: `JVM ${pid} outlived its parent` });
  t.pass();
});

test('reports the exit status of the watched process itself, not of its watchdog', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-testkit-watched-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const logFile = join(dir, 'out.log');
  const watched = await spawnWatched('sh', ['-c', 'echo to-log; echo $$; exit 3'], { logFile });
  t.deepEqual(await watched.waitForExit(), { code: 3, signal: null });
  t.false(watched.running);
  const [first, ownPid] = (await readFile(logFile, 'utf8')).trim().split('\n');
  t.is(first, 'to-log');
  t.is(Number(ownPid), watched.pid);
});
