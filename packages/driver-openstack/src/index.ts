import type { StateMachineDriver } from '@nodepool/core';
import { OpenStackAdapter } from './adapter.js';
import { openStackProviderSchema, parseOpenStackConfig, type OpenStackLabelConfig, type OpenStackProviderConfig } from './config.js';

export { OpenStackAdapter, type OpenStackAdapterOptions } from './adapter.js';
export { apiCallName } from './api-call-name.js';
export { loadCloudConfig, type CloudAuth, type CloudAuthType, type CloudConfig, type CloudConfigSources } from './client/cloud-config.js';
export { CloudConfigError, EndpointNotFoundError, OpenStackApiError } from './client/openstack-errors.js';
export { OpenStackClient, type OpenStackClientOptions } from './client/openstack-client.js';
export type { ImageUploadTimings } from './image-upload.js';
export type { OpenStackResource, OpenStackResourceType, OpenStackServerView } from './instance.js';
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
  createAdapter: (config, context) => new OpenStackAdapter(config, context),
} satisfies StateMachineDriver<OpenStackProviderConfig, OpenStackLabelConfig>;

/**
 * The `fake` driver: the original's test driver, an openstack look-alike that core selects for
 * every provider whose name starts with `fake`. Same schema, typed config and runtime as
 * `openstack` (point its `cloud:` at `nodepool-fake-openstack`).
 */
export const fakeDriver = {
  name: 'fake',
  providerSchema: openStackProviderSchema,
  parseConfig: (entry, context) => parseOpenStackConfig(entry, context, 'fake'),
  createAdapter: (config, context) => new OpenStackAdapter(config, context),
} satisfies StateMachineDriver<OpenStackProviderConfig, OpenStackLabelConfig>;

export default [openStackDriver, fakeDriver];
