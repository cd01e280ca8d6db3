/**
 * Checks of the JSON the simulated cloud is sent. Each returns the value typed, or throws a
 * `BadRequest` naming the field, so a client bug shows as a clear HTTP 400.
 */
import { badRequest } from './sim-cloud-error.js';

export type JsonObject = Record<string, unknown>;

export function requireObject(value: unknown, what: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${what} must be a JSON object`);
  return value as JsonObject;
}

export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw badRequest(`${key} must be a non-empty string`);
  return value;
}

export function requireString(body: JsonObject, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined) throw badRequest(`${key} is required`);
  return value;
}

/** A number at least `min` (and at most `max`); `null` passes when `nullable`. */
export function optionalNumber(
  body: JsonObject,
  key: string,
  options: { min?: number; max?: number; integer?: boolean; nullable?: boolean } = {},
): number | null | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (value === null && options.nullable) return null;
  const { min = 0, max = Infinity, integer = false } = options;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw badRequest(`${key} must be ${integer ? 'an integer' : 'a number'} ${range}${options.nullable ? ', or null' : ''}`);
  }
  return value;
}

/** String-to-string tags; absent is `{}`. */
export function optionalTags(body: JsonObject, key: string): Record<string, string> {
  const value = body[key];
  if (value === undefined || value === null) return {};
  const tags = requireObject(value, key);
  for (const [name, tag] of Object.entries(tags)) {
    if (typeof tag !== 'string') throw badRequest(`${key}.${name} must be a string`);
  }
  return { ...(tags as Record<string, string>) };
}
