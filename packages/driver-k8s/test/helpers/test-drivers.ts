import { createK8sDrivers, type K8sDriverOptions } from '@nodepool/driver-k8s';

/**
 * The drivers with waits short enough for tests: a pod that has not run in 4 s never will in
 * a test (the fake starts them at once unless told otherwise), and polling, where watching is
 * not possible, every 100 ms.
 */
export const TEST_DRIVER_OPTIONS: K8sDriverOptions = {
  podStartTimeoutMs: 4_000,
  deleteTimeoutMs: 30_000,
  tokenTimeoutMs: 10_000,
  pollMs: 100,
  apiTimeoutMs: 20_000,
};

export const testDrivers = [...createK8sDrivers(TEST_DRIVER_OPTIONS)];
