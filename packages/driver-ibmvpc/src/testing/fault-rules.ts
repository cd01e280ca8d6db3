import { FakeIbmVpcUsageError } from './fake-ibmvpc-settings.js';

/**
 * Which calls are hit, by count, never by clock: the first `first` calls after the rule is set,
 * then every `every`-th call after those. Tests inject faults by count, so they do not depend on
 * the machine's speed.
 */
export interface FakeCountRule {
  /** Calls hit from the start of the rule; default 1 when `every` is not given, else 0. */
  readonly first?: number;
  /** After the first ones, every this many calls one is hit; 1 hits them all. */
  readonly every?: number;
}

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

/** A rule as the fake keeps it: what it was given and how many calls it has seen. */
export type FakeRuleState<T> = T & { readonly id: number; readonly seen: number; readonly fired: number };

/** Rules matched by count; one that can fire no more is dropped. */
export class CountRules<T extends FakeCountRule> {
  private rules: { id: number; rule: T; seen: number; fired: number }[] = [];
  private nextId = 1;

  add(rule: T): void {
    for (const [name, min] of [['first', 0], ['every', 1]] as const) {
      const value = rule[name];
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) throw new FakeIbmVpcUsageError(`${name} must be an integer >= ${min}`);
    }
    if (rule.first === 0 && rule.every === undefined) throw new FakeIbmVpcUsageError('the rule hits nothing: give first >= 1 or every');
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

/** Checks a fault from the control API. */
export function checkFault(value: unknown): FakeFault {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FakeIbmVpcUsageError('a fault must be an object');
  const fault = value as Record<string, unknown>;
  for (const key of Object.keys(fault)) {
    if (!['operation', 'status', 'code', 'message', 'retryAfterS', 'first', 'every'].includes(key)) throw new FakeIbmVpcUsageError(`unknown fault key ${key}`);
  }
  if (typeof fault.operation !== 'string' || fault.operation === '') throw new FakeIbmVpcUsageError('operation must name an API call (vpc.POST.instances) or be *');
  if (typeof fault.status !== 'number' || !Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) throw new FakeIbmVpcUsageError('status must be an HTTP error status (400-599)');
  for (const key of ['code', 'message'] as const) if (fault[key] !== undefined && typeof fault[key] !== 'string') throw new FakeIbmVpcUsageError(`${key} must be a string`);
  if (fault.retryAfterS !== undefined && (typeof fault.retryAfterS !== 'number' || fault.retryAfterS < 0)) throw new FakeIbmVpcUsageError('retryAfterS must be a number >= 0');
  return fault as unknown as FakeFault;
}

/** Checks a boot failure from the control API. */
export function checkBootFailure(value: unknown): FakeBootFailure {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FakeIbmVpcUsageError('a boot failure must be an object');
  const failure = value as Record<string, unknown>;
  for (const key of Object.keys(failure)) if (!['message', 'first', 'every'].includes(key)) throw new FakeIbmVpcUsageError(`unknown boot failure key ${key}`);
  if (failure.message !== undefined && typeof failure.message !== 'string') throw new FakeIbmVpcUsageError('message must be a string');
  return failure as unknown as FakeBootFailure;
}
