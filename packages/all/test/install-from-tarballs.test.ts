import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import { installFromTarballs, packWorkspaces, repositoryRoot } from './helpers/offline-install.js';

/*
 * An operator's install, from the packages as npm would publish them: the CLI with only the
 * static driver, then the aws driver added. Steps run in order in one folder.
 */

const zk = useZooKeeper(test);
const run = promisify(execFile);
const DRIVERS = ['aws', 'azure', 'gce', 'ibmvpc', 'k8s', 'metastatic', 'openstack', 'sim', 'static'].map((name) => `@nodepool/driver-${name}`);
const PACKED = ['@nodepool/all', '@nodepool/cli', '@nodepool/core', '@nodepool/zookeeper', '@nodepool/zuul-client', ...DRIVERS];

let work: string;
let project: string;
let tarballs: Map<string, string>;

test.before(async (t) => {
  // Building is quick when nothing changed; a fresh checkout needs it (npm pack ships dist/).
  t.timeout(10 * 60_000, 'building the packages');
  await run(process.execPath, ['--import=tsx', join(repositoryRoot, 'scripts', 'build.ts')], { cwd: repositoryRoot });
  work = await mkdtemp(join(tmpdir(), 'nodepool-install-'));
  await mkdir(join(work, 'packs'));
  project = join(work, 'operator');
  await mkdir(project);
  tarballs = await packWorkspaces(PACKED, join(work, 'packs'));
});

