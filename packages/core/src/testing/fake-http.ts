import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** An HTTP answer of a fake cloud, before it is written. */
export interface FakeHttpReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly body?: string | Buffer;
}

/** One API request as a fake cloud's handler sees it: the path in decoded segments. */
export interface FakeApiRequest {
  readonly method: string;
  /** Path segments below what the server took off (a service root, a region), decoded. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** `http://host:port`, and any prefix the server took off, for links the answer carries. */
  readonly base: string;
}

/** A JSON answer; `headers` may replace the `Content-Type` (`application/json; charset=utf-8`). */
export function jsonReply(body: unknown, status = 200, headers: Readonly<Record<string, string>> = {}): FakeHttpReply {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/**
 * The whole request body, read to the end whatever its size so the connection stays usable; one
 * beyond `maxBytes` comes back empty with `tooLarge`, for the fake to refuse in its cloud's words.
 */
export function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.on('end', () => resolve({ body: size > maxBytes ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge: size > maxBytes }));
    request.on('error', reject);
  });
}

/** Writes `reply` with its `Content-Length` (0 when it has no body; a 204 never has one), unless the answer is gone already. */
export function sendReply(response: ServerResponse, reply: FakeHttpReply): void {
  if (response.headersSent || response.destroyed) return;
  const body = reply.body === undefined ? undefined : typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  const headers: Record<string, string | number> = { ...reply.headers };
  if (body !== undefined) headers['Content-Length'] = body.length;
  else if (headers['Content-Length'] === undefined) headers['Content-Length'] = 0;
  response.writeHead(reply.status, headers).end(reply.status === 204 ? undefined : body);
}

/** An ISO timestamp without milliseconds, as Nova and the IBM VPC API print them (`2024-05-01T10:00:00Z`). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
