import type { NodeState } from '../zk/node.js';

/** Launches that ended in a sampling interval, for one provider. */
export interface ProviderLaunches {
  /** Nodes that became ready. */
  readonly launched: number;
  /** Nodes that failed or were aborted. */
  readonly failed: number;
}

/**
 * One point of the launcher's history: the state at `time`, and what happened in the `interval`
 * seconds before it. The keys are those of `GET /history`'s JSON.
 */
export interface HistorySample {
  /** Epoch seconds the sample was taken. */
  readonly time: number;
  /** Seconds covered: since the previous sample, or since sampling began. */
  readonly interval: number;
  /** Nodes in each of the 11 states at `time` (every state present, zeros included). */
  readonly nodes: Readonly<Record<NodeState, number>>;
  /** Requests open (requested or pending) at `time`. */
  readonly requests: number;
  /** Requests fulfilled or failed in the interval, and their waits' p50 and p95 in seconds (null without any). */
  readonly request_wait: { readonly count: number; readonly p50: number | null; readonly p95: number | null };
  /**
   * Launches that ended in the interval, by provider (only providers with one). Beyond
   * `MAX_PROVIDERS_PER_SAMPLE` providers, the rest are summed under `OTHER_PROVIDERS`.
   */
  readonly launches: Readonly<Record<string, ProviderLaunches>>;
}

/** A sample names at most this many providers, so its size is bounded whatever ZooKeeper holds. */
export const MAX_PROVIDERS_PER_SAMPLE = 64;
/** The key under which the launches of providers beyond the limit are summed. */
export const OTHER_PROVIDERS = '(other providers)';
