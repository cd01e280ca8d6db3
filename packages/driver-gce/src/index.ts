import type { StateMachineDriver } from '@nodepool/core';
import { GceAdapter } from './adapter.js';
import { gceProviderSchema, parseGceConfig, type GceLabelConfig, type GceProviderConfig } from './config.js';

export { GceAdapter, type GceAdapterOptions } from './adapter.js';
export { GceApiError } from './gce-errors.js';
export type { GceClientOptions } from './client.js';
export type { GceInstanceView, GceResource } from './instance.js';
export type { GceCloudImageConfig, GceLabelConfig, GcePoolConfig, GceProviderConfig } from './config.js';

/** The `gce` driver: Google Compute Engine instances booted from existing images. */
export const gceDriver = {
  name: 'gce',
  providerSchema: gceProviderSchema,
  parseConfig: parseGceConfig,
  createAdapter: (config, context) => new GceAdapter(config, context),
} satisfies StateMachineDriver<GceProviderConfig, GceLabelConfig>;

export default gceDriver;
