import { FakeOpenStackUsageError } from './fake-openstack-settings.js';

/**
 * Which calls fail, by count, never by clock: the first `first` calls after the rule is set,
 * then every `every`-th call after those. A test that injects faults uses counts, so it does not
 * depend on the machine's speed.
 */
export interface FakeCountRule {
  /** Calls failed from the start of the rule; default 1 when `every` is not given, else 0. */
  readonly first?: number;
  /** After the first ones, every this many calls one fails; 1 fails them all. */
  readonly every?: number;
}

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

/** A rule as the fake keeps it: what it was given and how many calls it has seen. */
export type FakeRuleState<T> = T & { readonly id: number; readonly seen: number; readonly fired: number };

/** Rules matched by count; one that can fire no more is dropped. */
export class CountRules<T extends FakeCountRule> {
  private rules: { id: number; rule: T; seen: number; fired: number }[] = [];
  private nextId = 1;

  add(rule: T): void {
    checkCounts(rule);
    this.rules.push({ id: this.nextId++, rule, seen: 0, fired: 0 });
  }

  /** The first rule `matches` accepts that fires on this call (every matching rule counts the call). */
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
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) {
      throw new FakeOpenStackUsageError(`${name} must be an integer >= ${min}`);
    }
  };
  whole('first', 0);
  whole('every', 1);
  if (rule.first === 0 && rule.every === undefined) throw new FakeOpenStackUsageError('the rule fails nothing: give first >= 1 or every');
}

/** Checks a fault from the control API. */
export function checkFault(value: unknown): FakeFault {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FakeOpenStackUsageError('a fault must be an object');
  const fault = value as Record<string, unknown>;
  for (const key of Object.keys(fault)) {
    if (!['operation', 'status', 'message', 'retryAfterS', 'first', 'every'].includes(key)) throw new FakeOpenStackUsageError(`unknown fault key ${key}`);
  }
  if (typeof fault.operation !== 'string' || fault.operation === '') throw new FakeOpenStackUsageError('operation must name an API call (compute.POST.servers) or be *');
  if (typeof fault.status !== 'number' || !Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) throw new FakeOpenStackUsageError('status must be an HTTP error status (400-599)');
  if (fault.message !== undefined && typeof fault.message !== 'string') throw new FakeOpenStackUsageError('message must be a string');
  if (fault.retryAfterS !== undefined && (typeof fault.retryAfterS !== 'number' || fault.retryAfterS < 0)) throw new FakeOpenStackUsageError('retryAfterS must be a number >= 0');
  return fault as unknown as FakeFault;
}

/** Checks a boot failure from the control API. */
export function checkBootFailure(value: unknown): FakeBootFailure {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FakeOpenStackUsageError('a boot failure must be an object');
  const failure = value as Record<string, unknown>;
  for (const key of Object.keys(failure)) {
    if (!['message', 'code', 'first', 'every'].includes(key)) throw new FakeOpenStackUsageError(`unknown boot failure key ${key}`);
  }
  if (failure.message !== undefined && typeof failure.message !== 'string') throw new FakeOpenStackUsageError('message must be a string');
  if (failure.code !== undefined && (typeof failure.code !== 'number' || !Number.isInteger(failure.code))) throw new FakeOpenStackUsageError('code must be an integer');
  return failure as unknown as FakeBootFailure;
}

/** Whether a status is throttling (answered with Retry-After). */
export function isThrottleStatus(status: number): boolean {
  return status === 413 || status === 429;
}
