/**
 * An error answer of the Compute API: `{"error": {"code", "message", "errors": [{message,
 * domain, reason}], "status"}}`, the shape Google's REST APIs answer with.
 */
export class ComputeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
  ) {
    super(message);
  }

  body(): unknown {
    const errors: Record<string, string>[] = [{ message: this.message, domain: this.domain, reason: this.reason }];
    if (this.status === 401) Object.assign(errors[0]!, { location: 'Authorization', locationType: 'header' });
    return { error: { code: this.status, message: this.message, errors, ...(STATUS_NAMES[this.status] ? { status: STATUS_NAMES[this.status] } : {}) } };
  }
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** The usual reason and message of a status, for injected faults. */
export function defaultFault(status: number): { reason: string; message: string; domain: string } {
  switch (status) {
    case 429:
      return { reason: 'rateLimitExceeded', message: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com'.", domain: 'usageLimits' };
    case 403:
      return { reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded', domain: 'usageLimits' };
    case 404:
      return { reason: 'notFound', message: 'The resource was not found', domain: 'global' };
    case 409:
      return { reason: 'resourceInUseByAnotherResource', message: 'The resource is in use by another resource.', domain: 'global' };
    case 400:
      return { reason: 'invalid', message: 'Invalid value.', domain: 'global' };
    case 503:
      return { reason: 'backendError', message: 'Backend Error', domain: 'global' };
    default:
      return { reason: 'backendError', message: 'Internal error. Please try again or contact Google Support.', domain: 'global' };
  }
}
