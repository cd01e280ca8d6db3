/**
 * Kubernetes `Status` objects (meta/v1), the body of every API error: what clients parse to tell
 * "not found" from "already exists" from "try again later".
 */

/** A cause of a 422 or 403: which field, and why. */
export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

/** `details` of a Status: the object the error is about. */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  /** The resource (plural, lower case), as the API server fills it in. */
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** The reason words of meta/v1 (`StatusReason`) the fake answers with. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'TooManyRequests'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

/** The usual reason for an HTTP status, for injected faults that give none. */
export const REASON_BY_STATUS: Readonly<Record<number, StatusReason>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** An API error, answered as a Status object with its code. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    /** Extra response headers (`Retry-After`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The Status object of the answer body. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `pods`, or `roles.rbac.authorization.k8s.io`: how the API server names a resource in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

export function notFound(resource: string, group: string, name: string): KubeApiError {
  return new KubeApiError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): KubeApiError {
  return new KubeApiError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, { name, ...(group ? { group } : {}), kind: resource });
}

export function conflict(resource: string, group: string, name: string, why: string): KubeApiError {
  return new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`, { name, ...(group ? { group } : {}), kind: resource });
}

/** 422: the object failed validation; `kind` is the object's Kind (`Namespace`). */
export function invalid(kind: string, group: string, name: string, causes: readonly StatusCause[]): KubeApiError {
  const summary = causes.map((cause) => `${cause.field}: ${cause.message}`).join(', ');
  const message = `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${causes.length > 1 ? `[${summary}]` : summary}`;
  return new KubeApiError(422, 'Invalid', message, { name, ...(group ? { group } : {}), kind, causes: causes.map((cause) => ({ ...cause, reason: cause.reason })) });
}

export function forbidden(resource: string, group: string, name: string, why: string, causes?: readonly StatusCause[]): KubeApiError {
  const subject = name === '' ? qualifiedResource(resource, group) : `${qualifiedResource(resource, group)} "${name}"`;
  return new KubeApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource, ...(causes ? { causes } : {}) });
}

export function badRequest(message: string): KubeApiError {
  return new KubeApiError(400, 'BadRequest', message);
}

export function tooManyRequests(retryAfterSeconds: number, message = 'Too many requests, please try again later.'): KubeApiError {
  return new KubeApiError(429, 'TooManyRequests', message, { retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
}

export function methodNotAllowed(): KubeApiError {
  return new KubeApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function unauthorized(): KubeApiError {
  return new KubeApiError(401, 'Unauthorized', 'Unauthorized');
}

export function gone(message: string): KubeApiError {
  return new KubeApiError(410, 'Gone', message);
}

/** The Status of a successful delete that returns no object (projects, some old resources). */
export function successStatus(resource: string, group: string, name: string, uid?: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, ...(group ? { group } : {}), kind: resource, ...(uid ? { uid } : {}) } };
}
