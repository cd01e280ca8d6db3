import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOncePerMachine } from '../src/run-once-per-machine.js';
import { waitFor } from '../src/wait-for.js';

const fixture = new URL('fixtures/run-once-per-machine-child.ts', import.meta.url).pathname;

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-testkit-once-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('runs the work once when several processes ask at the same time', async (t) => {
  const dir = await tempDir(t);
  const children = Array.from({ length: 3 }, () =>
    spawn(process.execPath, [...process.execArgv, fixture, dir], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const outputs = children.map((child) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return () => output;
  });
  const exits = children.map((child) => new Promise<number | null>((resolve) => child.on('exit', resolve)));
  // Hold the work (the child that got the lock waits for "release") until every child has asked.
  await waitFor(() => outputs.every((output) => output().includes('asking')) && existsSync(join(dir, 'lock')), {
    timeoutMs: 20_000,
    message: 'children did not all ask while the lock was held',
  });
  await writeFile(join(dir, 'release'), '');
  t.deepEqual(await Promise.all(exits), [0, 0, 0]);
  t.is(await readFile(join(dir, 'runs'), 'utf8'), 'run\n');
});

test('takes over a lock whose owner died', async (t) => {
  const dir = await tempDir(t);
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => dead.on('exit', resolve));
  await writeFile(join(dir, 'lock'), String(dead.pid));
  let runs = 0;
  let done = false;
  await runOncePerMachine({
    isDone: () => done,
    run: async () => {
      runs++;
      done = true;
    },
    lockFile: join(dir, 'lock'),
    waitTimeoutMs: 10_000,
  });
  t.is(runs, 1);
  t.false(existsSync(join(dir, 'lock')));
});

test('skips the work when it is already done', async (t) => {
  const dir = await tempDir(t);
  let runs = 0;
  await runOncePerMachine({ isDone: () => true, run: async () => void runs++, lockFile: join(dir, 'lock') });
  t.is(runs, 0);
});
