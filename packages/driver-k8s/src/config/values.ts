/** Readers for values that passed the schema (integers already plain numbers). */

export type Entry = Readonly<Record<string, unknown>>;

/** An `int` key as a number: Python counts booleans as integers, so `true` is 1. */
export function integer(value: unknown, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

export function optionalInteger(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/** The value, or null when the key is absent (Nodepool's `dict.get(key)`). */
export function optional<T>(value: unknown): T | null {
  return value === undefined ? null : (value as T);
}

/** A `{str: int}` mapping with its values as numbers. */
export function integerMap(value: unknown): Record<string, number> {
  return Object.fromEntries(Object.entries((value as Entry | undefined) ?? {}).map(([key, amount]) => [key, Number(amount)]));
}
