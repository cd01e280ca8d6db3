/**
 * A fake AWS for the aws driver's tests, the quickstart and benchmarks
 * (`@nodepool/driver-aws/testing`): one HTTP server speaking the real wire protocols of EC2,
 * S3 and Service Quotas as the AWS SDK v3 uses them, with state in memory, quotas, throttling
 * and injectable failures (by count, so tests do not depend on the machine's speed). Point
 * real SDK clients at it with `endpoint: fake.url`.
 */
export { startFakeAws, FAKE_AWS_CREDENTIALS, type FakeAwsClientConfig, type FakeAwsHandle } from './start-fake-aws.js';
export { fakeAwsControl, type FakeAwsControl } from './fake-aws-control.js';
export type { FakeAwsOptions, FakeAwsRateClass } from './fake-aws.js';
export { DEFAULT_SETTINGS, type FakeAwsRateLimits, type FakeAwsSettings, type FakeAwsSettingsPatch, type FakeThrottleRule } from './fake-aws-settings.js';
export { DEFAULT_INSTANCE_TYPES, type FakeInstanceType } from './instance-types.js';
export { CANONICAL_ACCOUNT, DEBIAN_ACCOUNT, DEFAULT_IMAGES } from './default-images.js';
export {
  DEFAULT_QUOTAS,
  HOST_QUOTA_CODES,
  INSTANCE_QUOTA_CODES,
  QUOTA_DEFINITIONS,
  VOLUME_QUOTA_CODES,
  hostQuotaCode,
  instanceQuotaCode,
  type FakeQuotaDefinition,
  type MarketType,
} from './quota-catalog.js';
export { EC2_ACTIONS } from './ec2-api.js';
export { QUOTAS_OPERATIONS } from './quotas-api.js';
export type {
  AddHostRequest,
  AddImageRequest,
  AddInstanceRequest,
  AddObjectRequest,
  AddSnapshotRequest,
  AddVolumeRequest,
  FakeAwsFailure,
  FakeAwsFailureRule,
  FakeAwsState,
  FakeBlockDeviceMapping,
  FakeBucket,
  FakeCallCounts,
  FakeHost,
  FakeHostState,
  FakeImage,
  FakeImportImageTask,
  FakeImportSnapshotTask,
  FakeImportStatus,
  FakeInstance,
  FakeInstanceState,
  FakeS3Object,
  FakeSnapshot,
  FakeTags,
  FakeVolume,
  FakeVolumeState,
} from './fake-aws-types.js';
