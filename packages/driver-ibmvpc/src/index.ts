import type { Driver } from '@nodepool/core';
import { ibmVpcProviderSchema, parseIbmVpcConfig, type IbmVpcProviderConfig } from './config.js';

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
} satisfies Driver<IbmVpcProviderConfig>;

export default ibmVpcDriver;
