import type { Driver } from '@nodepool/core';
import { parseStaticConfig, staticProviderSchema, type StaticProviderConfig } from './config.js';
import { StaticProvider } from './provider.js';
import { planStaticReload } from './reload-plan.js';

export type { StaticNodeConfig, StaticPoolConfig, StaticProviderConfig } from './config.js';
export { StaticProvider } from './provider.js';

/** The `static` driver: hosts that already exist, handed out as nodes. */
export const staticDriver = {
  name: 'static',
  providerSchema: staticProviderSchema,
  parseConfig: parseStaticConfig,
  createProvider: (config, context) => new StaticProvider(config, context),
  planRegisteredNodes: planStaticReload,
} satisfies Driver<StaticProviderConfig>;

export default staticDriver;
