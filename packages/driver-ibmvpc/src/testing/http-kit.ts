import { randomUUID } from 'node:crypto';
import { isoSeconds, jsonReply, type FakeApiRequest, type FakeHttpReply } from '@nodepool/core/testing';

/** An HTTP answer of the fake, before it is written. */
export type HttpReply = FakeHttpReply;

/** One request as a handler sees it: the whole path, decoded segment by segment. */
export type ApiRequest = FakeApiRequest;

/** An error answer in the VPC API's shape: `{"errors": [{code, message, more_info, target}], "trace", "status_code"}`. */
export class VpcError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: { readonly name: string; readonly type: 'field' | 'parameter' | 'header' },
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const json = (body: unknown, status = 200, headers: Readonly<Record<string, string>> = {}): HttpReply =>
  jsonReply(body, status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });

export const noContent = (status = 204): HttpReply => ({ status });

/** The VPC API's error document for `error`. */
export function vpcErrorReply(error: VpcError): HttpReply {
  const trace = randomUUID();
  return json(
    {
      errors: [{ code: error.code, message: error.message, more_info: `https://cloud.ibm.com/docs/vpc?topic=vpc-rias-error-messages#${error.code}`, ...(error.target ? { target: error.target } : {}) }],
      trace,
      status_code: error.status,
    },
    error.status,
    { 'X-Request-Id': trace, ...error.headers },
  );
}

/** The request body as a JSON object, or a 400 in the VPC's format. */
export function jsonBody(request: ApiRequest): Record<string, unknown> {
  if (request.body.length === 0) throw new VpcError(400, 'bad_request', 'The request body is missing.');
  let data: unknown;
  try {
    data = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new VpcError(400, 'bad_request', 'The request body is not valid JSON.');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new VpcError(400, 'bad_request', 'The request body must be a JSON object.');
  return data as Record<string, unknown>;
}

/** `body[key]` as an object, or a 400 naming the field. */
export function objectField(body: Record<string, unknown>, key: string, required = true): Record<string, unknown> | undefined {
  const value = body[key];
  if (value === undefined && !required) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new VpcError(400, 'missing_field', `Expected an object for field ${key}.`, { name: key, type: 'field' });
  return value as Record<string, unknown>;
}

/** `body[key]` as a non-empty string, or a 400 naming the field. */
export function stringField(body: Record<string, unknown>, key: string, path = key): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw new VpcError(400, 'missing_field', `Expected a non-empty string for field ${path}.`, { name: path, type: 'field' });
  return value;
}

export { isoSeconds };

/** The VPC's resource names: lowercase letters, digits and dashes, starting with a letter, not ending with a dash. */
export const VPC_NAME = /^([a-z]|[a-z][-a-z0-9]*[a-z0-9])$/;
