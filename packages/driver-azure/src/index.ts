import type { StateMachineDriver } from '@nodepool/core';
import { AzureAdapter } from './adapter.js';
import { azureProviderSchema, parseAzureConfig, type AzureLabelConfig, type AzureProviderConfig } from './config.js';

export { AzureAdapter, type AzureAdapterOptions } from './adapter.js';
export { readAuthFile, type AzureAuth } from './auth.js';
export { AzureApiError } from './azure-errors.js';
export type { AzureClientOptions } from './client.js';
export type { AzureInstanceView, AzureResource, AzureResourceType } from './instance.js';
export type {
  AzureCloudImageConfig,
  AzureDiskImageConfig,
  AzureGalleryImage,
  AzureImageFilter,
  AzureImageReference,
  AzureLabelConfig,
  AzureNetworkConfig,
  AzurePoolConfig,
  AzureProviderConfig,
} from './config.js';

/** The `azure` driver: Azure virtual machines from marketplace, gallery or uploaded images. */
export const azureDriver = {
  name: 'azure',
  providerSchema: azureProviderSchema,
  parseConfig: parseAzureConfig,
  createAdapter: (config, context) => new AzureAdapter(config, context),
} satisfies StateMachineDriver<AzureProviderConfig, AzureLabelConfig>;

export default azureDriver;