test.after.always(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A command installed in the operator's folder, run from there, as a shell would (no tsx, no source condition). */
function installed(command: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return installedIn(project, command, ...args);
}

async function installedIn(folder: string, command: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { NODEPOOL_LOG_LEVEL: _level, NODE_OPTIONS: _options, ...env } = process.env;
  try {
    const { stdout, stderr } = await run(join(folder, 'node_modules', '.bin', command), args, { cwd: folder, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failure.code !== 'number') throw error;
    return { code: failure.code, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

const staticConfig = (chroot: string) => `zookeeper-servers:
  - host: ${zk().host}
    port: ${zk().port}
    chroot: ${chroot}
labels:
  - name: rack
providers:
  - name: rack
    driver: static
    pools:
      - name: main
        nodes:
          - name: 127.0.0.1
            labels: rack
            connection-port: 1
            host-key-checking: false
`;

const awsConfig = `zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: debian
providers:
  - name: ec2-us-west-2
    driver: aws
    region-name: us-west-2
    cloud-images:
      - name: debian
        image-id: ami-09c308526d9534717
        username: admin
    pools:
      - name: main
        max-servers: 5
        subnet-id: subnet-0123456789abcdef0
        labels:
          - name: debian
            cloud-image: debian
            instance-type: t3.medium
            key-name: zuul
`;

test.serial('the CLI installs with only the static driver: no other driver, no test helpers', async (t) => {
  t.timeout(5 * 60_000, 'installing');
  await installFromTarballs(project, ['@nodepool/cli', '@nodepool/driver-static'], tarballs);
  t.deepEqual((await readdir(join(project, 'node_modules', '@nodepool'))).sort(), ['cli', 'core', 'driver-static', 'zookeeper', 'zuul-client']);
  t.regex((await installed('nodepool', '--version')).stdout, /^Nodepool version: 0\.1\.0$/m);
});

test.serial('a static configuration is valid', async (t) => {
  await writeFile(join(project, 'static.yaml'), staticConfig('/unused'));
  const result = await installed('nodepool', '-c', 'static.yaml', 'config-validate');
  t.is(result.code, 0, result.stdout + result.stderr);
  t.is(result.stdout, '');
  t.is(result.stderr, 'static.yaml: the configuration is valid\n');
});

test.serial('an aws configuration says which package to install, and that the configuration is not valid', async (t) => {
  await writeFile(join(project, 'aws.yaml'), awsConfig);
  const result = await installed('nodepool', '-c', 'aws.yaml', 'config-validate');
  t.is(result.code, 1);
  t.is(result.stdout, 'aws.yaml:7 providers[0].driver: Driver "aws" could not be found. Drivers found: static. Install it with: npm install @nodepool/driver-aws\n');
  t.is(result.stderr, 'aws.yaml: 1 error; the configuration is not valid\n');
});

test.serial('nodepool-launcher refuses the aws configuration at start with the same line', async (t) => {
  const result = await installed('nodepool-launcher', '-c', 'aws.yaml', '-f', '--no-webapp');
  t.is(result.code, 1);
  t.regex(result.stderr, /^\S*aws\.yaml:7 providers\[0\]\.driver: Driver "aws" could not be found\. Drivers found: static\. Install it with: npm install @nodepool\/driver-aws$/m);
  t.regex(result.stderr, /^nodepool-launcher: the configuration is not valid$/m);
});

test.serial('once the aws driver is installed, the aws configuration is valid', async (t) => {
  t.timeout(5 * 60_000, 'installing');
  await installFromTarballs(project, ['@nodepool/cli', '@nodepool/driver-static', '@nodepool/driver-aws'], tarballs);
  const result = await installed('nodepool', '-c', 'aws.yaml', 'config-validate');
  t.is(result.code, 0, result.stdout + result.stderr);
  t.is(result.stderr, 'aws.yaml: the configuration is valid\n');
  t.deepEqual((await readdir(join(project, 'node_modules', '@nodepool'))).sort(), ['cli', 'core', 'driver-aws', 'driver-static', 'zookeeper', 'zuul-client']);
});

test.serial('the installed nodepool-launcher registers with ZooKeeper and serves the static node', async (t) => {
  const chroot = `/install-${randomUUID()}`;
  await writeFile(join(project, 'nodepool.yaml'), staticConfig(chroot));
  const { NODEPOOL_LOG_LEVEL: _level, NODE_OPTIONS: _options, ...env } = process.env;
  const launcher = spawn(join(project, 'node_modules', '.bin', 'nodepool-launcher'), ['-c', 'nodepool.yaml', '-f', '--no-webapp'], { cwd: project, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  launcher.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(launcher, 'exit');
  t.teardown(() => launcher.kill('SIGKILL'));

  const observer = new ZooKeeperClient({ servers: `${zk().connectString}${chroot}` });
  t.teardown(() => observer.close());
  await observer.connect();
  const registered = async (kind: string) => (await observer.getChildren(`/nodepool/components/${kind}`).catch(() => ({ children: [] }))).children.length;
  await waitFor(async () => (await registered('launcher')) === 1 && (await registered('pool')) === 1, { timeoutMs: 60_000, message: 'the launcher did not register' }).catch((error: Error) => {
    throw new Error(`${error.message}; its log:\n${stderr}`);
  });
  await waitFor(async () => (await observer.getChildren('/nodepool/nodes').catch(() => ({ children: [] }))).children.length === 1, { timeoutMs: 30_000, message: 'no static node' });
  t.regex(stderr, /loaded driver \{"driver":"static","package":"@nodepool\/driver-static"/);

  launcher.kill('SIGTERM');
  const [code] = (await exited) as [number];
  t.is(code, 0, stderr);
  t.is(await registered('launcher'), 0, 'it unregistered on the way out');
});

test.serial('@nodepool/all installs the commands and every driver', async (t) => {
  t.timeout(5 * 60_000, 'installing');
  const folder = join(work, 'everything');
  await mkdir(folder);
  await installFromTarballs(folder, ['@nodepool/all'], tarballs);
  await writeFile(join(folder, 'nodepool.yaml'), 'providers:\n  - name: elsewhere\n    driver: nimbus\n');
  const result = await installedIn(folder, 'nodepool', '-c', 'nodepool.yaml', 'config-validate');
  t.is(result.code, 1);
  t.regex(result.stdout, /Drivers found: aws, azure, fake, gce, ibmvpc, kubernetes, metastatic, openshift, openshiftpods, openstack, sim, static\./);
  t.regex((await installedIn(folder, 'nodepool-launcher', '--version')).stdout, /^Nodepool version: 0\.1\.0$/m);
});
