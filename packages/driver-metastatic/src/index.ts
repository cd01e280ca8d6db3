import type { Driver } from '@nodepool/core';
import { metastaticProviderSchema, parseMetastaticConfig, type MetastaticProviderConfig } from './config.js';

export type { MetastaticLabelConfig, MetastaticPoolConfig, MetastaticProviderConfig } from './config.js';

/** The `metastatic` driver: nodes carved out of backing nodes that other providers supply. */
export const metastaticDriver = {
  name: 'metastatic',
  providerSchema: metastaticProviderSchema,
  parseConfig: parseMetastaticConfig,
} satisfies Driver<MetastaticProviderConfig>;

export default metastaticDriver;
