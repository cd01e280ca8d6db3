export { Launcher, type LauncherOptions } from './launcher.js';
export type { LauncherContext, ProviderRuntime } from './launcher-context.js';
export { DEFAULT_TIMINGS, type LauncherTimings } from './timings.js';
export { labelQuota, nodeQuota, poolLimits, sumQuota, tenantLimits } from './quota.js';
export { createProvider } from './create-provider.js';
export { NodeDeleter } from './node-deleter.js';
