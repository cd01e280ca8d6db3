import { NotFoundError, type Logger, type RateLimiter, type Stats } from '@nodepool/core';
import { errorDetail, OpenStackApiError } from './openstack-errors.js';

/** A request body Node's fetch takes. */
export type RequestBody = NonNullable<RequestInit['body']>;

/** Which of the kit's limiters a call goes through. */
export type CallKind = 'read' | 'write';

/** One HTTP call to an OpenStack service. */
export interface HttpCall {
  readonly method: string;
  readonly url: string;
  /** How openstacksdk names the call (`compute.GET.servers_detail`), for errors, logs and timers. */
  readonly operation: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body (sent with `Content-Type: application/json`). */
  readonly json?: unknown;
  /** Any other body, made afresh for each attempt (a throttled upload is sent again from the start). */
  readonly body?: () => { data: RequestBody; contentType: string };
  /** Default: `read` for GET and HEAD, else `write`. */
  readonly kind?: CallKind;
  /** Statuses beyond 2xx that are answers, not errors (300 for version discovery). */
  readonly accept?: readonly number[];
  /** This call's timeout, instead of the client's (an image upload takes longer). */
  readonly timeoutMs?: number;
}

/** What came back: the status, headers and body (parsed when it is JSON). */
export interface HttpAnswer<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly data: T;
}

/** What every call goes through: the kit's limiters, a timeout, throttling, errors and timers. */
export interface HttpOptions {
  readonly rateLimits: { readonly mutating: RateLimiter; readonly readOnly: RateLimiter };
  readonly log: Logger;
  readonly stats?: Stats | undefined;
  /** `nodepool.task.<provider>` timers are named after this provider. */
  readonly provider: string;
  /** Per request; default 60 s. */
  readonly timeoutMs?: number;
  /** Throttled answers in a row a call rides out, each after backing its limiter off; default 10. */
  readonly maxThrottleRetries?: number;
  /** Added to every request (`User-Agent`). */
  readonly userAgent?: string;
}

/**
 * Sends one call through the kit's limiter of its kind. HTTP 429 and 413 (OpenStack's two ways
 * of saying "slow down") back that limiter off for the `Retry-After` the service names (a second
 * if none), so every caller pauses, and the call is sent again, up to `maxThrottleRetries` times.
 * A 404 is core's `NotFoundError`; any other error status an `OpenStackApiError` carrying the
 * service's message; network errors and timeouts pass through. Each answer is timed as `nodepool.task.<provider>.<operation>`.
 */
export async function sendHttp<T = unknown>(options: HttpOptions, call: HttpCall): Promise<HttpAnswer<T>> {
  const kind = call.kind ?? (call.method === 'GET' || call.method === 'HEAD' ? 'read' : 'write');
  const limiter = kind === 'read' ? options.rateLimits.readOnly : options.rateLimits.mutating;
  const maxRetries = options.maxThrottleRetries ?? 10;
  for (let attempt = 0; ; attempt++) {
    const started = Date.now();
    const response = await limiter.run(() => fetch(call.url, request(options, call)));
    options.stats?.timing(`nodepool.task.${options.provider}.${call.operation}`, Date.now() - started);
    if ((response.status === 429 || response.status === 413) && attempt < maxRetries) {
      // A 413 without Retry-After is a request that is too large, not a throttle.
      const retryAfter = retryAfterMs(response.headers.get('retry-after'));
      if (response.status === 429 || retryAfter !== undefined) {
        await response.arrayBuffer().catch(() => undefined);
        options.log.debug('OpenStack throttled a call; backing off', { operation: call.operation, status: response.status, retryAfterMs: retryAfter ?? 1000, attempt });
        limiter.backOff(retryAfter ?? 1000);
        continue;
      }
    }
    const text = response.status === 204 || call.method === 'HEAD' ? '' : await response.text();
    if (!response.ok && !call.accept?.includes(response.status)) {
      const detail = errorDetail(text, response.headers.get('content-type'));
      const error = new OpenStackApiError(`OpenStack ${call.operation}: HTTP ${response.status}: ${detail}`, response.status, call.operation, detail);
      // Gone is gone: a deletion of it counts as done, a lookup finds nothing.
      throw response.status === 404 ? new NotFoundError(error.message, { cause: error }) : error;
    }
    const isJson = (response.headers.get('content-type') ?? '').includes('json') && text !== '';
    return { status: response.status, headers: response.headers, data: (isJson ? JSON.parse(text) : text) as T };
  }
}

function request(options: HttpOptions, call: HttpCall): RequestInit & { duplex?: 'half' } {
  const headers: Record<string, string> = { Accept: 'application/json', ...(options.userAgent ? { 'User-Agent': options.userAgent } : {}), ...call.headers };
  let body: RequestBody | undefined;
  if (call.json !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.body) {
    const made = call.body();
    headers['Content-Type'] = made.contentType;
    body = made.data;
  }
  return {
    method: call.method,
    headers,
    body,
    signal: AbortSignal.timeout(call.timeoutMs ?? options.timeoutMs ?? 60_000),
    // A streamed body (an image upload) needs this in Node's fetch.
    ...(body instanceof ReadableStream ? { duplex: 'half' as const } : {}),
  };
}

/** `Retry-After` in ms: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
