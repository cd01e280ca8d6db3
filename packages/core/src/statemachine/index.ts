export { SharedInstanceListing } from './instance-listing.js';
export { PacedRateLimiter } from './rate-limiter.js';
export { StateMachineHandler } from './state-machine-handler.js';
export {
  DEFAULT_STATE_MACHINE_TIMINGS,
  StateMachineProvider,
  nodeMetadata,
  type StateMachineTimings,
} from './state-machine-provider.js';
export { TtlCache } from './ttl-cache.js';
