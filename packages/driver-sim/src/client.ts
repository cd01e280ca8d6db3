import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { NodepoolError, NotFoundError, QuotaError, type AdapterContext, type Logger, type RateLimiter } from '@nodepool/core';
import type {
  SimCreateImageRequest,
  SimCreateInstanceRequest,
  SimErrorBody,
  SimFlavor,
  SimImage,
  SimInstance,
  SimQuota,
} from './cloud/api-types.js';
import { TtlCache } from '@nodepool/core';

/** The simulated cloud answered with an error Nodepool has no special meaning for. */
export class SimApiError extends NodepoolError {
  constructor(
    message: string,
    /** The HTTP status. */
    readonly status: number,
    /** The cloud's error code (`BadRequest`, `Throttled`, …), if the body had one. */
    readonly code: string | undefined,
    /** The response body as sent. */
    readonly body: string,
  ) {
    super(message);
  }
}

export interface SimClientOptions {
  /** 429s in a row a call rides out (each after a back-off) before it fails; default 10. */
  readonly maxThrottleRetries?: number;
  /** Per request; default 30 s. */
  readonly requestTimeoutMs?: number;
  /** How long the image list is reused; default 10 s. */
  readonly imageCacheMs?: number;
  /** How long flavors and zones are reused; default 5 minutes. */
  readonly catalogCacheMs?: number;
}

/**
 * A thin client of the simulated cloud's API. Every call goes through the kit's rate limiters
 * (mutating or read-only); a 429 backs the limiter off for the time the cloud asks and the call
 * is retried. Cloud errors become core's: 404 `NotFound` → `NotFoundError`, 403
 * `QuotaExceeded` → `QuotaError`, anything else → `SimApiError`.
 */
export class SimClient {
  /** Flavors by name. */
  readonly flavors: TtlCache<ReadonlyMap<string, SimFlavor>>;
  readonly zones: TtlCache<readonly string[]>;
  readonly images: TtlCache<readonly SimImage[]>;
  private readonly base: string;
  private readonly maxThrottleRetries: number;
  private readonly requestTimeoutMs: number;

  constructor(
    endpoint: string,
    private readonly rateLimits: AdapterContext['rateLimits'],
    private readonly log: Logger,
    options: SimClientOptions = {},
  ) {
    this.base = endpoint.replace(/\/+$/, '');
    this.maxThrottleRetries = options.maxThrottleRetries ?? 10;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    const catalogMs = options.catalogCacheMs ?? 5 * 60_000;
    this.flavors = new TtlCache(async () => new Map((await this.listFlavors()).map((flavor) => [flavor.name, flavor])), catalogMs);
    this.zones = new TtlCache(() => this.listZones(), catalogMs);
    this.images = new TtlCache(() => this.listImages(), options.imageCacheMs ?? 10_000);
  }

  async listInstances(): Promise<SimInstance[]> {
    return (await this.request<{ instances: SimInstance[] }>(this.rateLimits.readOnly, 'GET', '/instances')).instances;
  }

  async createInstance(request: SimCreateInstanceRequest): Promise<SimInstance> {
    return (await this.request<{ instance: SimInstance }>(this.rateLimits.mutating, 'POST', '/instances', request)).instance;
  }

  /** Starts deleting; the instance lingers as `deleting` for a while. */
  async deleteInstance(id: string): Promise<void> {
    await this.request(this.rateLimits.mutating, 'DELETE', `/instances/${encodeURIComponent(id)}`);
  }

  async listImages(): Promise<SimImage[]> {
    return (await this.request<{ images: SimImage[] }>(this.rateLimits.readOnly, 'GET', '/images')).images;
  }

  async createImage(request: SimCreateImageRequest): Promise<SimImage> {
    try {
      return (await this.request<{ image: SimImage }>(this.rateLimits.mutating, 'POST', '/images', request)).image;
    } finally {
      this.images.invalidate();
    }
  }

