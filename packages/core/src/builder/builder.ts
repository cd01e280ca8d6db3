import { hostname as osHostname } from 'node:os';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { ConfigWatcher, type ConfigChange } from '../config/config-watcher.js';
import type { NodepoolConfig } from '../config/nodepool-config.js';
import type { DriverResolver } from '../discovery/driver-registry.js';
import type { StateMachineDriver } from '../driver/adapter.js';
import type { Driver } from '../driver/driver.js';
import type { Provider } from '../driver/provider.js';
import type { ProviderConfig } from '../driver/provider-config.js';
import { createProvider } from '../launcher/create-provider.js';
import { DEFAULT_TIMINGS } from '../launcher/timings.js';
import { getLogger, type Logger } from '../log.js';
import { noStats, type Stats } from '../stats/stats.js';
import { Component } from '../zk/component.js';
import { ComponentRegistration } from '../zk/component-registry.js';
import { zooKeeperClientFor } from '../zk/connect.js';
import { NodepoolZooKeeper } from '../zk/nodepool-zookeeper.js';
import { DEFAULT_BUILDER_TIMINGS, type BuilderContext, type BuilderTimings } from './builder-context.js';
import { readBuilderId } from './builder-id.js';
import { BuildWorker } from './build-worker.js';
import { CleanupWorker } from './cleanup-worker.js';
import { ImageStore } from './image-store.js';
import { UploadWorker } from './upload-worker.js';

export interface BuilderOptions {
  configFile: string;
  secureFile?: string | undefined;
  drivers: DriverResolver;
  stats?: Stats;
  /** Build workers (`--build-workers`); default 1. */
  buildWorkers?: number;
  /** Upload workers (`--upload-workers`); default 4. */
  uploadWorkers?: number;
  /** Host name for build records and the component record; default `os.hostname()`. */
  hostname?: string;
  /** Version written into the component record. */
  version?: string;
  timings?: Partial<BuilderTimings>;
  /** For `%(NODEPOOL_…)` substitution and the builds' environment; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Seconds since the epoch; default the system clock. Tests move it to age builds. */
  now?: () => number;
}

/**
 * `nodepool-builder`: builds the diskimages of one configuration, uploads them to the providers
 * that list them, and deletes what is no longer needed, as Nodepool 9.0.0's builder does, with
 * the same ZooKeeper records and locks (so it can share the work with original builders).
 */
export class Builder {
  private readonly log: Logger = getLogger('nodepool.builder.NodePoolBuilder');
  private readonly watcher: ConfigWatcher;
  private readonly timings: BuilderTimings;
  private readonly hostname: string;
  private readonly abort = new AbortController();
  private readonly providers = new Map<string, Provider>();
  private client: ZooKeeperClient | undefined;
  private zk: NodepoolZooKeeper | undefined;
  private registration: ComponentRegistration | undefined;
  private buildWorkers: BuildWorker[] = [];
  private uploadWorkers: UploadWorker[] = [];
  private cleanupWorker: CleanupWorker | undefined;
  private changes: Promise<void> = Promise.resolve();
  private context: BuilderContext | undefined;

  constructor(private readonly options: BuilderOptions) {
    this.watcher = new ConfigWatcher(options.configFile, { drivers: options.drivers, secureFile: options.secureFile, env: options.env });
    this.timings = { ...DEFAULT_BUILDER_TIMINGS, ...options.timings };
    this.hostname = options.hostname ?? osHostname();
  }

  /** The configuration in force. */
  get config(): NodepoolConfig {
    return this.watcher.current;
  }

  /** The shared state of the workers (tests drive passes through it). */
  get workers(): { build: readonly BuildWorker[]; upload: readonly UploadWorker[]; cleanup: CleanupWorker | undefined } {
    return { build: this.buildWorkers, upload: this.uploadWorkers, cleanup: this.cleanupWorker };
  }

