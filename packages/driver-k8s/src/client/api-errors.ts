import { KubeApiError } from '../errors.js';

/** The parts of a Status object an error answer carries. */
interface StatusBody {
  readonly reason?: string;
  readonly message?: string;
  readonly details?: { readonly retryAfterSeconds?: number };
}

/**
 * `@kubernetes/client-node`'s ApiException (code, body as text or object, headers) or
 * openshift-rest-client's Error (code, message) as a KubeApiError; anything else (a refused
 * connection, a timeout) is returned as it is.
 */
export function translateApiError(error: unknown): unknown {
  if (error instanceof KubeApiError || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
  if (typeof code !== 'number' || code < 400 || code > 599) return error;
  const status = statusOf((error as { body?: unknown }).body);
  const headers = ((error as { headers?: Record<string, string> }).headers ?? {}) as Record<string, string>;
  const retryHeader = Number(headers['retry-after'] ?? headers['Retry-After']);
  const retryAfterS = Number.isFinite(retryHeader) ? retryHeader : status?.details?.retryAfterSeconds;
  const message = status?.message ?? (code === 401 ? 'Unauthorized' : error.message.split('\n')[0] ?? error.message);
  return new KubeApiError(code, status?.reason, `${code} ${status?.reason ?? ''}: ${message}`.replace(' :', ':'), retryAfterS, { cause: error });
}

function statusOf(body: unknown): StatusBody | undefined {
  if (typeof body === 'string') {
    try {
      return statusOf(JSON.parse(body));
    } catch {
      return undefined;
    }
  }
  return body !== null && typeof body === 'object' ? (body as StatusBody) : undefined;
}
