import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiskImageConfig } from '../config/nodepool-config.js';
import { Periodic } from '../launcher/periodic.js';
import type { Logger } from '../log.js';
import { ImageBuild } from '../zk/image-records.js';
import type { BuilderContext } from './builder-context.js';
import { buildLogPath, pruneBuildLogs } from './build-log.js';
import { deleteLocalBuild } from './dib-image-file.js';
import { dibCommand } from './dib-command.js';
import { diskimageFormats } from './provider-images.js';
import { runDib } from './run-dib.js';

const MODULE_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * Builds diskimages (the original's BuildWorker): every pass, each diskimage not paused is
 * built when it has no ready build, when its newest ready build is older than `rebuild-age` or
 * lacks a format now asked for, and when `nodepool image-build` asked for it. The image build
 * lock, held for the whole build, keeps any other builder (ours or the original) from building
 * the same image at once.
 */
export class BuildWorker {
  private readonly log: Logger;
  private readonly periodic: Periodic;

  constructor(
    private readonly context: BuilderContext,
    readonly name: string,
    intervalMs: number,
  ) {
    this.log = context.log.child({ logger: `nodepool.builder.BuildWorker.${name}` });
    this.periodic = new Periodic(intervalMs, () => this.pass(), (error) => this.log.error('build pass failed', { error: String(error) }));
  }

  start(): void {
    this.periodic.start();
  }

  /** Runs a pass soon (after a configuration change, say). */
  wake(): void {
    this.periodic.trigger();
  }

  /** Stops; a build in progress is killed and recorded as failed. */
  async stop(): Promise<void> {
    await this.periodic.stop();
  }

  /** One pass: scheduled builds first, then manual requests, as the original orders them. */
  async pass(): Promise<void> {
    for (const check of [this.checkScheduled, this.checkManual]) {
      for (const diskimage of this.context.config().diskimages.values()) {
        if (this.context.stopping.aborted) return;
        try {
          await check.call(this, diskimage);
        } catch (error) {
          this.log.error('checking a diskimage failed', { image: diskimage.name, error: String(error) });
        }
      }
    }
  }

  private async buildable(diskimage: DiskImageConfig): Promise<string[] | undefined> {
    if (diskimage.pause || (await this.context.store.isPaused(diskimage.name))) return undefined;
    const formats = diskimageFormats(this.context.config(), diskimage.name);
    // No format asked for by the diskimage or any provider: nothing to know what to make.
    return formats.length > 0 ? formats : undefined;
  }

  private async checkScheduled(diskimage: DiskImageConfig): Promise<void> {
    const formats = await this.buildable(diskimage);
    if (!formats) return;
    const { store } = this.context;
    const [newest] = await store.mostRecentBuilds(1, diskimage.name, 'ready');
    const due =
      !newest || this.context.now() - newest.stateTime >= diskimage.rebuildAge || !formats.every((format) => newest.formats.includes(format));
    if (!due) return;
    await store.withImageBuildLock(diskimage.name, async () => {
      // Another builder may have finished a build between the look above and the lock.
      const [again] = await store.mostRecentBuilds(1, diskimage.name, 'ready');
      if (again?.id !== newest?.id) return;
      this.log.info('building image', { image: diskimage.name, reason: newest ? 'due for a rebuild' : 'no ready build' });
      await this.buildAndRecord(diskimage, formats);
    });
  }

  private async checkManual(diskimage: DiskImageConfig): Promise<void> {
    const formats = await this.buildable(diskimage);
    if (!formats) return;
    const { store } = this.context;
    if (!(await store.hasBuildRequest(diskimage.name))) return;
    await store.withImageBuildLock(diskimage.name, async () => {
      if (!(await store.hasBuildRequest(diskimage.name))) return;
      this.log.info('manual build request for image', { image: diskimage.name });
      const build = await this.buildAndRecord(diskimage, formats);
      // A failed build leaves the request for the next pass.
      if (build.state === 'ready') await store.removeBuildRequest(diskimage.name);
    });
  }

  /**
   * Records a `building` build, runs the build and records its outcome (`ready` or `failed`).
   * The caller holds the image build lock.
   */
  async buildAndRecord(diskimage: DiskImageConfig, formats: readonly string[]): Promise<ImageBuild> {
    const { store, config } = this.context;
    const record = new ImageBuild();
    record.image = diskimage.name;
    record.builder = this.context.hostname;
    record.builderId = this.context.builderId;
    record.formats = [...formats];
    record.setState('building', this.context.now());
    await store.storeBuild(record);
    const session = store.client.session?.sessionId;

    let outcome: ImageBuild;
    try {
      outcome = await this.build(diskimage, record, formats);
    } catch (error) {
      this.log.error('image build failed', { image: diskimage.name, buildId: record.id, error: String(error) });
      outcome = record;
      outcome.setState('failed', this.context.now());
    }
    if (store.client.session?.sessionId !== session) {
      // The session (and with it the build lock) was lost during the build: someone may have
      // cleaned the record up meanwhile, and no one vouches for the result.
      this.log.warn('the ZooKeeper session was lost during the build; the build counts as failed', { image: diskimage.name, buildId: record.id });
      outcome.setState('failed', this.context.now());
      outcome.formats = [];
    }
    outcome.id = record.id;
    outcome.version = record.version;
    if (outcome.state !== 'ready') {
      // Differs from Nodepool: a failed build's partial files go at once (before its record
      // says failed), not at the next cleanup.
      await deleteLocalBuild(config().imagesDir ?? '', diskimage.name, record.id, this.log).catch(() => undefined);
    }
    try {
      await store.storeBuild(outcome);
    } catch (error) {
      this.log.error('could not record the outcome of a build; removing its files', { image: diskimage.name, buildId: record.id, error: String(error) });
      await deleteLocalBuild(config().imagesDir ?? '', diskimage.name, record.id, this.log);
      outcome.setState('failed', this.context.now());
      return outcome;
    }
    return outcome;
  }

  /** Runs disk-image-create for one build; resolves the record to store (`ready` or `failed`). */
  private async build(diskimage: DiskImageConfig, record: ImageBuild, formats: readonly string[]): Promise<ImageBuild> {
    const config = this.context.config();
    const imagesDir = config.imagesDir;
    if (!imagesDir) throw new Error('no images-dir is configured');
    const command = dibCommand({
      diskimage,
      formats,
      buildId: record.id,
      imagesDir,
      elementsDir: config.elementsDir,
      baseEnv: this.context.env,
      moduleDir: MODULE_DIR,
    });
    await pruneBuildLogs(config.buildLogDir, diskimage.name, config.buildLogRetention, this.log);
    const logFile = await buildLogPath(config.buildLogDir, diskimage.name, record.id);
    this.log.info('running the build command', { image: diskimage.name, buildId: record.id, command: command.line, logFile });
    const started = performance.now();
    const result = await runDib(command, { logFile, timeoutMs: diskimage.buildTimeout * 1000, signal: this.context.stopping });
    const durationMs = performance.now() - started;

    const outcome = new ImageBuild();
    outcome.image = diskimage.name;
    outcome.builder = this.context.hostname;
    outcome.builderId = this.context.builderId;
    outcome.username = diskimage.username;
    outcome.pythonPath = diskimage.pythonPath;
    outcome.shellType = diskimage.shellType;
    const stats = this.context.stats;
    const key = `nodepool.dib_image_build.${diskimage.name}`;
    if (result.rc !== 0 || result.timedOut || result.aborted) {
      if (result.timedOut) this.log.error('build timeout', { image: diskimage.name, buildId: record.id, timeoutSeconds: diskimage.buildTimeout, logFile });
      this.log.info('DIB failed creating the image', { image: diskimage.name, buildId: record.id, rc: result.rc, timeout: result.timedOut, stopped: result.aborted });
      outcome.setState('failed', this.context.now());
    } else {
      for (const format of formats) {
        // Missing output is a failed build, whatever the command said.
        const file = await stat(`${command.outputBase}.${format}`);
        // Sparse files count by the blocks they use, as the original measures them.
        stats.gauge(`${key}.${format}.size`, file.blocks * 512);
      }
      this.log.info('DIB image is built', { image: diskimage.name, buildId: record.id });
      outcome.formats = [...formats];
      outcome.setState('ready', this.context.now());
    }
    stats.timing(`${key}.status.duration`, Math.trunc(durationMs));
    stats.gauge(`${key}.status.rc`, result.rc);
    stats.gauge(`${key}.status.last_build`, Math.trunc(Date.now() / 1000));
    return outcome;
  }
}