  /**
   * Loads the configuration (refusing one without `images-dir`), connects, registers a builder
   * component and starts the workers.
   */
  async start(): Promise<void> {
    const config = await this.watcher.start();
    if (!config.imagesDir) throw new Error('No images-dir specified in config.');
    if (!config.zookeeperTls) this.log.warn('no zookeeper-tls configured: talking to ZooKeeper in plain text (Nodepool 9 refuses this)');
    const builderId = await readBuilderId(config.imagesDir);
    this.client = await zooKeeperClientFor(config, zkLogger(this.log));
    await this.client.connect();
    this.zk = new NodepoolZooKeeper(this.client);
    const stats = this.options.stats ?? noStats;
    const now = this.options.now ?? (() => Date.now() / 1000);
    this.context = {
      hostname: this.hostname,
      builderId,
      store: new ImageStore(this.zk),
      stats,
      log: this.log,
      config: () => this.watcher.current,
      provider: (name) => this.providers.get(name),
      now,
      stopping: this.abort.signal,
      env: this.options.env ?? process.env,
    };

    // Differs from Nodepool: the record says `running` while the builder runs (the original's
    // builders stay `stopped`, a state nobody reads).
    this.registration = new ComponentRegistration(
      this.client,
      new Component('builder', { hostname: this.hostname, state: 'running', version: this.options.version ?? '0.1.0' }),
    );
    await this.registration.register();
    for (const provider of config.providers.values()) await this.startProvider(provider);

    const count = (value: number | undefined, fallback: number): number => Math.max(0, Math.trunc(value ?? fallback));
    this.buildWorkers = Array.from({ length: count(this.options.buildWorkers, 1) }, (_, i) => new BuildWorker(this.context!, String(i), this.timings.buildIntervalMs));
    this.uploadWorkers = Array.from({ length: count(this.options.uploadWorkers, 4) }, (_, i) => new UploadWorker(this.context!, String(i), this.timings.uploadIntervalMs));
    if (this.timings.cleanupIntervalMs > 0) this.cleanupWorker = new CleanupWorker(this.context, this.timings.cleanupIntervalMs);
    for (const worker of [...this.buildWorkers, ...this.uploadWorkers]) worker.start();
    this.cleanupWorker?.start();
    this.watcher.on('change', (change) => {
      this.changes = this.changes
        .then(() => this.applyChange(change))
        .catch((error: unknown) => void this.log.error('applying a configuration change failed', { error: String(error) }));
    });
    this.log.info('builder started', { hostname: this.hostname, builderId, buildWorkers: this.buildWorkers.length, uploadWorkers: this.uploadWorkers.length });
  }

  /**
   * Orderly stop: a build in progress is killed and recorded `failed` (its files removed), the
   * cleanup pass finishes, the component goes and the session is closed. Uploads in progress
   * are not waited for (they can take hours), as the original does not: their records are
   * cleaned up by the next builder's cleanup, their cloud images by the launcher's leak cleanup.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    this.watcher.stop();
    await this.changes;
    for (const worker of this.uploadWorkers) void worker.stop();
    await Promise.all([...this.buildWorkers.map((worker) => worker.stop()), this.cleanupWorker?.stop()]);
    for (const provider of this.providers.values()) await provider.stop().catch(() => undefined);
    await this.registration?.unregister();
    await this.zk?.stop();
    await this.client?.close();
    await this.options.stats?.close();
    this.log.info('builder stopped');
  }

  // ---- providers (for uploads and image deletion only: none is started) ---------------------

  private async startProvider(config: ProviderConfig): Promise<void> {
    const driver: Driver & Partial<Pick<StateMachineDriver, 'createAdapter'>> = await this.options.drivers.resolve(config.driver);
    const provider = createProvider(
      config,
      driver,
      { zk: this.zk!, hostname: this.hostname, log: this.log.child({ provider: config.name }), stats: this.context!.stats },
      DEFAULT_TIMINGS,
    );
    if (provider) this.providers.set(config.name, provider);
  }

  private async applyChange(change: ConfigChange): Promise<void> {
    const { added, removed, changed } = change.providers;
    for (const name of [...removed, ...changed]) {
      const provider = this.providers.get(name);
      this.providers.delete(name);
      await provider?.stop().catch(() => undefined);
    }
    for (const name of [...changed, ...added]) await this.startProvider(change.current.providers.get(name)!);
    for (const worker of [...this.buildWorkers, ...this.uploadWorkers]) worker.wake();
  }
}

/** The ZooKeeper client's logger, on ours. */
function zkLogger(log: Logger) {
  const child = log.child({ logger: 'nodepool.zk.client' });
  return {
    debug: (message: string, fields?: Record<string, unknown>) => child.debug(message, fields),
    info: (message: string, fields?: Record<string, unknown>) => child.info(message, fields),
    warn: (message: string, fields?: Record<string, unknown>) => child.warn(message, fields),
    error: (message: string, fields?: Record<string, unknown>) => child.error(message, fields),
  };
}
