import { LaunchError, NodepoolError, NotFoundError, QuotaError } from '@nodepool/core';

/** AWS answered with an error Nodepool has no special meaning for. */
export class AwsApiError extends NodepoolError {
  constructor(
    message: string,
    /** The API action, e.g. `RunInstances`. */
    readonly action: string,
    /** AWS's error code (`InvalidParameterValue`, …), or the SDK's error name. */
    readonly code: string,
    /** The HTTP status, when there was an answer. */
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * EC2 has no capacity for the instance (or dedicated host) right now. As in Nodepool 9.0.0 the
 * launch fails (and is retried by the kit) under its own metric key, `error.capacity`.
 */
export class AwsCapacityError extends LaunchError {
  override readonly statsdKey = 'error.capacity';

  constructor(
    message: string,
    /** `InsufficientInstanceCapacity` or `InsufficientHostCapacity`. */
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Codes that mean a quota of the account is used up, so the launch is aborted (not failed) and
 * the quota read again. As in Nodepool 9.0.0 that is `VolumeLimitExceeded` alone: vCPU, instance
 * and host limits are what the kit's own quota check keeps launches within, and a refusal there
 * fails the attempt like any other error.
 */
const QUOTA_CODES = new Set(['VolumeLimitExceeded']);

/** EC2 has no capacity now: a launch error of its own, not a quota. */
export const CAPACITY_CODES: ReadonlySet<string> = new Set(['InsufficientInstanceCapacity', 'InsufficientHostCapacity']);

/** "Slow down" from EC2, S3 or Service Quotas: the limiter backs off and the call is repeated. */
const THROTTLING_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'EC2ThrottledException',
]);

/** What an SDK v3 error carries: `name` is the service's error code. */
interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The service's error code of an SDK error (`InvalidInstanceID.NotFound`), if it has one. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const sdk = error as SdkError;
  return sdk.Code ?? sdk.name;
}

function httpStatus(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as SdkError).$metadata?.httpStatusCode : undefined;
}

/** Whether the service asked us to slow down. */
export function isThrottling(error: unknown): boolean {
  const code = awsErrorCode(error);
  return (code !== undefined && THROTTLING_CODES.has(code)) || httpStatus(error) === 429;
}

/** Whether `code` says the thing asked for does not exist (or cannot, being malformed). */
export function isNotFoundCode(code: string): boolean {
  return code.endsWith('.NotFound') || code.endsWith('.Malformed') || code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchUpload';
}

/**
 * An SDK error as core's: a missing resource → `NotFoundError` (a delete counts as done), a
 * used-up quota → `QuotaError` (the node is aborted and the pool pauses), no capacity →
 * `AwsCapacityError`, anything else → `AwsApiError`. Errors without an AWS code (network
 * failures, our own bugs) pass through unchanged.
 */
export function translateAwsError(action: string, error: unknown): Error {
  if (error instanceof NodepoolError) return error;
  const code = awsErrorCode(error);
  const status = httpStatus(error);
  if (code === undefined || status === undefined) return error instanceof Error ? error : new Error(String(error));
  const message = `AWS ${action}: ${code}${status === undefined ? '' : ` (HTTP ${status})`}: ${(error as SdkError).message ?? ''}`;
  if (isNotFoundCode(code)) return new NotFoundError(message, { cause: error });
  if (QUOTA_CODES.has(code)) return new QuotaError(message, { cause: error });
  if (CAPACITY_CODES.has(code)) return new AwsCapacityError(message, code, { cause: error });
  return new AwsApiError(message, action, code, status, { cause: error });
}
