import type { NodepoolConfig } from '../config/nodepool-config.js';
import type { Driver } from '../driver/driver.js';
import type { ExplainBoard } from '../explain/explain-board.js';
import type { HealthBoard } from '../health/health-board.js';
import type { Provider } from '../driver/provider.js';
import type { ProviderConfig } from '../driver/provider-config.js';
import type { Logger } from '../log.js';
import type { Stats } from '../stats/stats.js';
import type { ImageCache, NodeCache, RequestCache } from '../zk/caches.js';
import type { ComponentRegistry } from '../zk/component-registry.js';
import type { NodepoolZooKeeper } from '../zk/nodepool-zookeeper.js';
import type { NodeDeleter } from './node-deleter.js';
import type { LauncherTimings } from './timings.js';

/** A provider this launcher runs: its config, driver and runtime. */
export interface ProviderRuntime {
  readonly config: ProviderConfig;
  readonly driver: Driver;
  readonly provider: Provider;
  /** Requests this provider's pools are handling now (for `max-concurrency`). */
  activeRequests: number;
}

/** What every worker of one launcher shares. */
export interface LauncherContext {
  readonly hostname: string;
  readonly version: string;
  readonly zk: NodepoolZooKeeper;
  readonly nodes: NodeCache;
  readonly requests: RequestCache;
  readonly images: ImageCache;
  readonly components: ComponentRegistry;
  readonly stats: Stats;
  readonly timings: LauncherTimings;
  readonly deleter: NodeDeleter;
  readonly log: Logger;
  /** The configuration in force (it changes on reload). */
  config(): NodepoolConfig;
  /** The runtime of a provider this launcher runs, if it runs it. */
  provider(name: string): ProviderRuntime | undefined;
  /** Aborted when the launcher stops. */
  readonly stopping: AbortSignal;
  /** Where pool workers note their decisions (`nodepool request-explain`); none: not kept. */
  readonly explain?: ExplainBoard | undefined;
  /** The providers' circuit breakers (`circuit-breaker`); none: every provider is healthy. */
  readonly health?: HealthBoard | undefined;
}
