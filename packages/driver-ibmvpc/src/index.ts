import type { StateMachineDriver } from '@nodepool/core';
import { IbmVpcAdapter } from './adapter.js';
import { ibmVpcProviderSchema, parseIbmVpcConfig, type IbmVpcLabelConfig, type IbmVpcProviderConfig } from './config.js';

export { IbmVpcAdapter, type IbmVpcAdapterOptions } from './adapter.js';
export { IBM_CLOUD_ENDPOINTS, IbmVpcCloud, type IbmVpcCloudOptions, type IbmVpcSetup } from './cloud.js';
export { CREDENTIALS_SERVICE, loadIbmCloudCredentials, MissingCredentialsError, type IbmCloudCredentials } from './client/credentials.js';
export { IbmCloudApiError } from './client/ibm-api-error.js';
export { VPC_API_VERSION } from './client/vpc-models.js';
export type { ImageUploadTimings } from './image-upload.js';
export type { IbmVpcInstanceView, IbmVpcResource, IbmVpcResourceType } from './instance.js';
export { imageResourceGroupName, metadataFromNames, poolResourceGroupName } from './resource-names.js';
export type {
  IbmVpcCloudImageConfig,
  IbmVpcDiskImageConfig,
  IbmVpcImageFilter,
  IbmVpcLabelConfig,
  IbmVpcObjectStorageConfig,
  IbmVpcPoolConfig,
  IbmVpcProviderConfig,
} from './config.js';

/** The `ibmvpc` driver: IBM Cloud VPC instances, from cloud images or uploaded diskimages. */
export const ibmVpcDriver = {
  name: 'ibmvpc',
  providerSchema: ibmVpcProviderSchema,
  parseConfig: parseIbmVpcConfig,
  createAdapter: (config, context) => new IbmVpcAdapter(config, context),
} satisfies StateMachineDriver<IbmVpcProviderConfig, IbmVpcLabelConfig>;

export default ibmVpcDriver;
