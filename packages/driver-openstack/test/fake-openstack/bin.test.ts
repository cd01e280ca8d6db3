import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { fakeOpenStackControl } from '@nodepool/driver-openstack/testing';
import { waitFor } from '@nodepool/testkit';

const bin = fileURLToPath(new URL('../../src/bin/nodepool-fake-openstack.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { child, output };
}

test('runs a fake OpenStack in the foreground with the given settings, prints a clouds.yaml, and stops on SIGTERM', async (t) => {
  const { child, output } = run(['--port', '0', '--zone', 'az1', '--zone', 'az2', '--boot-delay-ms', '60000', '--floating-address', '127.0.0.1', '--quota', 'cores=8', '--quota', 'ram=-1']);
  t.teardown(() => child.kill('SIGKILL'));
  const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output.stdout)?.[1], { timeoutMs: 20_000, message: 'no URL printed' });
  t.regex(output.stdout, /a fake OpenStack \(Keystone v3, Nova, Neutron, Glance v2, Cinder v3\) for tests and demos, not OpenStack/);
  t.regex(output.stdout, new RegExp(`auth_url: ${url}/identity`));
  const control = fakeOpenStackControl(url);
  t.like(await control.settings(), { zones: ['az1', 'az2'], bootDelayMs: 60_000, floatingAddress: '127.0.0.1', quotas: { cores: 8, ram: -1 } });
  const clouds = await (await fetch(`${url}/_fake/clouds.yaml`)).text();
  t.regex(clouds, /clouds:\n {2}fake:\n {4}auth_type: password/);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.is(code, 0);
});

test('refuses bad arguments with the usage', async (t) => {
  const { child, output } = run(['--port', '0', '--quota', 'lots']);
  const [code] = await once(child, 'exit');
  t.is(code, 2);
  t.regex(output.stderr, /--quota must look like cores=64/);
  t.regex(output.stderr, /Usage: nodepool-fake-openstack --port N/);
});

test('requires a port', async (t) => {
  const { child, output } = run([]);
  const [code] = await once(child, 'exit');
  t.is(code, 2);
  t.regex(output.stderr, /--port is required/);
});
