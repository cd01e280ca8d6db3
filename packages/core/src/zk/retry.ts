import { ClientClosedError, isTransientError, SessionExpiredError, type ZooKeeperClient } from '@nodepool/zookeeper';
import type { Logger } from '../log.js';

/**
 * The session this work began in has ended: every ephemeral znode of it (its locks) is gone, and
 * someone else may own what it held. The work must stop without writing anything more.
 */
export class SessionLostError extends Error {
  override name = 'SessionLostError';
}

/** What a failed attempt whose reply was lost turned out to have done. */
export type Settled<T> = { applied: true; value: T } | { applied: false };

export interface RetryOptions<T> {
  /** Named in log lines: `write of node 0000000042`. */
  what: string;
  /**
   * The session the operation belongs to (one holding the locks it depends on): once the client
   * is in another, the operation fails with SessionLostError instead of being tried again.
   * Undefined: any session will do (reads, and writes that need no lock).
   */
  session?: string | undefined;
  /**
   * After connection trouble, once connected again: what became of the failed attempt, which
   * may have been applied with only its reply lost. Without it the operation is simply tried
   * again (reads, and writes that are idempotent). May throw: the outcome is then that error.
   */
  settle?: () => Promise<Settled<T>>;
  /** Ends the wait for a connection (the caller is stopping): the last error is thrown. */
  signal?: AbortSignal | undefined;
  log: Logger;
}

/** Pause between attempts that fail although connected (a throttling server), at most. */
const MAX_BACKOFF_MS = 2_000;

/**
 * Runs `attempt` until it succeeds: a failure for connection trouble (a lost connection, a
 * throttling server) is not the end while the session lives. The attempt is made again once
 * connected, however long that takes — after finding out, with `settle`, whether the failed one
 * was applied after all. Ends with SessionLostError when the session changes (with `session`),
 * ClientClosedError when the client closes, or the attempt's own error for anything else.
 */
export async function retryWhileSessionLives<T>(client: ZooKeeperClient, attempt: () => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const { session, what, log } = options;
  let troubles = 0;
  /** An attempt failed with its outcome unknown: settle it before trying again. */
  let unsettled = false;
  for (;;) {
    if (session !== undefined && client.sessionId !== session) throw new SessionLostError(`${what}: the session it belonged to has ended`);
    let failure: unknown;
    try {
      if (unsettled && options.settle) {
        const settled = await options.settle();
        unsettled = false;
        if (settled.applied) {
          log.info('recovered from a connection loss: the lost attempt had been applied', { operation: what });
          return settled.value;
        }
      }
      unsettled = true;
      const value = await attempt();
      if (troubles > 0) log.info('recovered from a connection loss', { operation: what, attempts: troubles + 1 });
      return value;
    } catch (error) {
      if (error instanceof SessionExpiredError && session !== undefined) throw new SessionLostError(`${what}: the session it belonged to expired`, { cause: error });
      if (!isTransientError(error) && !(error instanceof SessionExpiredError)) throw error;
      failure = error;
    }
    troubles++;
    log.debug('connection trouble; trying again once connected', { operation: what, error: String(failure) });
    const wasConnected = client.state === 'connected';
    try {
      await client.whenConnected({ signal: options.signal });
    } catch (error) {
      if (error instanceof ClientClosedError) throw error;
      throw failure;
    }
    // Refused while connected (the server throttles): wait a little, more each time.
    if (wasConnected) await delay(Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(troubles, 6)));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
