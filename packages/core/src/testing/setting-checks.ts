import type { UsageErrorClass } from './count-rules.js';

/**
 * The checks a fake cloud's settings patch (`POST /_fake/settings`, the command's flags) is made
 * of. Each throws the fake's usage error with a message naming the key, so its control API
 * answers 400 and its command exits 2.
 */
export interface SettingChecks {
  fail(message: string): never;
  isRecord(value: unknown): value is Record<string, unknown>;
  /**
   * The patch's fields that are given (`undefined` ones are skipped), each a key of `known`;
   * throws for a patch that is not an object or for an unknown key.
   */
  entries(patch: unknown, known: readonly string[]): Iterable<[string, unknown]>;
  /** `value` as a number >= `min` (default 0). */
  count(value: unknown, key: string, min?: number): number;
  /** `value` as a dotted IPv4 address, or null. */
  ipv4OrNull(value: unknown, key: string): string | null;
  /** Per-operation latencies in milliseconds merged into `current`; `null` removes an operation's. */
  latencies(current: Readonly<Record<string, number>>, value: unknown, key: string): Record<string, number>;
}

/** The setting checks of a fake whose usage error is `usageError`. */
export function settingChecks(usageError: UsageErrorClass): SettingChecks {
  const fail = (message: string): never => {
    throw new usageError(message);
  };
  const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
  const count = (value: unknown, key: string, min = 0): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(`${key} must be a number >= ${min}`);
    return value as number;
  };
  return {
    fail,
    isRecord,
    *entries(patch, known) {
      if (!isRecord(patch)) fail('the settings must be an object');
      for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
        if (value === undefined) continue;
        // Checked as it comes, so the first bad field is the one named.
        if (!known.includes(key)) fail(`unknown setting ${key} (known: ${known.join(', ')})`);
        yield [key, value];
      }
    },
    count,
    ipv4OrNull(value, key) {
      if (value === null) return null;
      if (typeof value !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) fail(`${key} must be an IPv4 address or null`);
      return value as string;
    },
    latencies(current, value, key) {
      if (!isRecord(value)) fail(`${key} must be an object of numbers`);
      const merged: Record<string, number> = { ...current };
      for (const [name, amount] of Object.entries(value as Record<string, unknown>)) {
        if (amount === null) delete merged[name];
        else merged[name] = count(amount, `${key}.${name}`);
      }
      return merged;
    },
  };
}
