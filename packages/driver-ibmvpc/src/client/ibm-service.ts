import { BaseService, type AuthenticatorInterface } from 'ibm-cloud-sdk-core';
import type { Logger, RateLimiter, Stats } from '@nodepool/core';
import { IbmCloudApiError, translateError, type SdkError } from './ibm-api-error.js';

/** One call to an IBM Cloud service, its path relative to the service URL. */
export interface IbmCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** The call's name in errors, logs and timers, e.g. `vpc.POST.instances`. */
  readonly operation: string;
}

/** An answer: its status, the parsed body and the headers. */
export interface IbmAnswer<T> {
  readonly status: number;
  readonly result: T;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface IbmServiceOptions {
  /** The service's base URL (`https://us-south.iaas.cloud.ibm.com/v1`). */
  readonly serviceUrl: string;
  /** Makes an authenticator; a new one is made when the service refuses a token (401). */
  readonly authenticator: () => AuthenticatorInterface;
  /** The kit's limiters: mutating calls through one, reads through the other. */
  readonly rateLimits: { readonly mutating: RateLimiter; readonly readOnly: RateLimiter };
  readonly log: Logger;
  readonly stats?: Stats | undefined;
  /** `nodepool.task.<provider>.<operation>` timers are named after it. */
  readonly provider: string;
  /** Sent with every call (the VPC API's `version` and `generation`). */
  readonly defaultQuery?: Readonly<Record<string, string | number>>;
  /** Per request; default 60 s. */
  readonly timeoutMs?: number;
  /** Throttled answers in a row a call rides out; default 10. */
  readonly maxThrottleRetries?: number;
}

/** The SDK's request machinery (authentication, JSON, error parsing), opened up for our calls. */
class SdkService extends BaseService {
  send(parameters: unknown): Promise<{ status: number; result: unknown; headers: Record<string, string | undefined> }> {
    return this.createRequest(parameters) as Promise<{ status: number; result: unknown; headers: Record<string, string | undefined> }>;
  }
}

/**
 * One IBM Cloud service through `ibm-cloud-sdk-core`: every call authenticated with an IAM
 * token (renewed by the SDK before it expires), sent through the kit's limiter of its kind and
 * bounded by a timeout. HTTP 429 backs that limiter off for the `Retry-After` the service names
 * (a second if none) and the call is sent again; a 401 gets a fresh token and one more try. A
 * 404 is core's `NotFoundError`, any other error an `IbmCloudApiError`.
 */
export class IbmService {
  private sdk: SdkService;

  constructor(private readonly options: IbmServiceOptions) {
    this.sdk = this.makeSdk();
  }

  get serviceUrl(): string {
    return this.options.serviceUrl;
  }

  async call<T>(call: IbmCall): Promise<IbmAnswer<T>> {
    const { rateLimits, stats, provider, log } = this.options;
    const limiter = call.method === 'GET' ? rateLimits.readOnly : rateLimits.mutating;
    const maxThrottles = this.options.maxThrottleRetries ?? 10;
    let reauthenticated = false;
    for (let throttles = 0; ; ) {
      const started = Date.now();
      try {
        const answer = await limiter.run(() => this.sdk.send(this.parameters(call)));
        stats?.timing(`nodepool.task.${provider}.${call.operation}`, Date.now() - started);
        return { status: answer.status, result: answer.result as T, headers: answer.headers ?? {} };
      } catch (raw) {
        const error = raw as SdkError;
        if (error.status === 429 && throttles < maxThrottles) {
          throttles++;
          const waitMs = retryAfterMs(error.headers?.['retry-after']) ?? 1_000;
          log.debug('IBM Cloud throttled a call; backing off', { operation: call.operation, retryAfterMs: waitMs, attempt: throttles });
          limiter.backOff(waitMs);
          continue;
        }
        if (error.status === 401 && !reauthenticated) {
          reauthenticated = true;
          log.debug('IBM Cloud refused the token; authenticating again', { operation: call.operation });
          this.sdk = this.makeSdk();
          continue;
        }
        if (error instanceof IbmCloudApiError) throw error;
        throw translateError(error, call.operation);
      }
    }
  }

  private makeSdk(): SdkService {
    return new SdkService({ authenticator: this.options.authenticator(), serviceUrl: this.options.serviceUrl });
  }

  private parameters(call: IbmCall): unknown {
    const query: Record<string, string | number> = { ...this.options.defaultQuery };
    for (const [key, value] of Object.entries(call.query ?? {})) if (value !== undefined) query[key] = value;
    return {
      options: {
        url: call.path,
        method: call.method,
        qs: query,
        ...(call.body === undefined ? {} : { body: call.body }),
        axiosOptions: { timeout: this.options.timeoutMs ?? 60_000 },
      },
      defaultOptions: {
        serviceUrl: this.options.serviceUrl,
        headers: { Accept: 'application/json', ...(call.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      },
    };
  }
}

/** `Retry-After` in ms: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
