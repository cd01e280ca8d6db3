import { NodepoolError } from '@nodepool/core';

/** An OpenStack service answered with an error Nodepool has no special meaning for. */
export class OpenStackApiError extends NodepoolError {
  constructor(
    message: string,
    /** The HTTP status. */
    readonly status: number,
    /** The call, as openstacksdk names it (`compute.POST.servers`). */
    readonly operation: string,
    /** What the service said, without the framing (`Quota exceeded for cores: …`). */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The catalog has no endpoint of a service for the configured interface and region. */
export class EndpointNotFoundError extends NodepoolError {
  constructor(
    message: string,
    readonly serviceType: string,
  ) {
    super(message);
  }
}

/** clouds.yaml is missing, unreadable, or has no usable entry for the cloud asked for. */
export class CloudConfigError extends NodepoolError {}

/**
 * The message of an OpenStack error body, whichever service wrote it: Nova's and Cinder's
 * `{"itemNotFound": {"message"}}`, Neutron's `{"NeutronError": {"message"}}`, Keystone's
 * `{"error": {"message"}}`, Glance's and proxies' HTML or plain text.
 */
export function errorDetail(text: string, contentType: string | null): string {
  if (contentType?.includes('json') || /^\s*[{[]/.test(text)) {
    try {
      const body = JSON.parse(text) as unknown;
      if (body && typeof body === 'object' && !Array.isArray(body)) {
        const record = body as Record<string, unknown>;
        if (typeof record.message === 'string') return record.message;
        if (typeof record.faultstring === 'string') return record.faultstring;
        for (const value of Object.values(record)) {
          if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') return (value as { message: string }).message;
        }
      }
    } catch {
      // Not JSON after all: fall through to the text.
    }
  }
  // WebOb's pages put the explanation after the heading.
  const stripped = text
    .replace(/<head>[\s\S]*?<\/head>/i, '')
    .replace(/<h1>[\s\S]*?<\/h1>/i, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return stripped.slice(0, 500);
}
