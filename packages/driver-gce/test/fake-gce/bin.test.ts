/** `nodepool-fake-gce`: options, its banner, credentials that work, and a clean stop. */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { fakeGceControl } from '@nodepool/driver-gce/testing';

const bin = fileURLToPath(new URL('../../src/bin/nodepool-fake-gce.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import=tsx', '--conditions=source', bin, ...args], { encoding: 'utf8' });

test('--help prints the usage; bad options exit 2 with the reason', (t) => {
  const help = run('--help');
  t.is(help.status, 0);
  t.regex(help.stdout, /Usage: nodepool-fake-gce --port N/);
  const bad = run('--port', '0', '--quota', 'GPUS=3');
  t.is(bad.status, 2);
  t.regex(bad.stderr, /--quota must look like CPUS=24/);
  t.is(run().status, 2, '--port is required');
});

test('it serves until SIGTERM, printing how to use it; its control API and credentials answer', async (t) => {
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', bin, '--port', '0', '--quota', 'CPUS=8', '--boot-delay-ms', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  while (!/Press Ctrl-C/.test(out)) await once(child.stdout!, 'data');
  const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
  t.regex(out, /GOOGLE_APPLICATION_CREDENTIALS/);
  t.regex(out, new RegExp(`endpoint-url: ${url}`));
  const control = fakeGceControl(url);
  t.like(await control.settings(), { bootDelayMs: 5, quotas: { CPUS: 8 } });
  t.like(await control.credentials(), { type: 'external_account', token_url: `${url}/token` });
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number];
  t.is(code, 0);
});
