/** Thrown for bad settings or rules: the control API answers 400, the command exits 2. */
export class FakeAzureUsageError extends Error {
  override readonly name = 'FakeAzureUsageError';
}

/**
 * Which calls a rule hits, by count, never by clock: the first `first` calls after the rule is
 * set, then every `every`-th call after those. Tests that inject faults use counts, so they do
 * not depend on the machine's speed.
 */
export interface FakeCountRule {
  /** Calls hit from the start of the rule; default 1 when `every` is not given, else 0. */
  readonly first?: number;
  /** After the first ones, every this many calls one is hit; 1 hits them all. */
  readonly every?: number;
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

/** A rule as the fake keeps it: what it was given and how many calls it has seen. */
export type FakeRuleState<T> = T & { readonly id: number; readonly seen: number; readonly fired: number };

/** Rules matched by count; one that can fire no more is dropped. */
export class CountRules<T extends FakeCountRule> {
  private rules: { id: number; rule: T; seen: number; fired: number }[] = [];
  private nextId = 1;

  add(rule: T): void {
    const whole = (name: 'first' | 'every', min: number): void => {
      const value = rule[name];
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) throw new FakeAzureUsageError(`${name} must be an integer >= ${min}`);
    };
    whole('first', 0);
    whole('every', 1);
    if (rule.first === 0 && rule.every === undefined) throw new FakeAzureUsageError('the rule hits nothing: give first >= 1 or every');
    this.rules.push({ id: this.nextId++, rule, seen: 0, fired: 0 });
  }

  /** The first matching rule that fires on this call (every matching rule counts the call). */
  take(matches: (rule: T) => boolean): T | undefined {
    let firing: T | undefined;
    for (const entry of this.rules) {
      if (!matches(entry.rule)) continue;
      entry.seen++;
      const first = entry.rule.first ?? (entry.rule.every === undefined ? 1 : 0);
      const every = entry.rule.every;
      if ((entry.seen <= first || (every !== undefined && (entry.seen - first) % every === 0)) && firing === undefined) {
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

/** Checks an object from the control API against the keys a rule may have. */
export function checkRule<T>(value: unknown, keys: readonly string[], what: string): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FakeAzureUsageError(`a ${what} must be an object`);
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw new FakeAzureUsageError(`unknown ${what} key ${key}`);
  return value as T;
}
