import { checkFaultRule, checkRuleKeys, type CountRuleWording, type FakeCountRule } from '@nodepool/core/testing';
import { FakeOpenStackUsageError } from './fake-openstack-settings.js';

export type { FakeCountRule, FakeRuleState } from '@nodepool/core/testing';

/** This fake's rules fail calls: a rule that can fail none is said to fail nothing. */
export const FAILS: CountRuleWording = { hits: 'fails' };

/** An API call answered with an error instead of being served. */
export interface FakeFault extends FakeCountRule {
  /** The operation, as `apiCallName` names it (`compute.POST.servers`), or `*` for every API call. */
  readonly operation: string;
  /**
   * The HTTP status: 409, 503, 500, 400, 403 (with a quota message: Nova's "Quota exceeded"), and
   * 413 or 429, which are throttling (sent with `Retry-After`, counted as `<operation>.throttled`).
   */
  readonly status: number;
  /** The error message; default: the service's usual one for the status. */
  readonly message?: string;
  /** `Retry-After` seconds for 413 and 429; default 1. */
  readonly retryAfterS?: number;
}

/** A server that goes to `ERROR` (with this fault) instead of `ACTIVE`. */
export interface FakeBootFailure extends FakeCountRule {
  /** The fault message; default Nova's "No valid host was found. …". */
  readonly message?: string;
  /** The fault code; default 500. */
  readonly code?: number;
}

/** Checks a fault from the control API. */
export function checkFault(value: unknown): FakeFault {
  const keys = ['operation', 'status', 'message', 'retryAfterS', 'first', 'every'];
  return checkFaultRule<FakeFault>(value, { keys, example: 'compute.POST.servers', strings: ['message'] }, FakeOpenStackUsageError);
}

/** Checks a boot failure from the control API. */
export function checkBootFailure(value: unknown): FakeBootFailure {
  const failure = checkRuleKeys(value, ['message', 'code', 'first', 'every'], 'boot failure', FakeOpenStackUsageError);
  if (failure.message !== undefined && typeof failure.message !== 'string') throw new FakeOpenStackUsageError('message must be a string');
  if (failure.code !== undefined && (typeof failure.code !== 'number' || !Number.isInteger(failure.code))) throw new FakeOpenStackUsageError('code must be an integer');
  return failure as unknown as FakeBootFailure;
}

/** Whether a status is throttling (answered with Retry-After). */
export function isThrottleStatus(status: number): boolean {
  return status === 413 || status === 429;
}
