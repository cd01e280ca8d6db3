export { ConfigWatcher, diffProviders, type ConfigChange, type ConfigWatcherEvents } from './config-watcher.js';
export { commonPoolKeys, commonProviderKeys } from './common-keys.js';
export { ConfigError, formatIssue, formatPath, type ConfigIssue, type ConfigPath } from './issues.js';
export { loadConfig, validateConfig, type ConfigValidation, type LoadConfigOptions } from './load-config.js';
export { durationSeconds, effectiveMinReady, minReadyScheduleSchema, readMinReadySchedule, windowOpen, type MinReadyWindow } from './min-ready-schedule.js';
export type { DiskImageConfig, LabelConfig, NodepoolConfig, TenantResourceLimit, ZooKeeperServerConfig } from './nodepool-config.js';
export {
  defaultConnectionPort,
  readCommonPoolFields,
  readCommonProviderFields,
  readConnection,
  readEntries,
  readEntriesByName,
  readFloat,
  readInteger,
  readIntegerMap,
  readOptional,
  readString,
  type CommonPoolFields,
  type CommonProviderFields,
  type ConfigEntry,
  type ConnectionSettings,
} from './read.js';
export * as schema from './schema.js';
export type { KeySpec, MappingOptions, MappingSchema, Schema } from './schema.js';
export { topLevelSchema } from './top-level-schema.js';
export { substituteEnvironment, YamlSource } from './yaml-source.js';
