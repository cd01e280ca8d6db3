import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import {
  Builder,
  commonPoolKeys,
  DriverRegistry,
  NodepoolZooKeeper,
  schema as s,
  type BuilderOptions,
  type ConfigLabel,
  type ConfigPool,
  type Driver,
  type ImageUploadOptions,
  type Provider,
  type ProviderConfig,
} from '@nodepool/core';
import type { LocalZooKeeper } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';

export const FAKE_DIB = fileURLToPath(new URL('./fixtures/fake-disk-image-create', import.meta.url));

/** An image the test cloud holds: what the builder uploaded. */
export interface CloudImage {
  id: string;
  name: string;
  format: string;
  metadata: Record<string, string>;
  md5: string | undefined;
  sha256: string | undefined;
  bytes: number;
}

/** The in-memory cloud behind the `imagecloud` test driver, shared by its providers. */
export class ImageCloud {
  readonly images = new Map<string, CloudImage>();
  readonly deleted: string[] = [];
  private serial = 0;
  private failures = 0;

  /** The next `count` uploads fail. */
  failNextUploads(count: number): void {
    this.failures += count;
  }

  async upload(provider: string, options: ImageUploadOptions): Promise<string> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('the test cloud refused the upload');
    }
    const data = await readFile(options.filename);
    const id = `${provider}-img-${++this.serial}`;
    this.images.set(id, { id, name: options.imageName, format: options.imageFormat, metadata: { ...options.metadata }, md5: options.md5, sha256: options.sha256, bytes: data.length });
    return id;
  }

  async delete(id: string): Promise<void> {
    this.images.delete(id);
    this.deleted.push(id);
  }
}

type Entry = Readonly<Record<string, unknown>>;

/** A driver whose providers take uploads into an `ImageCloud` (no launches). */
export function imageDriver(cloud: ImageCloud): Driver {
  return {
    name: 'imagecloud',
    providerSchema: s.mapping({
      pools: s.list(s.mapping({ ...commonPoolKeys, name: s.required(s.str), labels: s.list(s.mapping({ name: s.required(s.str), diskimage: s.str })) })),
      diskimages: s.list(s.mapping({ name: s.required(s.str), pause: s.bool, meta: s.anyMapping })),
      'image-format': s.str,
      'post-upload-hook': s.str,
    }),
    parseConfig(entry: Entry): ProviderConfig {
      const pools = new Map<string, ConfigPool<ConfigLabel>>();
      for (const pool of (entry.pools as Entry[] | undefined) ?? []) {
        const labels = new Map<string, ConfigLabel>();
        for (const label of (pool.labels as Entry[] | undefined) ?? []) labels.set(label.name as string, { name: label.name as string, diskimage: label.diskimage as string | undefined });
        pools.set(pool.name as string, { name: pool.name as string, maxServers: Infinity, nodeAttributes: null, priority: undefined, labels });
      }
      const entries = (entry.diskimages as Entry[] | undefined) ?? [];
      const diskimageSettings = new Map(entries.map((image) => [image.name as string, { name: image.name as string, pause: image.pause === true, meta: (image.meta as Record<string, unknown> | undefined) ?? {} }]));
      return {
        name: entry.name as string,
        driver: 'imagecloud',
        maxConcurrency: -1,
        priority: undefined,
        pools,
        manageImages: entries.length > 0,
        diskimages: [...diskimageSettings.keys()],
        raw: entry,
        imageFormat: (entry['image-format'] as string | undefined) ?? 'qcow2',
        postUploadHook: (entry['post-upload-hook'] as string | undefined) ?? null,
        diskimageSettings,
      } as ProviderConfig;
    },
    createProvider: (config: ProviderConfig): Provider => ({
      name: config.name,
      start: async () => undefined,
      stop: async () => undefined,
      getRequestHandler: () => {
        throw new Error('the image cloud launches nothing');
      },
      cleanupNode: async () => undefined,
      cleanupLeakedResources: async () => undefined,
      uploadImage: (options) => cloud.upload(config.name, options),
      deleteImage: (id) => cloud.delete(id),
    }),
  };
}

export interface BuilderSandbox {
  dir: string;
  imagesDir: string;
  logDir: string;
  configFile: string;
  cloud: ImageCloud;
  /** Writes nodepool.yaml: this sandbox's ZooKeeper and directories, then `body`. */
  writeConfig(body: string): Promise<void>;
  /** Starts a builder (stopped when the test ends); `imagesDir` for a second builder's own disk. */
  builder(options?: Partial<BuilderOptions> & { imagesDir?: string; configFile?: string }): Promise<Builder>;
  /** The image records, read as a peer. */
  zk(): Promise<NodepoolZooKeeper>;
  /** A file the stand-in DIB waits for (`FAKE_DIB_HOLD`); `release()` creates it. */
  hold(name: string): { path: string; started: () => Promise<boolean>; release: () => Promise<void> };
}

/** Fast intervals: the tests wait for conditions, never for these. */
export const FAST = { buildIntervalMs: 100, uploadIntervalMs: 100, cleanupIntervalMs: 200 };

export async function builderSandbox(t: ExecutionContext, zk: LocalZooKeeper): Promise<BuilderSandbox> {
  const chroot = `/b-${randomUUID()}`;
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-builder-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const imagesDir = join(dir, 'images');
  const logDir = join(dir, 'logs');
  await mkdir(imagesDir);
  const configFile = join(dir, 'nodepool.yaml');
  const cloud = new ImageCloud();
  const header = (images: string) =>
    `zookeeper-servers:\n  - host: ${zk.host}\n    port: ${zk.port}\n    chroot: ${chroot}\nimages-dir: ${images}\nbuild-log-dir: ${logDir}\n`;
  let body = '';
  const clients: ZooKeeperClient[] = [];
  t.teardown(async () => {
    for (const client of clients) await client.close();
  });
  return {
    dir,
    imagesDir,
    logDir,
    configFile,
    cloud,
    async writeConfig(text) {
      body = text;
      await writeFile(configFile, header(imagesDir) + text);
    },
    async builder(options = {}) {
      let file = options.configFile ?? configFile;
      if (options.imagesDir) {
        await mkdir(options.imagesDir, { recursive: true });
        file = join(dir, `nodepool-${randomUUID()}.yaml`);
        await writeFile(file, header(options.imagesDir) + body);
      }
      const builder = new Builder({
        configFile: file,
        drivers: DriverRegistry.of(imageDriver(cloud)),
        hostname: 'nb-test',
        timings: FAST,
        env: { PATH: process.env.PATH },
        ...options,
      });
      let stopped = false;
      const stop = builder.stop.bind(builder);
      builder.stop = async () => {
        if (stopped) return;
        stopped = true;
        await stop();
      };
      t.teardown(() => builder.stop());
      await builder.start();
      return builder;
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
        started: async () => readFile(`${path}.started`).then(() => true, () => false),
        release: () => writeFile(path, ''),
      };
    },
  };
}

/** A diskimage entry run by the stand-in DIB. */
export function diskimage(name: string, extra = ''): string {
  return `  - name: ${name}\n    dib-cmd: ${FAKE_DIB}\n    elements: [debian-minimal, vm]\n    release: bookworm\n${extra}`;
}
