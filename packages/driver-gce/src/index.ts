import type { Driver } from '@nodepool/core';
import { gceProviderSchema, parseGceConfig, type GceProviderConfig } from './config.js';

export type { GceCloudImageConfig, GceLabelConfig, GcePoolConfig, GceProviderConfig } from './config.js';

/** The `gce` driver: Google Compute Engine instances booted from existing images. */
export const gceDriver = {
  name: 'gce',
  providerSchema: gceProviderSchema,
  parseConfig: parseGceConfig,
} satisfies Driver<GceProviderConfig>;

export default gceDriver;
