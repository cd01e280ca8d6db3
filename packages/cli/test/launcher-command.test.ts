import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import { files } from './helpers.js';
import { staticRackConfig } from './helpers/static-rack-config.js';

const zk = useZooKeeper(test);
const bin = fileURLToPath(new URL('../src/bin/nodepool-launcher.ts', import.meta.url));

const config = (chroot: string): string => staticRackConfig(zk(), chroot, { connectionPort: 1 });

function launch(args: string[]) {
  return spawn(process.execPath, ['--import=tsx', '--conditions=source', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

test('nodepool-launcher serves in the foreground, writes its pid file, and SIGTERM stops it cleanly', async (t) => {
  const chroot = `/launcher-${Date.now()}`;
  const paths = await files(t, { 'nodepool.yaml': config(chroot) });
  const pidfile = `${paths['nodepool.yaml']}.pid`;
  const child = launch(['-c', paths['nodepool.yaml']!, '-p', pidfile, '-f', '--no-webapp']);
  t.teardown(() => child.kill('SIGKILL'));
  const observer = new ZooKeeperClient({ servers: `${zk().connectString}${chroot}` });
  t.teardown(() => observer.close());
  await observer.connect();
  const registered = async (kind: string) => (await observer.getChildren(`/nodepool/components/${kind}`).catch(() => ({ children: [] }))).children.length;
  await waitFor(async () => (await registered('launcher')) === 1 && (await registered('pool')) === 1, { timeoutMs: 30_000 });
  await waitFor(() => access(pidfile).then(() => true), { timeoutMs: 5_000 });
  // The static host is registered as a ready node.
  await waitFor(async () => (await observer.getChildren('/nodepool/nodes')).children.length === 1, { timeoutMs: 10_000 });

  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number];
  t.is(code, 0);
  t.is(await registered('launcher'), 0, 'its components are gone at once');
  t.is(await registered('pool'), 0);
  await t.throwsAsync(access(pidfile), undefined, 'the pid file is removed');
});

test('an invalid configuration stops nodepool-launcher at start with every problem listed', async (t) => {
  const paths = await files(t, { 'nodepool.yaml': `${config('/x')}\nmax-hold-age: forever\n` });
  await writeFile(paths['nodepool.yaml']!, `${config('/x')}\nmax-hold-age: forever\n`);
  const child = launch(['-c', paths['nodepool.yaml']!, '-f']);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  t.is(code, 1);
  t.regex(stderr, /nodepool\.yaml:\d+ max-hold-age: expected an integer, got the string "forever"/);
  t.regex(stderr, /the configuration is not valid/);
});

test('--version prints the version as the original does', async (t) => {
  const child = launch(['--version']);
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  await once(child, 'exit');
  t.regex(stdout.trim(), /^Nodepool version: \d+\.\d+\.\d+$/);
});
