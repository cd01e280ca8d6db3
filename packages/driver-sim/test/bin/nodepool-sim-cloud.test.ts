import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@nodepool/testkit';
import { api } from '../helpers.js';

const bin = fileURLToPath(new URL('../../src/bin/nodepool-sim-cloud.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { child, output };
}

test('runs the cloud in the foreground with the given settings until SIGTERM', async (t) => {
  const { child, output } = run(['--port', '0', '--boot-delay-ms', '250', '--max-instances', '2', '--rate-limit', '100', '--zones', 'east,west']);
  t.teardown(() => child.kill('SIGKILL'));
  const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output.stdout)?.[1], { timeoutMs: 20_000, message: 'no URL printed' });
  t.regex(output.stdout, /a simulated cloud \(a simulator for tests and demos, not a cloud\)/);
  t.regex(output.stdout, /driver: sim\n {4}endpoint: http:\/\/127\.0\.0\.1:\d+/);
  t.like((await api(url, 'GET', '/_sim/config')).body, { bootDelayMs: 250, maxInstances: 2, rateLimit: 100, zones: ['east', 'west'] });
  const created = await api(url, 'POST', '/instances', { name: 'x', flavor: 'small' });
  t.like(created.body.instance, { status: 'building', az: 'east' });

  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.is(code, 0);
});

test('refuses bad arguments with the usage', async (t) => {
  const { child, output } = run(['--port', '0', '--failure-rate', 'lots']);
  const [code] = await once(child, 'exit');
  t.is(code, 2);
  t.regex(output.stderr, /--failure-rate must be a number from 0 to 1, not "lots"/);
  t.regex(output.stderr, /Usage: nodepool-sim-cloud --port N/);
});

test('requires a port', async (t) => {
  const { child, output } = run([]);
  const [code] = await once(child, 'exit');
  t.is(code, 2);
  t.regex(output.stderr, /--port is required/);
});
