import type { Driver } from '@nodepool/core';
import { azureProviderSchema, parseAzureConfig, type AzureProviderConfig } from './config.js';

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
} satisfies Driver<AzureProviderConfig>;

export default azureDriver;
