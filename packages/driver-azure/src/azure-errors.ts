import { NotFoundError, QuotaError } from '@nodepool/core';

/** An Azure API error, as read from the answer. */
export class AzureApiError extends Error {
  override readonly name = 'AzureApiError';
  constructor(
    /** The HTTP status (0 when no answer came). */
    readonly status: number,
    /** Azure's error code (`Conflict`, `OperationNotAllowed`, `AllocationFailed`, …), or ''. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  details?: { error?: { code?: string; message?: string } };
  response?: { headers?: { get?(name: string): string | undefined } };
}

/** Status, Azure's code and message of what an SDK call threw. */
export function readAzureError(error: unknown): { status: number; code: string; message: string } {
  const rest = error as RestErrorLike;
  const status = typeof rest.statusCode === 'number' ? rest.statusCode : 0;
  const code = rest.details?.error?.code ?? rest.code ?? '';
  const message = rest.details?.error?.message ?? rest.message ?? String(error);
  return { status, code, message };
}

/** How long a throttled answer (429) asks to wait, in ms; undefined for anything else. */
export function throttleDelayMs(error: unknown): number | undefined {
  const rest = error as RestErrorLike;
  if (rest.statusCode !== 429) return undefined;
  const header = rest.response?.headers?.get?.('retry-after');
  const seconds = header === undefined ? NaN : Number(header);
  return Number.isFinite(seconds) ? Math.max(seconds * 1000, 0) : 1_000;
}

/**
 * Whether Azure refused for quota: `OperationNotAllowed` naming a quota (ARM's answer to a VM
 * beyond the regional or family vCPU quota) or `QuotaExceeded`.
 */
export function isQuotaError(code: string, message: string): boolean {
  return code === 'QuotaExceeded' || (code === 'OperationNotAllowed' && /quota/i.test(message));
}

/**
 * Translates an SDK error into core's: 404 becomes `NotFoundError` (a delete of something gone
 * is done), a quota refusal a `QuotaError` (the launch is aborted and the pool paused); anything
 * else an `AzureApiError` naming the call.
 */
export function translateAzureError(call: string, error: unknown): Error {
  if (error instanceof AzureApiError || error instanceof NotFoundError || error instanceof QuotaError) return error;
  const { status, code, message } = readAzureError(error);
  const text = `Azure ${call}: ${code ? `${code}: ` : ''}${message}`;
  if (status === 404) return new NotFoundError(text, { cause: error });
  if (isQuotaError(code, message)) return new QuotaError(text, { cause: error });
  return new AzureApiError(status, code, text, { cause: error });
}
