import { NotFoundError, QuotaError } from '@nodepool/core';

/**
 * Compute Engine's error reasons (`error.errors[].reason`) that mean "slow down": the API's
 * per-minute rate limits, answered with 403 or 429.
 */
const THROTTLE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/** A Compute API error, as read from the REST answer. */
export class GceApiError extends Error {
  override readonly name = 'GceApiError';
  constructor(
    /** The HTTP status (0 when no answer came). */
    readonly status: number,
    /** The first `errors[].reason` (`notFound`, `rateLimitExceeded`, `quotaExceeded`, …), or ''. */
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface RestErrorBody {
  error?: { code?: number; message?: string; errors?: { reason?: string; message?: string }[] };
}

/**
 * What the REST transport threw, as (HTTP status, reason, message). google-gax throws either a
 * GaxiosError (HTTP status in `status`, the JSON body as message or `response.data`) or a
 * GoogleError decoded from the body (gRPC code in `code`); both carry the body's message.
 */
export function readGceError(error: unknown): { status: number; reason: string; message: string } {
  const candidate = error as { status?: unknown; code?: unknown; message?: unknown; response?: { status?: number; data?: unknown } };
  let body: RestErrorBody | undefined;
  const data = candidate.response?.data;
  if (data && typeof data === 'object') body = data as RestErrorBody;
  else if (typeof data === 'string') body = parseJson(data);
  if (!body && typeof candidate.message === 'string') body = parseJson(candidate.message);
  const status = typeof candidate.status === 'number' ? candidate.status : (candidate.response?.status ?? body?.error?.code ?? httpFromGrpc(candidate.code));
  const reason = body?.error?.errors?.[0]?.reason ?? '';
  const message = body?.error?.message ?? (typeof candidate.message === 'string' ? candidate.message : String(error));
  return { status, reason, message };
}

/** Whether Compute asked us to slow down (403/429 `rateLimitExceeded`). */
export function isThrottling(error: unknown): boolean {
  const { status, reason } = readGceError(error);
  return status === 429 || ((status === 403 || status === 429) && THROTTLE_REASONS.has(reason));
}

/**
 * Translates a Compute error into core's: 404 becomes `NotFoundError` (a delete of something
 * gone is done), `quotaExceeded` a `QuotaError` (the launch is aborted and the pool paused);
 * anything else a `GceApiError` naming the call.
 */
export function translateGceError(call: string, error: unknown): Error {
  if (error instanceof GceApiError || error instanceof NotFoundError || error instanceof QuotaError) return error;
  const { status, reason, message } = readGceError(error);
  const text = `GCE ${call}: ${message}`;
  if (status === 404) return new NotFoundError(text, { cause: error });
  if (reason === 'quotaExceeded' || reason === 'QUOTA_EXCEEDED') return new QuotaError(text, { cause: error });
  return new GceApiError(status, reason, text, { cause: error });
}

function parseJson(text: string): RestErrorBody | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as RestErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

/** gRPC status codes google-gax may have mapped an HTTP status to. */
function httpFromGrpc(code: unknown): number {
  const table: Record<number, number> = { 3: 400, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 13: 500, 14: 503, 16: 401, 4: 504 };
  return typeof code === 'number' ? (table[code] ?? 0) : 0;
}