  /**
   * Sends the file of a `queued` image (`PUT /images/:id/file`), streamed from disk; resolves
   * the image as the cloud then has it (`active`, with the size and checksums it received).
   */
  async uploadImageFile(id: string, filename: string): Promise<SimImage> {
    try {
      const path = `/images/${encodeURIComponent(id)}/file`;
      return (await this.request<{ image: SimImage }>(this.rateLimits.mutating, 'PUT', path, undefined, () => Readable.toWeb(createReadStream(filename)) as ReadableStream<Uint8Array>)).image;
    } finally {
      this.images.invalidate();
    }
  }

  async deleteImage(id: string): Promise<void> {
    try {
      await this.request(this.rateLimits.mutating, 'DELETE', `/images/${encodeURIComponent(id)}`);
    } finally {
      this.images.invalidate();
    }
  }

  async listFlavors(): Promise<SimFlavor[]> {
    return (await this.request<{ flavors: SimFlavor[] }>(this.rateLimits.readOnly, 'GET', '/flavors')).flavors;
  }

  async listZones(): Promise<string[]> {
    return (await this.request<{ zones: string[] }>(this.rateLimits.readOnly, 'GET', '/availability-zones')).zones;
  }

  async getQuota(): Promise<SimQuota> {
    return this.request<SimQuota>(this.rateLimits.readOnly, 'GET', '/quota');
  }

  // ---- local implementation -----------------------------------------------------------------

  /** `stream`: a raw body, opened anew for each attempt (a 429 is retried), instead of JSON `body`. */
  private async request<T>(limiter: RateLimiter, method: string, path: string, body?: unknown, stream?: () => ReadableStream<Uint8Array>): Promise<T> {
    const url = `${this.base}${path}`;
    for (let attempt = 0; ; attempt++) {
      const reply = await limiter.run(() => this.send(method, url, body, stream?.()));
      if (reply.status >= 200 && reply.status < 300) return (reply.text === '' ? undefined : JSON.parse(reply.text)) as T;
      if (reply.status === 429 && attempt < this.maxThrottleRetries) {
        // The pause holds every call through this limiter, not just this one: the cloud's
        // budget is shared.
        this.log.debug('sim cloud throttled a call; backing off', { method, path, retryAfterMs: reply.retryAfterMs, attempt });
        limiter.backOff(reply.retryAfterMs);
        continue;
      }
      throw translateError(method, path, reply);
    }
  }

  private async send(method: string, url: string, body: unknown, stream?: ReadableStream<Uint8Array>): Promise<Reply> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: stream ? { 'Content-Type': 'application/octet-stream' } : body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: stream ?? (body === undefined ? undefined : JSON.stringify(body)),
        // A file upload takes as long as it takes; JSON calls get the request timeout.
        ...(stream ? { duplex: 'half' } : { signal: AbortSignal.timeout(this.requestTimeoutMs) }),
      } as RequestInit);
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new Error(`sim cloud ${method} ${url} failed: ${cause}`, { cause: error });
    }
    return { status: response.status, retryAfterMs: retryAfterMs(response.headers), text: await response.text() };
  }
}

interface Reply {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  readonly text: string;
}

/** `Retry-After-Ms` if the cloud sent it (as Azure does), else `Retry-After` in seconds. */
function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const seconds = Number(headers.get('retry-after') ?? NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function translateError(method: string, path: string, reply: Reply): Error {
  let error: Partial<SimErrorBody['error']> = {};
  try {
    error = (JSON.parse(reply.text) as SimErrorBody).error ?? {};
  } catch {
    // Not the cloud's error body (a proxy's page, say): reported as sent.
  }
  const message = `sim cloud ${method} ${path}: HTTP ${reply.status}${error.code ? ` ${error.code}` : ''}: ${error.message ?? reply.text}`;
  // Only the cloud's own "no such object" means gone: a 404 for a wrong path must not make a
  // delete look done.
  if (reply.status === 404 && error.code === 'NotFound') return new NotFoundError(message);
  if (reply.status === 403 && error.code === 'QuotaExceeded') return new QuotaError(message);
  return new SimApiError(message, reply.status, error.code, reply.text);
}
