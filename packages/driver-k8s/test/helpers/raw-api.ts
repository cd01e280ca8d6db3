import type { FakeK8sHandle } from '@nodepool/driver-k8s/testing';

/** An answer of the fake, as a raw HTTP client sees it. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> & { items?: Record<string, unknown>[] };
}

/** One API call over plain HTTP (the fake started with `tls: false`), as the administrator unless told. */
export async function rawApi(fake: FakeK8sHandle, method: string, path: string, body?: unknown, options: { token?: string | null; accept?: string } = {}): Promise<RawAnswer> {
  const token = options.token === undefined ? fake.adminToken : options.token;
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(options.accept ? { Accept: options.accept } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as RawAnswer['body']) };
}

/** The lines of a watch until `count` events came (or the server ended it). */
export async function watchLines(fake: FakeK8sHandle, path: string, count: number, onOpen?: () => void | Promise<void>): Promise<{ type: string; object: Record<string, unknown> & { metadata?: Record<string, unknown> } }[]> {
  const controller = new AbortController();
  const response = await fetch(`${fake.url}${path}`, { headers: { Authorization: `Bearer ${fake.adminToken}` }, signal: controller.signal });
  if (response.status !== 200) throw new Error(`watch answered ${response.status}: ${await response.text()}`);
  await onOpen?.();
  const events: { type: string; object: Record<string, unknown> }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body!.getReader();
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buffer.slice(0, newline)) as never);
      buffer = buffer.slice(newline + 1);
    }
  }
  controller.abort();
  return events.slice(0, count) as never;
}
