import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { formatExplanation } from '../explain/format-explanation.js';
import type { ExplainSource } from '../explain/request-explanation.js';
import type { HealthSource } from '../health/health-source.js';
import { LauncherHistory, type LauncherHistoryOptions } from '../history/launcher-history.js';
import { getLogger, type Logger } from '../log.js';
import { renderStatusJson, renderStatusText } from '../status/render.js';
import type { StatusSource } from '../status/status-source.js';
import { DashboardFeed } from './dashboard-feed.js';
import { dashboardPage } from './dashboard-page.js';
import { HISTORY_PATH, renderHistoryJson, renderHistoryText } from './history-listing.js';
import { errorResponse, type ErrorStatus } from './http-error.js';
import { addRequestWaitHistogram } from './metrics.js';
import { PROVIDER_HEALTH_PATH, renderProviderHealthJson, renderProviderHealthText } from './provider-health-listing.js';
import { ResponseCache } from './response-cache.js';
import { responseFormat, type ResponseFormat } from './response-format.js';
import { BadQueryError, STATUS_ROUTES, type QueryParams } from './status-routes.js';

export interface WebAppOptions {
  /** TCP port; 0 picks a free one (see `port` once started). */
  readonly port: number;
  /** Address to listen on, e.g. `0.0.0.0`. */
  readonly listenAddress: string;
  /** Where the listings read the records. */
  readonly source: StatusSource;
  /** Whether the launcher is ready (`/ready` answers 503 until it is). */
  readonly ready: () => boolean;
  /** The registry `/metrics` serves; without one, `/metrics` is not found. */
  readonly metrics?: Registry | undefined;
  /** How long a computed listing is reused and may be cached by clients; default 1 s. */
  readonly cacheExpirySeconds?: number;
  readonly log?: Logger;
  /** The clock ages are measured to, in epoch seconds; default the system clock (tests fix it). */
  readonly now?: () => number;
  /**
   * Pace of the dashboard's live updates: at most one per `minIntervalMs` (default 250) and a
   * heartbeat every `heartbeatMs` (default 15 000).
   */
  readonly dashboard?: { readonly minIntervalMs?: number; readonly heartbeatMs?: number; readonly healthIntervalMs?: number };
  /**
   * Keep the launcher's last hour (see `LauncherHistory`), from these caches, while the app
   * runs: served at `/history`, drawn by the dashboard, and counted by the
   * `nodepool_request_wait_seconds` histogram on `/metrics`. Default: no history.
   */
  readonly history?: LauncherHistoryOptions | undefined;
  /**
   * Where `/request/<id>/explain` reads why a request waits (ours; see `nodepool
   * request-explain`). Default: that path is not found.
   */
  readonly explain?: ExplainSource | undefined;
  /**
   * Where `/provider-health` (ours) and the dashboard's provider health panel read every
   * launcher's circuit breakers (see `zooKeeperHealthSource`). Default: that path is not found
   * and the page has no panel.
   */
  readonly health?: HealthSource | undefined;
}

/** `/request/<id>/explain` and `….json`: the request ID. */
const EXPLAIN_PATH = /^\/request\/([^/]+)\/explain(?:\.json)?$/;

/** Where the dashboard page listens for its updates (relative to `/`, so a proxy may prefix both). */
export const DASHBOARD_EVENTS_PATH = '/dashboard/events';

/**
 * The launcher's web API (observability spec §5): the status listings as text tables or JSON
 * (`/node-list`, `/request-list`, `/label-list`, `/image-list`, `/dib-image-list`,
 * `/image-status`, each also with a `.json` suffix), `/ready` and `/metrics`; the launcher's
 * recent history, `/history` (also `.json`; ours, not the original's); why a request waits,
 * `/request/<id>/explain` (ours); every launcher's provider circuit breakers,
 * `/provider-health` (also `.json`; ours); and the live dashboard
 * for people, `/` with its event stream `/dashboard/events` (see `DashboardFeed`).
 * Anything else is 404, a bad query value 400, and a failure while reading ZooKeeper 503;
 * never a stack trace.
 */
export class WebApp {
  private readonly server: Server;
  private readonly cache: ResponseCache;
  private readonly expirySeconds: number;
  private readonly log: Logger;
  private readonly feed: DashboardFeed;
  private readonly launcherHistory: LauncherHistory | undefined;
  private stopHistogram: (() => void) | undefined;

