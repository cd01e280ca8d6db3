import type { ConfigPath } from '../config/issues.js';
import type { MappingSchema } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { NodeEffect } from '../plan/node-effect.js';
import type { Stats } from '../stats/stats.js';
import type { Node } from '../zk/node.js';
import type { NodepoolZooKeeper } from '../zk/nodepool-zookeeper.js';
import type { Provider } from './provider.js';
import type { ProviderConfig } from './provider-config.js';

/** The parts of the whole configuration a driver may consult while building its own. */
export interface ConfigContext {
  /** Top-level `labels:` by name (`min-ready`, `max-ready-age` already defaulted). */
  readonly labels: ReadonlyMap<string, { readonly name: string; readonly minReady: number; readonly maxReadyAge: number }>;
  /** Top-level (non-abstract) `diskimages:` by name, with inherited settings applied. */
  readonly diskimages: ReadonlyMap<string, { readonly name: string; readonly username: string; readonly pythonPath: string; readonly shellType: string | null }>;
  /** Where the provider entry sits, e.g. `['providers', 2]`. */
  readonly path: ConfigPath;
  /**
   * Reports a problem found while building the config (a reference to a cloud image that does
   * not exist, say), at a path relative to the provider entry. Such problems stop a daemon
   * from loading the file; `nodepool config-validate`, like the original's, lists them as
   * warnings because its verdict rests on the schemas alone.
   */
  report(path: ConfigPath, message: string): void;
}

/** What the launcher hands a provider it creates. */
export interface ProviderContext {
  /** ZooKeeper, with its caches (the node cache is started before providers are). */
  readonly zk: NodepoolZooKeeper;
  /** Host name of this launcher, for logs. */
  readonly hostname: string;
  readonly log: Logger;
  /** Where the provider's own metrics go (e.g. `nodepool.provider.<name>.leaked.*`). */
  readonly stats?: Stats;
}

/**
 * A driver: the plugin that knows one kind of provider. Published as an npm package whose
 * `package.json` declares the names it serves (`"nodepool": { "drivers": ["gce"] }`) and whose
 * default export is a Driver, or an array of them for a package serving several names.
 *
 * ```ts
 * export default {
 *   name: 'gce',
 *   providerSchema: gceProviderSchema,
 *   parseConfig: parseGceConfig,
 *   createProvider: (config, context) => new StateMachineProvider(config, new GceAdapter(config), context),
 * } satisfies Driver<GceProviderConfig>;
 * ```
 */
export interface Driver<C extends ProviderConfig = ProviderConfig> {
  /** The name used in a provider's `driver:` key. */
  readonly name: string;
  /**
   * The schema of one `providers:` entry, without the keys every provider has (`name`,
   * `driver`, `max-concurrency`, `priority`): core adds those. Use `commonPoolKeys` in pool
   * schemas. Unknown keys must be rejected, as the original does.
   */
  readonly providerSchema: MappingSchema;
  /**
   * Builds the typed config from an entry that passed `providerSchema` (numbers are plain
   * numbers by now). Apply defaults here and `context.report` every semantic problem; never
   * throw for bad input.
   */
  parseConfig(entry: Readonly<Record<string, unknown>>, context: ConfigContext): C;
  /**
   * Creates the runtime provider for a config. Called by the launcher when the provider first
   * appears in the configuration, and again when a reload changed it.
   */
  createProvider?(config: C, context: ProviderContext): Provider;
  /**
   * For drivers that register nodes themselves rather than launch them (static hosts): what a
   * reload from `current` to `next` does to this provider's `nodes` (registrations,
   * deregistrations, nodes in use left alone). Called by `nodepool config-plan`, for a
   * provider the reload adds, removes or changes; a config is undefined on the side where the
   * provider is absent. Must not touch ZooKeeper. Optional; without it core plans such a
   * provider's nodes as launched ones.
   */
  planRegisteredNodes?(current: C | undefined, next: C | undefined, nodes: readonly Node[]): NodeEffect[];
}

/** Every member a Driver must have, for the discovery checks. */
export const DRIVER_MEMBERS = ['name', 'providerSchema', 'parseConfig'] as const;
