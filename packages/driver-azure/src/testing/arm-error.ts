/**
 * An error answer of Azure Resource Manager: `{"error": {"code", "message"}}` with the status,
 * and `Retry-After` for throttling.
 */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): unknown {
    return { error: { code: this.code, message: this.message } };
  }
}

export function notFound(type: string, name: string, group: string): ArmError {
  return new ArmError(404, 'ResourceNotFound', `The Resource '${type}/${name}' under resource group '${group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}

/** The usual code and message of a status, for injected faults. */
export function defaultFault(status: number): { code: string; message: string } {
  switch (status) {
    case 409:
      return { code: 'Conflict', message: 'Operation could not be completed: another operation is in progress on the resource.' };
    case 429:
      return { code: 'TooManyRequests', message: 'The request is being throttled as the limit has been reached for operation type - Write_1Min. For more information, see - https://aka.ms/armthrottling' };
    case 500:
      return { code: 'InternalServerError', message: 'Encountered internal server error. Diagnostic information: timestamp, subscription id, tracking id.' };
    case 503:
      return { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Please try again later.' };
    case 404:
      return { code: 'ResourceNotFound', message: 'The Resource was not found.' };
    default:
      return { code: 'BadRequest', message: 'The request is invalid.' };
  }
}
