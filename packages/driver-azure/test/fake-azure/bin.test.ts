/** `nodepool-fake-azure`: options, its banner, the CA and credentials it writes, and a clean stop. */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../src/bin/nodepool-fake-azure.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import=tsx', '--conditions=source', bin, ...args], { encoding: 'utf8' });

test('--help prints the usage; bad options exit 2 with the reason', (t) => {
  const help = run('--help');
  t.is(help.status, 0);
  t.regex(help.stdout, /Usage: nodepool-fake-azure --port N/);
  const bad = run('--port', '0', '--quota', 'gpus=3');
  t.is(bad.status, 2);
  t.regex(bad.stderr, /--quota must look like cores=100/);
});

test('it serves HTTPS until SIGTERM, writing its CA and a credentials file that the banner names', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fake-azure-bin-'));
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', bin, '--port', '0', '--dir', dir, '--quota', 'cores=8'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  while (!/Press Ctrl-C/.test(out)) await once(child.stdout!, 'data');
  const url = /listening on (https:\/\/\S+)/.exec(out)![1]!;
  t.regex(out, new RegExp(`NODE_EXTRA_CA_CERTS=${join(dir, 'ca.pem')}`));
  const auth = JSON.parse(await readFile(join(dir, 'azure.json'), 'utf8')) as Record<string, string>;
  t.like(auth, { activeDirectoryEndpointUrl: url, resourceManagerEndpointUrl: `${url}/` });
  t.regex(await readFile(join(dir, 'ca.pem'), 'utf8'), /BEGIN CERTIFICATE/);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number];
  t.is(code, 0);
});
