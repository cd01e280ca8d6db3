/**
 * The simulated cloud (`@nodepool/driver-sim/cloud`): an in-memory HTTP/JSON cloud for the
 * sim driver, the quickstart, tests and benchmarks. A simulator, not a cloud.
 */
export { startSimCloud, type SimCloudHandle } from './start-sim-cloud.js';
export { simCloudControl, type SimCloudControl } from './sim-cloud-control.js';
export { DEFAULT_FLAVORS, DEFAULT_IMAGES, DEFAULT_SETTINGS, type SimCloudOptions } from './sim-cloud-options.js';
export type {
  SimCallCounts,
  SimCloudSettings,
  SimCloudSettingsPatch,
  SimCreateImageRequest,
  SimCreateInstanceRequest,
  SimDirectInstanceRequest,
  SimErrorBody,
  SimErrorCode,
  SimFlavor,
  SimImage,
  SimInstance,
  SimInstanceStatus,
  SimOperation,
  SimQuota,
  SimThrottleRule,
} from './api-types.js';
export { SIM_OPERATIONS } from './api-types.js';
