/**
 * The time and the timer the history samples by; the system's by default, a fake one in tests
 * (moved by hand, so a test never waits for ten real seconds).
 */
export interface HistoryClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `task` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, task: () => void): () => void;
}

export const systemClock: HistoryClock = {
  now: () => Date.now(),
  every(intervalMs, task) {
    const timer = setInterval(task, intervalMs);
    // Sampling alone never keeps the process alive.
    timer.unref();
    return () => clearInterval(timer);
  },
};
