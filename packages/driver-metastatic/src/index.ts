import { StateMachineProvider, type Driver, type StateMachineDriver, type StateMachineProviderConfig } from '@nodepool/core';
import { MetastaticAdapter, type MetastaticAdapterOptions } from './adapter.js';
import { metastaticProviderSchema, parseMetastaticConfig, type MetastaticLabelConfig, type MetastaticProviderConfig } from './config.js';

export { MetastaticAdapter, type MetastaticAdapterOptions } from './adapter.js';
export { BackingNodeRecord } from './backing-node-record.js';
export { BACKING_REQUEST_PRIORITY, BackingNodeFailedError, BackingNodes } from './backing-nodes.js';
export { formatBackingNodeUserData, parseBackingNodeUserData, type BackingNodeUserData } from './backing-node-user-data.js';
export type { MetastaticDriverData } from './instance.js';
export type { MetastaticLabelConfig, MetastaticPoolConfig, MetastaticProviderConfig } from './config.js';

/** Options of `createMetastaticDriver`, for tests: the adapter's clock, and a look at each adapter made. */
export interface MetastaticDriverOptions extends MetastaticAdapterOptions {
  /** Called with every adapter the driver creates (one per provider start). */
  readonly onAdapter?: (adapter: MetastaticAdapter) => void;
}

/**
 * A `metastatic` driver. Core's state-machine kit runs it, as the original's runs its metastatic
 * adapter; the driver builds the provider itself only to hand the adapter the launcher's
 * ZooKeeper connection, through which backing nodes are requested.
 */
export function createMetastaticDriver(options: MetastaticDriverOptions = {}): Driver<MetastaticProviderConfig> {
  const driver: Driver<MetastaticProviderConfig> = {
    name: 'metastatic',
    providerSchema: metastaticProviderSchema,
    parseConfig: parseMetastaticConfig,
    createProvider: (config, context) => {
      const stateMachineDriver = {
        ...driver,
        createAdapter: (providerConfig: MetastaticProviderConfig, adapterContext) => {
          const adapter = new MetastaticAdapter(providerConfig, adapterContext, context.zk, options);
          options.onAdapter?.(adapter);
          return adapter;
        },
      } satisfies StateMachineDriver<MetastaticProviderConfig, MetastaticLabelConfig> as unknown as StateMachineDriver<StateMachineProviderConfig>;
      return new StateMachineProvider(config, stateMachineDriver, context);
    },
  };
  return driver;
}

/** The `metastatic` driver: nodes carved out of backing nodes that other providers supply. */
export const metastaticDriver = createMetastaticDriver();

export default metastaticDriver;
