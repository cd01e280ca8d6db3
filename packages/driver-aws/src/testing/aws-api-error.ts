/**
 * HTTP statuses of the error codes the fake answers with, where AWS does not use 400. EC2 lists
 * capacity shortages among its *server* errors (500), which the SDK's standard retry strategy
 * retries like any 5xx; throttling comes back as 503 from EC2 and S3.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  // EC2
  RequestLimitExceeded: 503,
  InsufficientInstanceCapacity: 500,
  InsufficientHostCapacity: 500,
  InsufficientCapacity: 500,
  InternalError: 500,
  Unavailable: 503,
  AuthFailure: 401,
  UnauthorizedOperation: 403,
  // S3
  SlowDown: 503,
  ServiceUnavailable: 503,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotFound: 404,
  AccessDenied: 403,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  NotImplemented: 501,
  InvalidRange: 416,
  EntityTooLarge: 400,
  // Service Quotas
  ServiceException: 500,
};

/** The HTTP status AWS pairs with `code`: 400 unless it is known to be another. */
export function statusOfCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 400;
}

/**
 * An error answer of the fake, independent of the wire format: each protocol (EC2 query XML,
 * S3 REST XML, Service Quotas JSON) renders it its own way.
 */
export class AwsApiError extends Error {
  override readonly name = 'AwsApiError';
  readonly status: number;

  constructor(
    readonly code: string,
    message: string,
    status?: number,
    /** Extra fields some S3 errors carry (`BucketName`, `Key`). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.status = status ?? statusOfCode(code);
  }
}

/** EC2's answer to a malformed or out-of-range parameter. */
export const invalidValue = (name: string, value: unknown, why?: string): AwsApiError =>
  new AwsApiError('InvalidParameterValue', `Invalid value '${String(value)}' for ${name}${why ? `. ${why}` : '.'}`);

/** EC2's answer to a required parameter left out. */
export const missingParameter = (name: string): AwsApiError =>
  new AwsApiError('MissingParameter', `The request must contain the parameter ${name}`);
