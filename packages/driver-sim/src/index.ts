import type { StateMachineDriver } from '@nodepool/core';
import { SimAdapter } from './adapter.js';
import { parseSimConfig, simProviderSchema, type SimLabelConfig, type SimProviderConfig } from './config.js';

export { SimAdapter } from './adapter.js';
export { SimApiError, type SimClientOptions } from './client.js';
export type { SimCloudImageConfig, SimLabelConfig, SimPoolConfig, SimProviderConfig } from './config.js';
export type { SimInstanceView, SimResource } from './instance.js';

/** The `sim` driver: instances of a simulated cloud (`@nodepool/driver-sim/cloud`). */
export const simDriver = {
  name: 'sim',
  providerSchema: simProviderSchema,
  parseConfig: parseSimConfig,
  createAdapter: (config, context) => new SimAdapter(config, context),
} satisfies StateMachineDriver<SimProviderConfig, SimLabelConfig>;

export default simDriver;
