import { hostname as osHostname } from 'node:os';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { ConfigWatcher, type ConfigChange } from '../config/config-watcher.js';
import type { NodepoolConfig } from '../config/nodepool-config.js';
import type { DriverResolver } from '../discovery/driver-registry.js';
import type { StateMachineDriver } from '../driver/adapter.js';
import type { Driver } from '../driver/driver.js';
import { createProvider } from './create-provider.js';
import { ExplainBoard } from '../explain/explain-board.js';
import { LauncherReportPublisher } from '../explain/launcher-report-publisher.js';
import { zooKeeperExplainSource } from '../explain/request-explanation.js';
import { HealthBoard } from '../health/health-board.js';
import { zooKeeperHealthSource } from '../health/health-source.js';
import { CachedStatusSource } from '../status/cached-status-source.js';
import { createMetricsRegistry } from '../web/metrics.js';
import { WebApp } from '../web/web-app.js';
import type { ProviderConfig } from '../driver/provider-config.js';
import { getLogger, type Logger } from '../log.js';
import { noStats, type Stats } from '../stats/stats.js';
import { Component } from '../zk/component.js';
import { ComponentRegistration } from '../zk/component-registry.js';
import { zooKeeperClientFor } from '../zk/connect.js';
import { NodepoolZooKeeper } from '../zk/nodepool-zookeeper.js';
import { CleanupWorker } from './cleanup-worker.js';
import { DeletedNodeWorker } from './deleted-node-worker.js';
import { LockAuditor } from './lock-auditor.js';
import { LostRequests } from './lost-requests.js';
import { LostRequestWatcher } from './lost-request-watcher.js';
import type { LauncherContext, ProviderRuntime } from './launcher-context.js';
import { MinReadyWorker } from './min-ready-worker.js';
import { NodeDeleter } from './node-deleter.js';
import { PoolWorker } from './pool-worker.js';
import { StatsWorker } from './stats-worker.js';
import { DEFAULT_TIMINGS, type LauncherTimings } from './timings.js';

export interface LauncherOptions {
  configFile: string;
  secureFile?: string | undefined;
  drivers: DriverResolver;
  stats?: Stats;
  /** Host name used in component records and pool worker IDs; default `os.hostname()`. */
  hostname?: string;
  /** Version written into component records. */
  version?: string;
  timings?: Partial<LauncherTimings>;
  /** For `%(NODEPOOL_…)` substitution; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Serve the web API (`nodepool-launcher` does unless `--no-webapp`); values given here
   * override the configuration's `webapp:` port and listen address. Default: no web API.
   */
  webapp?: { port?: number | undefined; listenAddress?: string | undefined } | undefined;
}

/**
 * `nodepool-launcher`: serves node requests for the providers of one configuration. Start it
 * with `start()`; `stop()` gives back whatever is in progress and leaves ZooKeeper tidy.
 */
export class Launcher {
  private readonly log: Logger = getLogger('nodepool.NodePool');
  private readonly watcher: ConfigWatcher;
  private readonly timings: LauncherTimings;
  private readonly hostname: string;
  private readonly providers = new Map<string, ProviderRuntime>();
  private readonly poolWorkers = new Map<string, PoolWorker[]>();
  private readonly abort = new AbortController();
  private client: ZooKeeperClient | undefined;
  private zk: NodepoolZooKeeper | undefined;
  private context: LauncherContext | undefined;
  private registration: ComponentRegistration | undefined;
  private workers: { start(): void | Promise<void>; stop(): Promise<void> }[] = [];
  private readyFlag = false;
  private web: WebApp | undefined;
  private reports: LauncherReportPublisher | undefined;
  private changes: Promise<void> = Promise.resolve();

  constructor(private readonly options: LauncherOptions) {
    this.watcher = new ConfigWatcher(options.configFile, { drivers: options.drivers, secureFile: options.secureFile, env: options.env });
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.hostname = options.hostname ?? osHostname();
  }

  /** True once the launcher has connected, started its providers and its pool workers. */
  get ready(): boolean {
    return this.readyFlag;
  }

  /** The configuration in force. */
  get config(): NodepoolConfig {
    return this.watcher.current;
  }

  /** The ZooKeeper view (for the web app and tests). */
  get zooKeeper(): NodepoolZooKeeper {
    if (!this.zk) throw new Error('the launcher is not started');
    return this.zk;
  }

  /** The web API, when the launcher serves it (see `LauncherOptions.webapp`). */
  get webApp(): WebApp | undefined {
    return this.web;
  }

  /** IDs of this launcher's pool workers, by provider. */
  poolWorkerIds(provider: string): string[] {
    return (this.poolWorkers.get(provider) ?? []).map((worker) => worker.id);
  }

