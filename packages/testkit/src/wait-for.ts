/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. Default 10 000 ms. */
  timeoutMs?: number;
  /** Pause between two checks. Default 50 ms. */
  intervalMs?: number;
  /** The rejection message on timeout. Default `'condition not met'`. */
  message?: string;
}

/**
 * Polls `predicate` until it returns a truthy value, and resolves with that value.
 *
 * Use this instead of fixed sleeps in tests. The predicate may be async; if it throws, the error
 * counts as "not yet" and is attached as `cause` to the timeout error, so a check that kept failing
 * explains itself. A check that is still running when time is up is not abandoned early: the
 * timeout is only looked at between checks.
 *
 * @returns the first truthy value the predicate produced.
 * @throws Error with `options.message` (plus the elapsed time) when `timeoutMs` passes first.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, message = 'condition not met' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${message} (gave up after ${timeoutMs} ms)`, lastError === undefined ? undefined : { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
