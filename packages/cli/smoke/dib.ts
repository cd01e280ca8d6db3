/**
 * `npm run smoke -- dib`: a real diskimage-builder build through the built `nodepool-builder`.
 * It installs Debian's python3-diskimage-builder, qemu-utils, debootstrap and sudo if missing,
 * starts a local ZooKeeper and the simulated cloud, builds a minimal Debian image
 * (`debian-minimal`, qcow2) with the real `disk-image-create`, and waits until the builder has
 * uploaded it; then prints how long each step took. Needs root (DIB uses sudo, loop devices and
 * chroots) and the Debian mirror this machine's apt uses; nothing else from outside.
 *
 * The `vm` element (partition table and bootloader) is left out: it needs the kernel's
 * device-mapper (kpartx), which containers often lack. Pass `--vm` to add it where it works.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodepoolZooKeeper, type ImageUpload } from '@nodepool/core';
import { startSimCloud } from '@nodepool/driver-sim/cloud';
import { ensureDebianPackage, startZooKeeper, waitFor } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';

const BUILDER = fileURLToPath(new URL('../dist/bin/nodepool-builder.js', import.meta.url));
const withVm = process.argv.includes('--vm');
const keep = process.argv.includes('--keep');

/** The Debian mirrors of this machine's apt sources (deb822 or one-line), so nothing else is named here. */
async function aptMirrors(): Promise<{ main: string; security: string | undefined }> {
  const texts = await Promise.all(
    ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'].map((file) => readFile(file, 'utf8').catch(() => '')),
  );
  const uris = texts
    .join('\n')
    .split('\n')
    .flatMap((line) => {
      const deb822 = /^URIs:\s*(\S+)/.exec(line);
      if (deb822) return [deb822[1]!];
      const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line);
      return oneLine ? [oneLine[1]!] : [];
    });
  const main = uris.find((uri) => !uri.includes('security'));
  if (!main) throw new Error('no Debian mirror found in this machine\'s apt sources');
  return { main, security: uris.find((uri) => uri.includes('security')) };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error('smoke dib: run as root (diskimage-builder uses sudo, loop devices and chroots)');
    return 1;
  }
  const started = Date.now();
  for (const [pkg, file] of [
    ['python3-diskimage-builder', '/usr/bin/disk-image-create'],
    ['qemu-utils', '/usr/bin/qemu-img'],
    ['debootstrap', '/usr/sbin/debootstrap'],
    ['sudo', '/usr/bin/sudo'],
    ['kpartx', '/sbin/kpartx'],
  ] as const) {
    await ensureDebianPackage(pkg, file);
  }
  const mirrors = await aptMirrors();
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-smoke-dib-'));
  const zk = await startZooKeeper();
  const cloud = await startSimCloud();
  const envVars = [
    `      DIB_DISTRIBUTION_MIRROR: ${mirrors.main}`,
    // bookworm's security suite is <release>-security, which DIB's default does not know.
    ...(mirrors.security ? [`      DIB_DEBIAN_SECURITY_MIRROR: ${mirrors.security}`, '      DIB_DEBIAN_SECURITY_SUBPATH: -security'] : []),
  ].join('\n');
  const config = join(dir, 'nodepool.yaml');
  await writeFile(
    config,
    `zookeeper-servers:
  - host: ${zk.host}
    port: ${zk.port}
images-dir: ${join(dir, 'images')}
build-log-dir: ${join(dir, 'logs')}
diskimages:
  - name: debian-bookworm
    elements: [debian-minimal${withVm ? ', vm' : ''}]
    release: bookworm
    build-timeout: 3600
    env-vars:
${envVars}
providers:
  - name: sim
    driver: sim
    endpoint: ${cloud.url}
    image-format: qcow2
    diskimages:
      - name: debian-bookworm
    pools: []
`,
  );
  const builder = spawn(process.execPath, [BUILDER, '-c', config, '-f'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODEPOOL_BUILDER_INTERVALS: '1000,1000,5000' },
  });
  let stderr = '';
  builder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new ZooKeeperClient({ servers: zk.connectString, sessionTimeoutMs: 10_000 });
  await client.connect();
  const store = new NodepoolZooKeeper(client);
  let code = 1;
  try {
    const buildStart = Date.now();
    const ready = async (): Promise<ImageUpload | undefined> => {
      for (const buildId of await store.getBuildIds('debian-bookworm')) {
        const build = await store.getBuild('debian-bookworm', buildId);
        if (build?.state === 'failed') throw new Error(`the build failed: see ${join(dir, 'logs', `debian-bookworm-${buildId}.log`)}`);
        for (const id of await store.getUploadIds('debian-bookworm', buildId, 'sim')) {
          const upload = await store.getUpload('debian-bookworm', buildId, 'sim', id);
          if (upload?.state === 'ready') return upload;
          if (upload?.state === 'failed') throw new Error('the upload failed');
        }
      }
      return undefined;
    };
    const failed = once(builder, 'exit').then(([exitCode]) => {
      throw new Error(`nodepool-builder exited (${String(exitCode)})`);
    });
    const upload = await Promise.race([waitFor(ready, { timeoutMs: 45 * 60_000, intervalMs: 1_000, message: 'no upload within 45 minutes' }), failed]);
    const build = (await store.getBuild('debian-bookworm', upload.buildId))!;
    const file = join(dir, 'images', `debian-bookworm-${upload.buildId}.qcow2`);
    const size = (await stat(file)).size;
    const image = cloud.images().find((candidate) => candidate.id === upload.externalId)!;
    const md5 = (await readFile(`${file}.md5`, 'utf8')).slice(0, 32);
    const buildSeconds = build.stateTime - (await client.exists(`/nodepool/images/debian-bookworm/builds/${upload.buildId}`))!.ctime / 1000;
    console.log(`real disk-image-create build of debian-minimal (bookworm${withVm ? ', vm' : ''}, qcow2): ${buildSeconds.toFixed(1)} s`);
    console.log(`  image ${(size / 2 ** 20).toFixed(0)} MiB; uploaded to the sim cloud as ${image.id} (${image.status}), checksums ${image.md5 === md5 ? 'match' : 'DIFFER'}`);
    console.log(`  build to ready upload: ${seconds(Date.now() - buildStart)}; whole smoke run (installs included): ${seconds(Date.now() - started)}`);
    code = image.md5 === md5 ? 0 : 1;
  } catch (error) {
    console.error(`smoke dib: ${error instanceof Error ? error.message : String(error)}`);
    console.error(stderr.split('\n').slice(-40).join('\n'));
  } finally {
    builder.kill('SIGTERM');
    await once(builder, 'exit').catch(() => undefined);
    await client.close();
    await cloud.stop();
    await zk.destroy();
    if (keep) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
  return code;
}

process.exitCode = await main();
