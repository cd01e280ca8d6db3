import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { NodepoolZooKeeper, type ImageBuild, type ImageUpload } from '@nodepool/core';
import type { LocalZooKeeper } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';

export const BUILDER_BIN = fileURLToPath(new URL('../../src/bin/nodepool-builder.ts', import.meta.url));
/** The stand-in disk-image-create of core's builder tests. */
export const FAKE_DIB = fileURLToPath(new URL('../../../core/test/builder/fixtures/fake-disk-image-create', import.meta.url));

/** A test's own chroot, directories and configuration file, and builder processes on them. */
export interface Harness {
  dir: string;
  chroot: string;
  configFile: string;
  imagesDir: string;
  logDir: string;
  /** `zookeeper-servers` (this chroot), `images-dir` and `build-log-dir`, then `body`. */
  writeConfig(body: string): Promise<void>;
  /** Spawns `nodepool-builder -c <config> -f` (fast worker intervals); killed when the test ends. */
  spawnBuilder(args?: string[]): BuilderProcess;
  zk(): Promise<NodepoolZooKeeper>;
  /** A file the stand-in DIB waits for (`FAKE_DIB_HOLD`). */
  hold(name: string): { path: string; started: () => Promise<boolean>; release: () => Promise<void> };
}

export interface BuilderProcess {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

export async function harness(t: ExecutionContext, zk: LocalZooKeeper): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-builder-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const chroot = `/nb-${randomUUID()}`;
  const imagesDir = join(dir, 'images');
  const logDir = join(dir, 'logs');
  await mkdir(imagesDir);
  const configFile = join(dir, 'nodepool.yaml');
  const clients: ZooKeeperClient[] = [];
  t.teardown(async () => {
    for (const client of clients) await client.close();
  });
  return {
    dir,
    chroot,
    configFile,
    imagesDir,
    logDir,
    async writeConfig(body) {
      await writeFile(configFile, `zookeeper-servers:\n  - host: ${zk.host}\n    port: ${zk.port}\n    chroot: ${chroot}\nimages-dir: ${imagesDir}\nbuild-log-dir: ${logDir}\n${body}`);
    },
    spawnBuilder(args = []) {
      const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', BUILDER_BIN, '-c', configFile, '-f', ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, NODEPOOL_BUILDER_INTERVALS: '200,200,300' },
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = once(child, 'exit').then(([code]) => code as number | null);
      t.teardown(async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      });
      return { child, stderr: () => stderr, exited };
    },
    async zk() {
      const client = new ZooKeeperClient({ servers: zk.connectString, chroot, sessionTimeoutMs: 10_000 });
      clients.push(client);
      await client.connect();
      await client.mkdirp('/');
      return new NodepoolZooKeeper(client);
    },
    hold(name) {
      const path = join(dir, `hold-${name}`);
      return {
        path,
        started: () => readFile(`${path}.started`).then(() => true, () => false),
        release: () => writeFile(path, ''),
      };
    },
  };
}

export async function builds(store: NodepoolZooKeeper, image: string): Promise<ImageBuild[]> {
  const all = await Promise.all((await store.getBuildIds(image)).map((id) => store.getBuild(image, id)));
  return all.filter((build): build is ImageBuild => build !== undefined).sort((a, b) => a.stateTime - b.stateTime);
}

export async function uploads(store: NodepoolZooKeeper, image: string, provider: string): Promise<ImageUpload[]> {
  const found: ImageUpload[] = [];
  for (const build of await store.getBuildIds(image)) {
    for (const id of await store.getUploadIds(image, build, provider)) {
      const upload = await store.getUpload(image, build, provider, id);
      if (upload) found.push(upload);
    }
  }
  return found.sort((a, b) => a.stateTime - b.stateTime);
}

/** A diskimage entry built by the stand-in DIB. */
export function diskimage(name: string, extra = ''): string {
  return `  - name: ${name}\n    dib-cmd: ${FAKE_DIB}\n    elements: [debian-minimal, vm]\n    release: bookworm\n${extra}`;
}
