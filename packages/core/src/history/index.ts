export { systemClock, type HistoryClock } from './clock.js';
export { MAX_PROVIDERS_PER_SAMPLE, OTHER_PROVIDERS, type HistorySample, type ProviderLaunches } from './history-sample.js';
export { LaunchOutcomeWatcher, type LaunchOutcome } from './launch-outcomes.js';
export {
  DEFAULT_HISTORY_CAPACITY,
  DEFAULT_HISTORY_INTERVAL_MS,
  LauncherHistory,
  type LauncherHistoryEvents,
  type LauncherHistoryOptions,
} from './launcher-history.js';
export { RequestWaitWatcher, type CompletedRequest } from './request-waits.js';
export { RingBuffer } from './ring-buffer.js';
export { MAX_KEPT_WAITS, percentile, WaitSample, type WaitSummary } from './wait-sample.js';
