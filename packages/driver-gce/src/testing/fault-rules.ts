import type { FakeCountRule } from '@nodepool/core/testing';

export type { FakeCountRule, FakeRuleState } from '@nodepool/core/testing';

/** Thrown for bad settings or rules: the control API answers 400, the command exits 2. */
export class FakeGceUsageError extends Error {
  override readonly name = 'FakeGceUsageError';
}

/** An API call answered with an error instead of being served. */
export interface FakeGceFault extends FakeCountRule {
  /** The operation (`instances.insert`, `instances.list`, …, as the counters name them), or `*`. */
  readonly operation: string;
  /** The HTTP status; 403 or 429 with reason `rateLimitExceeded` is throttling. */
  readonly status: number;
  /** `errors[0].reason`; default by status (`rateLimitExceeded` for 429, `backendError` for 5xx, …). */
  readonly reason?: string;
  readonly message?: string;
}

/** An accepted insert whose instance does not come up. */
export interface FakeGceBootFailure extends FakeCountRule {
  /**
   * `operation` (default): the zone operation ends with the error and the instance goes away,
   * as for a zone out of resources; `terminated`: the instance stays, TERMINATED.
   */
  readonly mode?: 'operation' | 'terminated';
  /** The operation's error code; default `ZONE_RESOURCE_POOL_EXHAUSTED`. */
  readonly code?: string;
  readonly message?: string;
}
