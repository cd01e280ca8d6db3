import { awsErrorCode, CAPACITY_CODES } from './aws-errors.js';

/** A retry token as the SDK's retry middleware reads it: it sleeps `getRetryDelay()` itself. */
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/** The SDK's classification of a failed attempt (`@smithy/types` RetryErrorInfo). */
interface RetryErrorInfo {
  readonly errorType: string;
  readonly error?: unknown;
}

/** The SDK's `RetryStrategyV2`, structurally, so no SDK-internal package is imported. */
export interface SdkRetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

const token = (count: number, delayMs: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => delayMs });

/**
 * The SDK's own retries, minus the two kinds of failure somebody else owns:
 *
 * - throttling (`RequestLimitExceeded`, `SlowDown`, …) is the kit's rate limiter's to ride out,
 *   so that the pause holds every caller of the limiter, not just the call that was refused;
 * - no capacity (`InsufficientInstanceCapacity`, a 500 the SDK counts as transient) is an
 *   answer, not a blip: the kit retries the launch, or a spot label falls back to on-demand.
 *
 * Network errors and other transient 5xx answers are retried up to `maxAttempts` attempts in
 * all, with exponential back-off and full jitter (at most `maxDelayMs`).
 */
export function limiterFriendlyRetryStrategy(maxAttempts: number, { baseDelayMs = 100, maxDelayMs = 20_000 } = {}): SdkRetryStrategy {
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    async refreshRetryTokenForRetry(previous, { errorType, error }) {
      const attempts = previous.getRetryCount() + 1;
      const code = awsErrorCode(error);
      if (errorType !== 'TRANSIENT' || attempts >= maxAttempts || (code !== undefined && CAPACITY_CODES.has(code))) {
        // The middleware then throws the attempt's own error.
        throw new Error('no retry');
      }
      return token(attempts, Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempts));
    },
    recordSuccess: () => undefined,
  };
}
