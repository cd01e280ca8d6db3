import type { Driver } from '@nodepool/core';
import { awsProviderSchema, parseAwsConfig, type AwsProviderConfig } from './config.js';

export type {
  AwsCloudImageConfig,
  AwsDiskImageConfig,
  AwsIamInstanceProfile,
  AwsImageFilter,
  AwsLabelConfig,
  AwsPoolConfig,
  AwsProviderConfig,
} from './config.js';

/** The `aws` driver: EC2 instances from AMIs, cloud images or uploaded diskimages. */
export const awsDriver = {
  name: 'aws',
  providerSchema: awsProviderSchema,
  parseConfig: parseAwsConfig,
} satisfies Driver<AwsProviderConfig>;

export default awsDriver;
