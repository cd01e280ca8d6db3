import type { StateMachineDriver } from '@nodepool/core';
import { AwsAdapter } from './adapter.js';
import { awsProviderSchema, parseAwsConfig, type AwsLabelConfig, type AwsProviderConfig } from './config.js';

export { AwsAdapter, type AwsAdapterOptions } from './adapter.js';
export { AwsApiError, AwsCapacityError } from './aws-errors.js';
export type { AwsClientOptions } from './client.js';
export type { ImageImportTimings } from './image-import.js';
export type { AwsInstanceView, AwsResource, AwsResourceType } from './instance.js';
export type {
  AwsCloudImageConfig,
  AwsDiskImageConfig,
  AwsIamInstanceProfile,
  AwsImageFilter,
  AwsImdsHttpTokens,
  AwsLabelConfig,
  AwsPoolConfig,
  AwsProviderConfig,
} from './config.js';

/** The `aws` driver: EC2 instances from AMIs, cloud images or uploaded diskimages. */
export const awsDriver = {
  name: 'aws',
  providerSchema: awsProviderSchema,
  parseConfig: parseAwsConfig,
  createAdapter: (config, context) => new AwsAdapter(config, context),
} satisfies StateMachineDriver<AwsProviderConfig, AwsLabelConfig>;

export default awsDriver;
