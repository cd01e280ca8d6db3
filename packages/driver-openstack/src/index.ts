import type { Driver } from '@nodepool/core';
import { openStackProviderSchema, parseOpenStackConfig, type OpenStackProviderConfig } from './config.js';

export type {
  OpenStackCloudImageConfig,
  OpenStackDiskImageConfig,
  OpenStackLabelConfig,
  OpenStackPoolConfig,
  OpenStackProviderConfig,
} from './config.js';

/** The `openstack` driver: Nova servers and Glance images; the default when `driver:` is absent. */
export const openStackDriver = {
  name: 'openstack',
  providerSchema: openStackProviderSchema,
  parseConfig: (entry, context) => parseOpenStackConfig(entry, context, 'openstack'),
} satisfies Driver<OpenStackProviderConfig>;

/**
 * The `fake` driver: the original's test driver, an openstack look-alike that core selects for
 * every provider whose name starts with `fake`. Same schema and typed config as `openstack`.
 */
export const fakeDriver = {
  name: 'fake',
  providerSchema: openStackProviderSchema,
  parseConfig: (entry, context) => parseOpenStackConfig(entry, context, 'fake'),
} satisfies Driver<OpenStackProviderConfig>;

export default [openStackDriver, fakeDriver];
