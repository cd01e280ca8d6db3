import type { IncomingHttpHeaders } from 'node:http';

/** The scope of a SigV4 signature: who signed, for which region and service. */
export interface SigV4Scope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

export type SigV4Result = { readonly ok: true; readonly scope: SigV4Scope } | { readonly ok: false; readonly missing: boolean; readonly reason: string };

function parseCredential(credential: string | undefined): SigV4Scope | undefined {
  const parts = credential?.split('/');
  if (!parts || parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!)) return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  if (accessKeyId === '' || region === '' || service === '') return undefined;
  return { accessKeyId, date, region, service };
}

/**
 * Reads the scope out of a SigV4 `Authorization` header (or the `X-Amz-*` query parameters of
 * a presigned URL) without checking the signature: the fake accepts any signature, but a request
 * that is not SigV4-signed at all, or is signed for another region or service, is refused as AWS
 * would refuse it.
 */
export function readSigV4(headers: IncomingHttpHeaders, query: URLSearchParams): SigV4Result {
  const header = headers.authorization;
  if (header === undefined) {
    if (query.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256') {
      const scope = parseCredential(query.get('X-Amz-Credential') ?? undefined);
      if (!scope || !/^[0-9a-f]{64}$/.test(query.get('X-Amz-Signature') ?? '')) return { ok: false, missing: false, reason: 'the presigned URL is not a valid SigV4 signature' };
      return { ok: true, scope };
    }
    return { ok: false, missing: true, reason: 'the request is not signed' };
  }
  const match = /^AWS4-HMAC-SHA256\s+(.+)$/.exec(header);
  if (!match) return { ok: false, missing: false, reason: 'the Authorization header is not AWS4-HMAC-SHA256' };
  const fields = new Map<string, string>();
  for (const part of match[1]!.split(',')) {
    const index = part.indexOf('=');
    if (index > 0) fields.set(part.slice(0, index).trim(), part.slice(index + 1).trim());
  }
  const scope = parseCredential(fields.get('Credential'));
  if (!scope) return { ok: false, missing: false, reason: 'the Credential of the Authorization header is malformed' };
  if (!fields.get('SignedHeaders')) return { ok: false, missing: false, reason: 'the Authorization header has no SignedHeaders' };
  if (!/^[0-9a-f]{64}$/.test(fields.get('Signature') ?? '')) return { ok: false, missing: false, reason: 'the Signature of the Authorization header is malformed' };
  return { ok: true, scope };
}
