import { FakeK8sUsageError } from './fake-k8s-settings.js';

/**
 * Which calls or objects a rule hits, by count, never by clock: the first `first` after the rule
 * is set, then every `every`-th after those. Tests inject faults by count, so they do not depend
 * on the machine's speed.
 */
export interface FakeCountRule {
  /** Hits from the start of the rule; default 1 when `every` is not given, else 0. */
  readonly first?: number;
  /** After the first ones, every this many one is hit; 1 hits them all. */
  readonly every?: number;
}

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

/** A rule as the fake keeps it: what it was given and how many it has seen and hit. */
export type FakeRuleState<T> = T & { readonly id: number; readonly seen: number; readonly fired: number };

/** Rules matched by count; one that can hit no more is dropped. */
export class CountRules<T extends FakeCountRule> {
  private rules: { id: number; rule: T; seen: number; fired: number }[] = [];
  private nextId = 1;

  add(rule: T): void {
    checkCounts(rule);
    this.rules.push({ id: this.nextId++, rule, seen: 0, fired: 0 });
  }

  /** The first rule `matches` accepts that fires now (every matching rule counts the call). */
  take(matches: (rule: T) => boolean): T | undefined {
    let firing: T | undefined;
    for (const entry of this.rules) {
      if (!matches(entry.rule)) continue;
      entry.seen++;
      const first = entry.rule.first ?? (entry.rule.every === undefined ? 1 : 0);
      const every = entry.rule.every;
      const fires = entry.seen <= first || (every !== undefined && (entry.seen - first) % every === 0);
      if (fires && firing === undefined) {
        entry.fired++;
        firing = entry.rule;
      }
    }
    this.rules = this.rules.filter((entry) => entry.rule.every !== undefined || entry.seen < (entry.rule.first ?? 1));
    return firing;
  }

  list(): FakeRuleState<T>[] {
    return this.rules.map((entry) => ({ ...entry.rule, id: entry.id, seen: entry.seen, fired: entry.fired }));
  }

  clear(): void {
    this.rules = [];
  }
}

function checkCounts(rule: FakeCountRule): void {
  const whole = (name: 'first' | 'every', min: number): void => {
    const value = rule[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) throw new FakeK8sUsageError(`${name} must be an integer >= ${min}`);
  };
  whole('first', 0);
  whole('every', 1);
  if (rule.first === 0 && rule.every === undefined) throw new FakeK8sUsageError('the rule hits nothing: give first >= 1 or every');
}

function checkKeys(value: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FakeK8sUsageError(`${what} must be an object`);
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw new FakeK8sUsageError(`unknown ${what} key ${key}`);
  return value as Record<string, unknown>;
}

/** Checks a fault from the control API. */
export function checkFault(value: unknown): FakeFault {
  const fault = checkKeys(value, 'fault', ['operation', 'status', 'reason', 'message', 'retryAfterS', 'first', 'every']);
  if (typeof fault.operation !== 'string' || fault.operation === '') throw new FakeK8sUsageError('operation must name an API call ("create namespaces") or be *');
  if (typeof fault.status !== 'number' || !Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) throw new FakeK8sUsageError('status must be an HTTP error status (400-599)');
  for (const name of ['reason', 'message'] as const) if (fault[name] !== undefined && typeof fault[name] !== 'string') throw new FakeK8sUsageError(`${name} must be a string`);
  if (fault.retryAfterS !== undefined && (typeof fault.retryAfterS !== 'number' || fault.retryAfterS < 0)) throw new FakeK8sUsageError('retryAfterS must be a number >= 0');
  return fault as unknown as FakeFault;
}

/** Checks a pod failure from the control API. */
export function checkPodFailure(value: unknown): FakePodFailure {
  const failure = checkKeys(value, 'pod failure', ['reason', 'message', 'phase', 'image', 'name', 'namespace', 'first', 'every']);
  if (typeof failure.reason !== 'string' || failure.reason === '') throw new FakeK8sUsageError('reason must be a non-empty string (ImagePullBackOff, ErrImagePull, …)');
  if (failure.phase !== undefined && failure.phase !== 'Pending' && failure.phase !== 'Failed') throw new FakeK8sUsageError('phase must be Pending or Failed');
  for (const name of ['message', 'image', 'name', 'namespace'] as const) if (failure[name] !== undefined && typeof failure[name] !== 'string') throw new FakeK8sUsageError(`${name} must be a string`);
  return failure as unknown as FakePodFailure;
}
