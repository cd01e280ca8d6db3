import { FakeCloudUsageError } from './fake-cloud-server.js';

/**
 * Which calls a fake cloud's rule hits, by count, never by clock: the first `first` calls after
 * the rule is set, then every `every`-th call after those. Tests inject faults by count, so they
 * do not depend on the machine's speed.
 */
export interface FakeCountRule {
  /** Calls hit from the start of the rule; default 1 when `every` is not given, else 0. */
  readonly first?: number;
  /** After the first ones, every this many calls one is hit; 1 hits them all. */
  readonly every?: number;
}

/** A rule as a fake keeps it: what it was given and how many calls it has seen and hit. */
export type FakeRuleState<T> = T & { readonly id: number; readonly seen: number; readonly fired: number };

/** The error a fake throws for a bad rule (its control API answers 400, its command exits 2). */
export type UsageErrorClass = new (message: string) => Error;

/** Whether the `n`-th call (from 1) is hit when the first `first` are, then every `every`-th after them. */
export function countHits(n: number, first: number, every: number | undefined): boolean {
  return n <= first || (every !== undefined && (n - first) % every === 0);
}

/** What the checks of a rule say when it can hit nothing: "hits" by default. */
export interface CountRuleWording {
  /** The verb for a hit call: "hits", or "fails" for a fake whose rules only fail calls. */
  readonly hits?: string;
}

/**
 * Checks `first` and `every` of a rule (whole numbers, and at least one call hit); throws
 * `usageError` naming the bad key.
 */
export function checkCountRule(rule: FakeCountRule, usageError: UsageErrorClass = FakeCloudUsageError, wording: CountRuleWording = {}): void {
  for (const [name, min] of [['first', 0], ['every', 1]] as const) {
    const value: unknown = rule[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) throw new usageError(`${name} must be an integer >= ${min}`);
  }
  if (rule.first === 0 && rule.every === undefined) throw new usageError(`the rule ${wording.hits ?? 'hits'} nothing: give first >= 1 or every`);
}

/** A fake cloud's rules matched by count, in the order they were added; one that can hit no more is dropped. */
export class CountRules<T extends FakeCountRule> {
  private rules: { id: number; rule: T; seen: number; fired: number }[] = [];
  private nextId = 1;

  /** `usageError` is what `add` throws for a bad rule. */
  constructor(
    private readonly usageError: UsageErrorClass = FakeCloudUsageError,
    private readonly wording: CountRuleWording = {},
  ) {}

  add(rule: T): void {
    checkCountRule(rule, this.usageError, this.wording);
    this.rules.push({ id: this.nextId++, rule, seen: 0, fired: 0 });
  }

  /** The first rule `matches` accepts that fires on this call (every matching rule counts the call). */
  take(matches: (rule: T) => boolean): T | undefined {
    let firing: T | undefined;
    for (const entry of this.rules) {
      if (!matches(entry.rule)) continue;
      entry.seen++;
      const first = entry.rule.first ?? (entry.rule.every === undefined ? 1 : 0);
      if (countHits(entry.seen, first, entry.rule.every) && firing === undefined) {
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

/**
 * Checks that a rule from a fake's control API is an object with only the `keys` a `what`
 * ("fault", "boot failure") may have; throws `usageError` otherwise.
 */
export function checkRuleKeys(value: unknown, keys: readonly string[], what: string, usageError: UsageErrorClass = FakeCloudUsageError): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new usageError(`a ${what} must be an object`);
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw new usageError(`unknown ${what} key ${key}`);
  return value as Record<string, unknown>;
}

/** The fields most fakes' faults share: the call they answer and the HTTP error they answer with. */
export interface FakeFaultBase extends FakeCountRule {
  /** The operation, as the fake counts calls, or `*` for every call. */
  readonly operation: string;
  /** The HTTP error status, 400-599. */
  readonly status: number;
  readonly message?: string;
  /** `Retry-After` seconds of a throttling answer. */
  readonly retryAfterS?: number;
}

/**
 * Checks a fault from a fake's control API: its keys, a named `operation` (`example` shows one),
 * an HTTP error `status`, the optional `strings`, and `retryAfterS` when `keys` has it.
 */
export function checkFaultRule<T extends FakeFaultBase>(
  value: unknown,
  spec: { readonly keys: readonly string[]; readonly example: string; readonly strings?: readonly string[] },
  usageError: UsageErrorClass = FakeCloudUsageError,
): T {
  const fault = checkRuleKeys(value, spec.keys, 'fault', usageError);
  if (typeof fault.operation !== 'string' || fault.operation === '') throw new usageError(`operation must name an API call (${spec.example}) or be *`);
  if (typeof fault.status !== 'number' || !Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) throw new usageError('status must be an HTTP error status (400-599)');
  for (const key of spec.strings ?? []) if (fault[key] !== undefined && typeof fault[key] !== 'string') throw new usageError(`${key} must be a string`);
  if (fault.retryAfterS !== undefined && (typeof fault.retryAfterS !== 'number' || fault.retryAfterS < 0)) throw new usageError('retryAfterS must be a number >= 0');
  return fault as unknown as T;
}