  constructor(private readonly options: WebAppOptions) {
    this.expirySeconds = options.cacheExpirySeconds ?? 1;
    this.cache = new ResponseCache(this.expirySeconds * 1000);
    this.log = options.log ?? getLogger('nodepool.WebApp');
    this.launcherHistory = options.history ? new LauncherHistory(options.history) : undefined;
    if (this.launcherHistory && options.metrics) this.stopHistogram = addRequestWaitHistogram(options.metrics, this.launcherHistory);
    this.feed = new DashboardFeed({
      source: options.source,
      log: this.log,
      now: options.now,
      history: this.launcherHistory,
      explain: options.explain !== undefined,
      health: options.health,
      ...options.dashboard,
    });
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  /** The port listened on (after `start`). */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  /** The history kept, when asked for (see `WebAppOptions.history`). */
  get history(): LauncherHistory | undefined {
    return this.launcherHistory;
  }

  async start(): Promise<void> {
    this.launcherHistory?.start();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.listenAddress, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.log.info('web app listening', { address: this.options.listenAddress, port: this.port });
  }

  /** Dashboard pages connected to the event stream now. */
  get dashboardClients(): number {
    return this.feed.size;
  }

  /** Stops listening and closes every connection, idle or not (dashboard streams included). */
  async stop(): Promise<void> {
    this.feed.close();
    this.launcherHistory?.stop();
    this.stopHistogram?.();
    this.stopHistogram = undefined;
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let format: ResponseFormat = 'text';
    try {
      const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split(/\?(.*)/s);
      let path: string;
      let params: QueryParams;
      try {
        path = decodeURIComponent(rawPath);
        params = queryParams(rawQuery);
      } catch {
        return this.sendError(response, 400, format, 'The request URL is not valid.');
      }
      format = path.endsWith('.json') ? 'json' : responseFormat(request.headers.accept);
      // Differs from Nodepool: the original has nothing at `/`.
      if (path === '/') return await this.sendDashboard(request, response);
      if (path === DASHBOARD_EVENTS_PATH) return this.feed.open(response);
      if (path === '/ready') return this.sendReady(response, format);
      if (path === '/metrics' && this.options.metrics) return await this.sendMetrics(response, this.options.metrics);
      if ((path === HISTORY_PATH || path === `${HISTORY_PATH}.json`) && this.launcherHistory) return await this.sendHistory(request, response, format, rawQuery, params, this.launcherHistory);
      if ((path === PROVIDER_HEALTH_PATH || path === `${PROVIDER_HEALTH_PATH}.json`) && this.options.health) return await this.sendProviderHealth(request, response, format, rawQuery, params, this.options.health);
      const explainId = this.options.explain ? EXPLAIN_PATH.exec(path)?.[1] : undefined;
      if (explainId !== undefined) return await this.sendExplanation(request, response, format, explainId, this.options.explain!);
      const route = STATUS_ROUTES.get(path.endsWith('.json') ? path.slice(0, -'.json'.length) : path);
      if (!route) return this.sendError(response, 404, format);
      const fields = params.get('fields')?.split(',');
      const { computedAt, body } = await this.cache.get(cacheKey(path, rawQuery, format), async () => {
        const now = this.options.now?.() ?? Date.now() / 1000;
        const listing = await route(this.options.source, params, now);
        return format === 'json' ? renderStatusJson(listing) : renderStatusText(listing, { fields, now });
      });
      this.sendListing(request, response, format, computedAt, body);
    } catch (error) {
      if (error instanceof BadQueryError) return this.sendError(response, 400, format, error.message);
      this.log.warn('web request failed', { url: request.url, error: error instanceof Error ? error.message : String(error) });
      this.sendError(response, 503, format);
    }
  }

  private sendListing(request: IncomingMessage, response: ServerResponse, format: ResponseFormat, computedAt: number, body: string): void {
    const lastModified = Math.floor(computedAt / 1000) * 1000;
    const headers = {
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': `public, max-age=${this.expirySeconds}`,
      'Last-Modified': new Date(lastModified).toUTCString(),
      Expires: new Date(computedAt + this.expirySeconds * 1000).toUTCString(),
    };
    const since = Date.parse(request.headers['if-modified-since'] ?? '');
    if (Number.isFinite(since) && lastModified <= since) {
      response.writeHead(304, headers).end();
      return;
    }
    const contentType = format === 'json' ? 'application/json' : 'text/plain; charset=UTF-8';
    response.writeHead(200, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) }).end(body);
  }

  private async sendHistory(request: IncomingMessage, response: ServerResponse, format: ResponseFormat, rawQuery: string, params: QueryParams, history: LauncherHistory): Promise<void> {
    const fields = params.get('fields')?.split(',');
    const { computedAt, body } = await this.cache.get(cacheKey(HISTORY_PATH, rawQuery, format), async () =>
      format === 'json' ? renderHistoryJson(history.samples()) : renderHistoryText(history.samples(), fields),
    );
    this.sendListing(request, response, format, computedAt, body);
  }

  /** `/provider-health` (ours): every launcher's provider circuit breakers. */
  private async sendProviderHealth(request: IncomingMessage, response: ServerResponse, format: ResponseFormat, rawQuery: string, params: QueryParams, source: HealthSource): Promise<void> {
    const fields = params.get('fields')?.split(',');
    const { computedAt, body } = await this.cache.get(cacheKey(PROVIDER_HEALTH_PATH, rawQuery, format), async () => {
      const providers = await source.providerHealth();
      return format === 'json' ? renderProviderHealthJson(providers) : renderProviderHealthText(providers, this.options.now?.() ?? Date.now() / 1000, fields);
    });
    this.sendListing(request, response, format, computedAt, body);
  }

  private async sendDashboard(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const page = await dashboardPage();
    const headers = {
      'Content-Type': 'text/html; charset=utf-8',
      // Revalidated each time, so a new version of the page is picked up after an upgrade.
      'Cache-Control': 'no-cache',
      ETag: page.etag,
      'Content-Security-Policy': page.contentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    if (request.headers['if-none-match'] === page.etag) {
      response.writeHead(304, headers).end();
      return;
    }
    response.writeHead(200, { ...headers, 'Content-Length': page.body.length }).end(request.method === 'HEAD' ? undefined : page.body);
  }

  private sendReady(response: ServerResponse, format: ResponseFormat): void {
    if (!this.options.ready()) return this.sendError(response, 503, format);
    // The body is `OK` whatever was asked for, as in the original.
    response.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'Cache-Control': 'no-store', 'Content-Length': 2 }).end('OK');
  }

  private async sendMetrics(response: ServerResponse, registry: Registry): Promise<void> {
    const body = await registry.metrics();
    response.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(body) }).end(body);
  }

  /** `/request/<id>/explain` (ours): every pool's latest decision about the request. */
  private async sendExplanation(request: IncomingMessage, response: ServerResponse, format: ResponseFormat, id: string, source: ExplainSource): Promise<void> {
    const explanation = await source.explain(id);
    if (!explanation.request && explanation.pools.length === 0) return this.sendError(response, 404, format, `Node request ${id} not found.`);
    const now = (this.options.now?.() ?? Date.now() / 1000) * 1000;
    const body = format === 'json' ? JSON.stringify(explanation) : formatExplanation(explanation, now);
    this.sendListing(request, response, format, Date.now(), body);
  }

  private sendError(response: ServerResponse, status: ErrorStatus, format: ResponseFormat, detail?: string): void {
    const error = errorResponse(status, format, detail);
    response.writeHead(error.status, { 'Content-Type': error.contentType, 'Content-Length': Buffer.byteLength(error.body) }).end(error.body);
  }
}

/** Query parameters, the last value of each winning; throws on malformed percent-encoding. */
function queryParams(query: string): QueryParams {
  const params = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const [name = '', value = ''] = part.split(/=(.*)/s);
    params.set(decodeComponent(name), decodeComponent(value));
  }
  return params;
}

function decodeComponent(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/** Path, parameters (all values, sorted by name) and format, as the original keys its cache. */
function cacheKey(path: string, query: string, format: ResponseFormat): string {
  const all = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(query)) all.set(name, [...(all.get(name) ?? []), value]);
  const sorted = [...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${path}.${JSON.stringify(sorted)}.${format}`;
}
