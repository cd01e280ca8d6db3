import type { FakeCountRule } from '@nodepool/core/testing';

export type { FakeCountRule, FakeRuleState } from '@nodepool/core/testing';

/** Thrown for bad settings or rules: the control API answers 400, the command exits 2. */
export class FakeAzureUsageError extends Error {
  override readonly name = 'FakeAzureUsageError';
}

/** An API call answered with an error instead of being served. */
export interface FakeAzureFault extends FakeCountRule {
  /** The operation (`virtualMachines.createOrUpdate`, `publicIPAddresses.list`, …, as counted), or `*`. */
  readonly operation: string;
  /** The HTTP status: 409 (a conflict), 429 (throttling, with `Retry-After`), 500, 503, … */
  readonly status: number;
  /** The error code; default by status (`Conflict`, `TooManyRequests`, `InternalServerError`, …). */
  readonly code?: string;
  readonly message?: string;
  /** `Retry-After` seconds of a 429; default 1. */
  readonly retryAfterS?: number;
}

/** A virtual machine that fails to provision (its state and operation end `Failed`). */
export interface FakeAzureBootFailure extends FakeCountRule {
  /** Default `AllocationFailed`. */
  readonly code?: string;
  readonly message?: string;
}
