import { checkFaultRule, checkRuleKeys, type FakeCountRule } from '@nodepool/core/testing';
import { FakeIbmVpcUsageError } from './fake-ibmvpc-settings.js';

export type { FakeCountRule, FakeRuleState } from '@nodepool/core/testing';

/** A call answered with an error instead of being served. */
export interface FakeFault extends FakeCountRule {
  /** The operation (`vpc.POST.instances`, `iam.POST.token`, `cos.PUT.object`), or `*` for every call. */
  readonly operation: string;
  /** The HTTP status; 429 is throttling (sent with `Retry-After`, counted as `<operation>.throttled`). */
  readonly status: number;
  /** The error code; default the service's usual one for the status. */
  readonly code?: string;
  readonly message?: string;
  /** `Retry-After` seconds of a 429; default 1. */
  readonly retryAfterS?: number;
}

/** An instance that goes to `failed` instead of `running`. */
export interface FakeBootFailure extends FakeCountRule {
  /** The status reason's message; default the VPC's for a host that could not be found. */
  readonly message?: string;
}

/** Checks a fault from the control API. */
export function checkFault(value: unknown): FakeFault {
  const keys = ['operation', 'status', 'code', 'message', 'retryAfterS', 'first', 'every'];
  return checkFaultRule<FakeFault>(value, { keys, example: 'vpc.POST.instances', strings: ['code', 'message'] }, FakeIbmVpcUsageError);
}

/** Checks a boot failure from the control API. */
export function checkBootFailure(value: unknown): FakeBootFailure {
  const failure = checkRuleKeys(value, ['message', 'first', 'every'], 'boot failure', FakeIbmVpcUsageError);
  if (failure.message !== undefined && typeof failure.message !== 'string') throw new FakeIbmVpcUsageError('message must be a string');
  return failure as unknown as FakeBootFailure;
}
