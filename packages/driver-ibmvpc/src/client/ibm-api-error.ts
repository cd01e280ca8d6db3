import { NotFoundError } from '@nodepool/core';

/** An IBM Cloud API answered with an error: its HTTP status, the service's error code and message. */
export class IbmCloudApiError extends Error {
  override readonly name = 'IbmCloudApiError';
  constructor(
    message: string,
    readonly status: number | undefined,
    /** The service's code (`not_found`, `validation_unique_failed`, …), when it gives one. */
    readonly code: string | undefined,
    /** How the call is named in logs and metrics (`vpc.POST.instances`). */
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What the IBM SDK core rejects with: an Error with the status, the parsed body and the headers. */
export interface SdkError {
  readonly message: string;
  readonly status?: number;
  readonly result?: unknown;
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

/** The service's error code: VPC's `errors[0].code`, the platform services' `error_code`, IAM's `errorCode`. */
export function errorCode(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as { errors?: { code?: unknown }[]; error_code?: unknown; errorCode?: unknown; code?: unknown };
  const code = record.errors?.[0]?.code ?? record.error_code ?? record.errorCode ?? record.code;
  return typeof code === 'string' ? code : undefined;
}

/** The IBM SDK's error as ours: a 404 is core's NotFoundError (gone is gone), anything else an IbmCloudApiError. */
export function translateError(error: SdkError, operation: string): Error {
  const code = errorCode(error.result);
  const message = `IBM Cloud ${operation}: ${error.status === undefined ? 'no answer' : `HTTP ${error.status}`}${code ? ` ${code}` : ''}: ${error.message}`;
  const translated = new IbmCloudApiError(message, error.status, code, operation, { cause: error });
  return error.status === 404 ? new NotFoundError(message, { cause: translated }) : translated;
}
