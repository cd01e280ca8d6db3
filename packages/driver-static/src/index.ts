import type { Driver } from '@nodepool/core';
import { parseStaticConfig, staticProviderSchema, type StaticProviderConfig } from './config.js';

export type { StaticNodeConfig, StaticPoolConfig, StaticProviderConfig } from './config.js';

/** The `static` driver: hosts that already exist, handed out as nodes. */
export const staticDriver = {
  name: 'static',
  providerSchema: staticProviderSchema,
  parseConfig: parseStaticConfig,
} satisfies Driver<StaticProviderConfig>;

export default staticDriver;
