import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * The page's text, put in by the package build (see `tsup.config.ts`), so the built package
 * is self-contained; when running from source it is undefined and the file is read instead.
 */
declare const __NODEPOOL_DASHBOARD_HTML__: string | undefined;

/** The dashboard page, ready to serve. */
export interface DashboardPage {
  readonly body: Buffer;
  readonly etag: string;
  /** Allows exactly the page's own inline script and style (by hash), and same-origin fetches. */
  readonly contentSecurityPolicy: string;
}

let loaded: Promise<DashboardPage> | undefined;

/** `dashboard.html` (next to this module in the source tree), read once. */
export function dashboardPage(): Promise<DashboardPage> {
  loaded ??= (async () => {
    const html =
      typeof __NODEPOOL_DASHBOARD_HTML__ === 'string' ? __NODEPOOL_DASHBOARD_HTML__ : await readFile(new URL('./dashboard.html', import.meta.url), 'utf8');
    return pageOf(html);
  })();
  return loaded;
}

function pageOf(html: string): DashboardPage {
  const hashes = (tag: string): string[] =>
    [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`);
  const body = Buffer.from(html);
  return {
    body,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
    contentSecurityPolicy: [
      "default-src 'none'",
      `script-src ${hashes('script').join(' ')}`,
      `style-src ${hashes('style').join(' ')}`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
}
