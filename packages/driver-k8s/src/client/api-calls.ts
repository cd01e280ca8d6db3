import type { Logger, RateLimiter } from '@nodepool/core';
import { KubeApiError } from '../errors.js';
import { translateApiError } from './api-errors.js';

/** The limiters every API call goes through: the kit's, one for changes and one for reads. */
export interface K8sRateLimits {
  readonly mutating: RateLimiter;
  readonly readOnly: RateLimiter;
}

export interface ApiCallOptions {
  /** Longest a call may take before it counts as failed; default 60 s. */
  readonly timeoutMs?: number;
  /** How often a throttled (429) call is tried again after the wait the server asks for; default 5. */
  readonly throttleRetries?: number;
}

/**
 * Runs the drivers' API calls: each through a rate limiter, bounded in time, with the API
 * server's errors as KubeApiError. A 429 backs the limiter off for its Retry-After (1 s if it
 * names none) and the call is tried again, so a throttling API server slows launches down
 * instead of failing them.
 */
export class ApiCalls {
  private readonly timeoutMs: number;
  private readonly throttleRetries: number;

  constructor(
    private readonly limits: K8sRateLimits,
    private readonly log: Logger,
    options: ApiCallOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.throttleRetries = options.throttleRetries ?? 5;
  }

  /** A call that creates, changes or deletes. */
  mutating<T>(what: string, call: () => Promise<T>): Promise<T> {
    return this.run(this.limits.mutating, what, call);
  }

  /** A call that reads. */
  readOnly<T>(what: string, call: () => Promise<T>): Promise<T> {
    return this.run(this.limits.readOnly, what, call);
  }

  private async run<T>(limiter: RateLimiter, what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await limiter.run(() => withTimeout(call(), this.timeoutMs, what));
      } catch (caught) {
        const error = translateApiError(caught);
        if (error instanceof KubeApiError && error.code === 429 && attempt < this.throttleRetries) {
          const waitMs = Math.max(0, (error.retryAfterS ?? 1) * 1000);
          this.log.info('the API server throttles; waiting', { call: what, waitMs });
          limiter.backOff(waitMs);
          continue;
        }
        throw error;
      }
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from the API server within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
