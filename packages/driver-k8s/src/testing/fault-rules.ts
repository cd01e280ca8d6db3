import { checkFaultRule, checkRuleKeys, type FakeCountRule } from '@nodepool/core/testing';
import { FakeK8sUsageError } from './fake-k8s-settings.js';

export type { FakeCountRule, FakeRuleState } from '@nodepool/core/testing';

/** An API call answered with an error Status instead of being served. */
export interface FakeFault extends FakeCountRule {
  /**
   * The operation as the fake counts it, `<verb> <resource>` (`create namespaces`,
   * `get secrets`, `watch pods`, `create rolebindings.rbac.authorization.k8s.io`), or `*` for
   * every API call (discovery excepted).
   */
  readonly operation: string;
  /** 400-599; 429 is throttling (sent with `Retry-After`, counted as `<operation> throttled`). */
  readonly status: number;
  /** The Status reason; default the usual one for the status (`NotFound`, `AlreadyExists` needs saying). */
  readonly reason?: string;
  readonly message?: string;
  /** `Retry-After` seconds of a 429; default 1. */
  readonly retryAfterS?: number;
}

/**
 * Pods that never start, by count of pods created (optionally only those of one image, name or
 * namespace): they stay
 * `Pending` with a waiting container (`ImagePullBackOff`, `ErrImagePull`, …), or end `Failed`.
 */
export interface FakePodFailure extends FakeCountRule {
  /** The container's waiting reason (phase Pending) or the pod's reason (phase Failed). */
  readonly reason: string;
  readonly message?: string;
  /** `Pending` (default: stuck) or `Failed` (gave up). */
  readonly phase?: 'Pending' | 'Failed';
  /** Only pods whose first container runs this image count. */
  readonly image?: string;
  /** Only pods of this name count. */
  readonly name?: string;
  /** Only pods in this namespace count. */
  readonly namespace?: string;
}

/** Checks a fault from the control API. */
export function checkFault(value: unknown): FakeFault {
  const keys = ['operation', 'status', 'reason', 'message', 'retryAfterS', 'first', 'every'];
  return checkFaultRule<FakeFault>(value, { keys, example: '"create namespaces"', strings: ['reason', 'message'] }, FakeK8sUsageError);
}

/** Checks a pod failure from the control API. */
export function checkPodFailure(value: unknown): FakePodFailure {
  const failure = checkRuleKeys(value, ['reason', 'message', 'phase', 'image', 'name', 'namespace', 'first', 'every'], 'pod failure', FakeK8sUsageError);
  if (typeof failure.reason !== 'string' || failure.reason === '') throw new FakeK8sUsageError('reason must be a non-empty string (ImagePullBackOff, ErrImagePull, …)');
  if (failure.phase !== undefined && failure.phase !== 'Pending' && failure.phase !== 'Failed') throw new FakeK8sUsageError('phase must be Pending or Failed');
  for (const name of ['message', 'image', 'name', 'namespace'] as const) if (failure[name] !== undefined && typeof failure[name] !== 'string') throw new FakeK8sUsageError(`${name} must be a string`);
  return failure as unknown as FakePodFailure;
}
