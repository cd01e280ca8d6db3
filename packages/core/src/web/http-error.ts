import type { ResponseFormat } from './response-format.js';

/** The standard error responses, worded as the original's WebOb ones. */
const EXPLANATIONS = {
  400: ['Bad Request', 'The server could not comply with the request since it is either malformed or otherwise incorrect.'],
  404: ['Not Found', 'The resource could not be found.'],
  503: ['Service Unavailable', 'The server is currently unavailable. Please try again at a later time.'],
} as const;

export type ErrorStatus = keyof typeof EXPLANATIONS;

/** An error response: status, content type and body (plain text, or JSON when JSON was asked for). */
export function errorResponse(status: ErrorStatus, format: ResponseFormat, detail?: string): { status: number; contentType: string; body: string } {
  const [title, explanation] = EXPLANATIONS[status];
  const message = detail ? `${explanation}\n\n${detail}` : explanation;
  if (format === 'json') {
    return { status, contentType: 'application/json', body: JSON.stringify({ message, code: `${status} ${title}`, title }) };
  }
  return { status, contentType: 'text/plain; charset=UTF-8', body: `${status} ${title}\n\n${message}` };
}
