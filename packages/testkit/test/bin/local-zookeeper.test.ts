import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fourLetterWord } from '../../src/four-letter-word.js';
import { waitFor } from '../../src/wait-for.js';

const command = new URL('../../src/bin/local-zookeeper.ts', import.meta.url).pathname;

test('serves until SIGINT, prints the Nodepool configuration, and keeps a --data-dir', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nodepool-testkit-bin-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [...process.execArgv, command, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => output.includes('Press Ctrl-C to stop.'), { timeoutMs: 30_000, message: 'no start-up message' });

  const port = Number(/^ {4}port: (\d+)$/m.exec(output)?.[1]);
  t.regex(output, new RegExp(`^zookeeper-servers:\\n  - host: 127\\.0\\.0\\.1\\n    port: ${port}$`, 'm'));
  t.regex(output, new RegExp(`serving on 127\\.0\\.0\\.1:${port}`));
  t.false(output.includes('zookeeper-tls:'));
  t.is(await fourLetterWord(port, 'ruok'), 'imok');

  child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number | null];
  t.is(code, 0);
  await t.throwsAsync(fourLetterWord(port, 'ruok'), { code: 'ECONNREFUSED' });
  t.true(existsSync(join(dataDir, 'version-2')));
});

test('rejects an unknown option with the usage', async (t) => {
  const child = spawn(process.execPath, [...process.execArgv, command, '--colour'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  t.is(code, 2);
  t.regex(errors, /Unknown option '--colour'/);
  t.regex(errors, /Usage: nodepool-local-zookeeper/);
});
