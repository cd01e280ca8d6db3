export {
  BREAKER_KEY,
  breakerSettingsSchema,
  DEFAULT_MAX_PROBE_INTERVAL_S,
  DEFAULT_PROBE_INTERVAL_S,
  readBreakerSettings,
  type BreakerSettings,
} from './breaker-settings.js';
export { BREAKER_GAUGE_VALUES, HealthBoard, type HealthBoardEvents, type HealthBoardOptions } from './health-board.js';
export { ProviderBreaker, type BreakerSnapshot, type BreakerState, type Clock, type ProviderBreakerEvents } from './provider-breaker.js';
export { zooKeeperHealthSource, type HealthSource, type ProviderHealth } from './health-source.js';
