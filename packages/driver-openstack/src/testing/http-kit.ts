import { isoSeconds, jsonReply, type FakeApiRequest, type FakeHttpReply } from '@nodepool/core/testing';

/** An HTTP answer of the fake, before it is written. */
export type HttpReply = FakeHttpReply;

/** One API request as a service handler sees it: the path below the service's prefix (`['v2.1', 'servers', 'detail']`). */
export type ApiRequest = FakeApiRequest;

/**
 * An error a service answers with: the status and message, shaped into the service's own error
 * body by `errorReply` (Nova's `{"itemNotFound": {...}}`, Neutron's `{"NeutronError": {...}}`, …).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Neutron's exception type (`PortNotFound`); other services ignore it. */
    readonly type?: string,
    /** Extra headers (`Retry-After`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const json = jsonReply;

export const noContent = (status = 204, headers: Readonly<Record<string, string>> = {}): HttpReply => ({ status, headers });

/** The request body as a JSON object; a 400 in the service's format otherwise. */
export function jsonBody(request: ApiRequest): Record<string, unknown> {
  if (request.body.length === 0) throw new ApiError(400, 'The request body is missing.');
  let data: unknown;
  try {
    data = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'Malformed request body: the body is not valid JSON.');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ApiError(400, 'Malformed request body: a JSON object is expected.');
  return data as Record<string, unknown>;
}

/** `body[key]` as an object, or a 400 naming the key. */
export function member(body: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = body[key];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ApiError(400, `Invalid input for field/attribute ${key}. Value: ${JSON.stringify(value)}. Expected an object.`);
  return value as Record<string, unknown>;
}

export { isoSeconds };

/** Keystone's and Cinder's microsecond timestamps (`2024-05-01T10:00:00.000000Z`). */
export function isoMicros(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A fresh MAC address in OpenStack's `fa:16:3e` range. */
export function macAddress(counter: number): string {
  const bytes = [(counter >> 16) & 0xff, (counter >> 8) & 0xff, counter & 0xff];
  return `fa:16:3e:${bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`;
}

/**
 * Neutron-style list filtering: every query parameter naming a top-level scalar field must match
 * (several values of one parameter are alternatives); `fields`, `limit`, `marker`, `sort_*` and
 * unknown fields are left to the caller or ignored.
 */
export function filterByQuery<T extends object>(items: readonly T[], query: URLSearchParams, ignore: readonly string[] = []): T[] {
  const skip = new Set(['fields', 'limit', 'marker', 'sort_key', 'sort_dir', 'page_reverse', ...ignore]);
  const wanted = new Map<string, string[]>();
  for (const [key, value] of query) {
    if (skip.has(key)) continue;
    wanted.set(key, [...(wanted.get(key) ?? []), value]);
  }
  return items.filter((item) => {
    for (const [key, values] of wanted) {
      if (!(key in item)) continue;
      const actual = (item as Record<string, unknown>)[key];
      if (actual !== null && typeof actual === 'object') continue;
      const text = actual === null ? '' : String(actual);
      if (!values.some((value) => value === text || (typeof actual === 'boolean' && value.toLowerCase() === text))) return false;
    }
    return true;
  });
}

/** `limit` and `marker` paging over items with an `id`, as Neutron, Nova and Glance page. */
export function page<T extends { id: string }>(items: readonly T[], query: URLSearchParams, maxLimit = 1000): { items: T[]; more: boolean } {
  const marker = query.get('marker');
  let start = 0;
  if (marker !== null) {
    const index = items.findIndex((item) => item.id === marker);
    if (index < 0) throw new ApiError(400, `marker [${marker}] not found`, 'BadRequest');
    start = index + 1;
  }
  const requested = query.get('limit');
  const limit = requested === null ? maxLimit : Math.min(maxLimit, Number(requested));
  if (!Number.isInteger(limit) || limit < 0) throw new ApiError(400, `Invalid limit: ${requested}`, 'BadRequest');
  const slice = items.slice(start, start + limit);
  return { items: slice, more: start + limit < items.length };
}

/** Only the `fields` asked for (Neutron's `?fields=id&fields=name`), or everything. */
export function selectFields(item: Record<string, unknown>, query: URLSearchParams): Record<string, unknown> {
  const fields = query.getAll('fields');
  if (fields.length === 0) return item;
  return Object.fromEntries(fields.filter((field) => field in item).map((field) => [field, item[field]]));
}