  async start(): Promise<void> {
    const config = await this.watcher.start();
    if (!config.zookeeperTls) this.log.warn('no zookeeper-tls configured: talking to ZooKeeper in plain text (Nodepool 9 refuses this)');
    this.client = await zooKeeperClientFor(config, zkLogger(this.log));
    await this.client.connect();
    // Stopping, nothing waits any longer for a lost connection to come back.
    const zk = new NodepoolZooKeeper(this.client, { stopping: this.abort.signal });
    this.zk = zk;
    const [nodes, requests, images, components] = await Promise.all([zk.nodeCache(), zk.requestCache(), zk.imageCache(), zk.componentRegistry()]);
    const stats = this.options.stats ?? noStats;
    // Ours (issue 19): why each request waits, and which providers are sick; published for
    // every launcher's CLI and web API to read.
    const explain = new ExplainBoard();
    const health = new HealthBoard({ stats, log: this.log.child({ logger: 'nodepool.ProviderHealth' }) });
    const deleter = new NodeDeleter(zk, (name) => this.providers.get(name), this.log.child({ logger: 'nodepool.NodeDeleter' }), this.timings.nodeDeleteTimeoutMs);
    this.context = {
      hostname: this.hostname,
      version: this.options.version ?? '0.1.0',
      zk,
      nodes,
      requests,
      images,
      components,
      stats,
      timings: this.timings,
      deleter,
      log: this.log,
      config: () => this.watcher.current,
      provider: (name) => this.providers.get(name),
      stopping: this.abort.signal,
      explain,
      health,
    };

    this.registration = new ComponentRegistration(
      this.client,
      new Component('launcher', { hostname: this.hostname, state: 'initializing', version: this.context.version }),
    );
    await this.registration.register();

    for (const provider of config.providers.values()) await this.startProvider(provider);
    const lostRequests = new LostRequests(this.context);
    this.workers = [
      new DeletedNodeWorker(this.context),
      new CleanupWorker(this.context, lostRequests),
      new LostRequestWatcher(this.context, lostRequests),
      new LockAuditor(this.context),
      new MinReadyWorker(this.context),
      new StatsWorker(this.context),
    ];
    for (const worker of this.workers) await worker.start();
    this.reports = new LauncherReportPublisher(this.client, {
      hostname: this.hostname,
      explain,
      health,
      log: this.log,
      isLive: (id) => requests.get(id) !== undefined,
    });
    this.reports.start();
    this.watcher.on('change', (change) => {
      this.changes = this.changes
        // A reload that was under way when stop() began must not touch a closing client.
        .then(() => (this.abort.signal.aborted ? undefined : this.applyChange(change)))
        .catch((error: unknown) => void this.log.error('applying a configuration change failed', { error: String(error) }));
    });
    // ---- web API (issue 7): started once the providers are, `/ready` says 503 until ready.
    if (this.options.webapp) {
      this.web = new WebApp({
        port: this.options.webapp.port ?? config.webapp.port,
        listenAddress: this.options.webapp.listenAddress ?? config.webapp.listenAddress,
        source: await CachedStatusSource.of(zk),
        ready: () => this.readyFlag,
        metrics: createMetricsRegistry({ nodes, components, config: () => this.watcher.current, health }),
        history: { nodes, requests }, // issue 19: the last hour, at /history and on the dashboard
        explain: zooKeeperExplainSource(this.client, { request: (id) => zk.getNodeRequest(id), poolComponents: async () => components.all('pool') }),
        health: zooKeeperHealthSource(this.client),
      });
      await this.web.start();
    }
    // ---- end web API
    await this.registration.update({ state: 'running' });
    this.readyFlag = true;
    this.log.info('launcher started', { providers: [...this.providers.keys()], hostname: this.hostname });
  }

  /**
   * Orderly stop: pool workers give back their requests (launches stop, ready nodes are
   * released, requests return to `requested`), workers stop, components are removed and the
   * ZooKeeper session is closed so every lock goes at once.
   */
  async stop(): Promise<void> {
    await this.web?.stop(); // web API (issue 7): first, so nothing reads what is being torn down
    this.abort.abort();
    this.watcher.stop();
    await this.changes;
    await Promise.all([...this.poolWorkers.values()].flat().map((worker) => worker.stop()));
    for (const worker of this.workers) await worker.stop();
    await this.reports?.stop();
    for (const runtime of this.providers.values()) await runtime.provider.stop().catch(() => undefined);
    await this.registration?.unregister();
    await this.zk?.stop();
    await this.client?.close();
    await this.options.stats?.close();
    this.log.info('launcher stopped');
  }

  // ---- providers -------------------------------------------------------------------------

  private async startProvider(config: ProviderConfig): Promise<void> {
    const context = this.context!;
    const driver: Driver & Partial<Pick<StateMachineDriver, 'createAdapter'>> = await this.options.drivers.resolve(config.driver);
    const providerContext = { zk: context.zk, hostname: this.hostname, log: this.log.child({ provider: config.name }), stats: context.stats };
    const provider = createProvider(config, driver, providerContext, this.timings);
    if (!provider) {
      this.log.error('this driver has no runtime yet; its provider is not started', { provider: config.name, driver: config.driver });
      return;
    }
    this.providers.set(config.name, { config, driver, provider, activeRequests: 0 });
    // A breaker whose settings a reload left alone keeps its state.
    context.health?.configure(config.name, config.raw);
    await provider.start();
    const workers = [...config.pools.keys()].map((pool) => new PoolWorker(context, config.name, pool));
    this.poolWorkers.set(config.name, workers);
    for (const worker of workers) await worker.start();
    this.log.info('provider started', { provider: config.name, driver: config.driver, pools: [...config.pools.keys()] });
  }

  private async stopProvider(name: string): Promise<void> {
    await Promise.all((this.poolWorkers.get(name) ?? []).map((worker) => worker.stop()));
    this.poolWorkers.delete(name);
    const runtime = this.providers.get(name);
    this.providers.delete(name);
    if (!this.watcher.current.providers.has(name)) this.context?.health?.remove(name);
    await runtime?.provider.stop();
    this.log.info('provider stopped', { provider: name });
  }

  /** A reload: restart changed providers, start new ones, stop removed ones; others carry on. */
  private async applyChange(change: ConfigChange): Promise<void> {
    const { added, removed, changed } = change.providers;
    for (const name of [...removed, ...changed]) await this.stopProvider(name);
    for (const name of [...changed, ...added]) await this.startProvider(change.current.providers.get(name)!);
    for (const workers of this.poolWorkers.values()) for (const worker of workers) worker.wake();
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
