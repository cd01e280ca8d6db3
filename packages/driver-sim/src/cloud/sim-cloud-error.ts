import type { SimErrorBody, SimErrorCode } from './api-types.js';

/** A request the simulated cloud refuses: becomes an HTTP error response with a `SimErrorBody`. */
export class SimCloudError extends Error {
  constructor(
    readonly status: number,
    readonly code: SimErrorCode,
    message: string,
    readonly details: Omit<SimErrorBody['error'], 'code' | 'message'> = {},
  ) {
    super(message);
    this.name = 'SimCloudError';
  }

  /** The response body. */
  toBody(): SimErrorBody {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

/** HTTP 400 with `BadRequest`. */
export function badRequest(message: string): SimCloudError {
  return new SimCloudError(400, 'BadRequest', message);
}
