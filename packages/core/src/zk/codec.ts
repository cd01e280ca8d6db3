/**
 * Table-driven mapping between a record's JSON keys (the wire contract) and a model's
 * camelCase properties, so each key is spelled once.
 */

/** Reads one JSON value; `present` is false when the key was absent. */
export type FieldReader<V> = (value: unknown, present: boolean) => V;

export interface Field<T, K extends keyof T = keyof T> {
  /** The key in the znode's JSON. */
  json: string;
  /** The model property. */
  prop: K;
  read: FieldReader<T[K]>;
}

/** Declares one field; the helper keeps `prop` and `read` type-linked. */
export function field<T, K extends keyof T>(json: string, prop: K, read: FieldReader<T[K]>): Field<T, K> {
  return { json, prop, read };
}

export class RecordCodec<T> {
  constructor(private readonly fields: readonly Field<T, keyof T>[]) {}

  /** Fills `target` from JSON, applying each field's reader (and its default when absent). */
  read(json: Record<string, unknown>, target: T): T {
    for (const { json: key, prop, read } of this.fields) {
      target[prop] = read(json[key], Object.hasOwn(json, key));
    }
    return target;
  }

  /** Every key of the record, in table order; absent values are written as null. */
  write(source: T): Record<string, unknown> {
    const json: Record<string, unknown> = {};
    for (const { json: key, prop } of this.fields) json[key] = source[prop] ?? null;
    return json;
  }
}

// ---- readers: lenient about what others wrote, strict about what we keep -------------------

export const asString =
  (fallback: string | null = null): FieldReader<string | null> =>
  (value) =>
    typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : fallback;

export const asNumber =
  (fallback: number | null = null): FieldReader<number | null> =>
  (value) =>
    typeof value === 'number' ? value : fallback;

export const asInteger =
  (fallback: number): FieldReader<number> =>
  (value) =>
    typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : fallback;

export const asBoolean =
  (fallback: boolean): FieldReader<boolean> =>
  (value) =>
    typeof value === 'boolean' ? value : fallback;

export const asStringList: FieldReader<string[]> = (value) => {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  // Legacy records may hold a single label as a bare string.
  if (typeof value === 'string' && value !== '') return [value];
  return [];
};

/** Any JSON value, kept as is (opaque data such as `requestor_data`). */
export const asJson: FieldReader<unknown> = (value) => (value === undefined ? null : value);

export const asObject: FieldReader<Record<string, unknown> | null> = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
