/** `nodepool-fake-ibmvpc`: options, its banner, a credentials file that works, and a clean stop. */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { FAKE_IBM_API_KEY, fakeIbmVpcControl } from '@nodepool/driver-ibmvpc/testing';

const bin = fileURLToPath(new URL('../../src/bin/nodepool-fake-ibmvpc.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import=tsx', '--conditions=source', bin, ...args], { encoding: 'utf8' });

test('--help prints the usage; bad options exit 2 with the reason', (t) => {
  const help = run('--help');
  t.is(help.status, 0);
  t.regex(help.stdout, /Usage: nodepool-fake-ibmvpc --port N/);
  const bad = run('--port', '0', '--boot-delay-ms', 'soon');
  t.is(bad.status, 2);
  t.regex(bad.stderr, /--boot-delay-ms must be a number >= 0, not "soon"/);
  t.is(run().status, 2, '--port is required');
  t.is(run('--port', '0', '--no-such-flag').status, 2);
});

test('it serves until SIGTERM, printing a credentials file; its control API and IAM answer', async (t) => {
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', bin, '--port', '0', '--boot-delay-ms', '5', '--api-key', 'second-key'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  while (!/Press Ctrl-C/.test(out)) await once(child.stdout!, 'data');
  const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
  t.regex(out, /VPC_AUTH_TYPE=iam/);
  t.regex(out, new RegExp(`VPC_URL=${url}/v1`));
  t.regex(out, /Cloud Object Storage on http:\/\/127\.0\.0\.1:\d+/);
  const control = fakeIbmVpcControl(url);
  t.like(await control.settings(), { bootDelayMs: 5, region: 'us-south' });
  t.regex(await control.credentialsFile(), new RegExp(`VPC_APIKEY=${FAKE_IBM_API_KEY}`));
  const token = await fetch(`${url}/identity/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: 'second-key' }) });
  t.is(token.status, 200, 'an --api-key is accepted');
  t.like(await control.calls(), { 'iam.POST.token': 1 });
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number];
  t.is(code, 0);
});
