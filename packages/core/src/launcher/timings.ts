/**
 * How often the launcher's background work runs (protocol spec §10). Request handling itself is
 * driven by cache events; these intervals only pace housekeeping. Tests shorten them.
 */
export interface LauncherTimings {
  /** Min-ready bookkeeping and other main-loop work. */
  mainLoopMs: number;
  /** The deleted-node worker: reaping unlocked nodes, deallocating orphaned ready nodes. */
  deletedNodeIntervalMs: number;
  /** The cleanup worker: lost requests, lock directories, empty znodes, ages, leaks. */
  cleanupIntervalMs: number;
  /**
   * A lock audit that found contenders of our session nobody here knows looks again after this
   * long, and deletes those it sees a second time.
   */
  lockAuditFollowUpMs: number;
  /** A request-lock directory without its request is removed once this old. */
  requestLockExpiryMs: number;
  /** Longest a provider may take to delete one node's resources. */
  nodeDeleteTimeoutMs: number;
  /** Pool workers re-check their requests at least this often even without events. */
  poolWorkerFallbackMs: number;
  /** Node gauges are recomputed at most this often. */
  statsIntervalMs: number;
  /** State-machine providers list their instances at most this often. */
  listingIntervalMs: number;
  /** State-machine providers read their quota limits again after this long. */
  quotaCacheMs: number;
  /**
   * A request whose launch the cloud refused for quota waits this long before launching again,
   * twice as long after each refusal in a row (up to 30 times this): the cloud's usage figures
   * may say there is room that its create calls deny.
   */
  quotaRefusalRetryMs: number;
}

export const DEFAULT_TIMINGS: LauncherTimings = {
  mainLoopMs: 1_000,
  deletedNodeIntervalMs: 5_000,
  cleanupIntervalMs: 60_000,
  lockAuditFollowUpMs: 5_000,
  requestLockExpiryMs: 8 * 3600_000,
  nodeDeleteTimeoutMs: 600_000,
  poolWorkerFallbackMs: 10_000,
  statsIntervalMs: 1_000,
  listingIntervalMs: 1_000,
  quotaCacheMs: 300_000,
  quotaRefusalRetryMs: 1_000,
};
