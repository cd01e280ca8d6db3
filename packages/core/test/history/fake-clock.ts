import type { HistoryClock } from '../../src/history/clock.js';

/** A history clock the test moves by hand: `advance` runs the timers that fall due, in order. */
export class FakeClock implements HistoryClock {
  private timers: { due: number; intervalMs: number; task: () => void }[] = [];

  constructor(private time: number) {}

  now = (): number => this.time;

  every(intervalMs: number, task: () => void): () => void {
    const timer = { due: this.time + intervalMs, intervalMs, task };
    this.timers.push(timer);
    return () => void (this.timers = this.timers.filter((other) => other !== timer));
  }

  /** Moves time on by `ms`, running each timer as often as it falls due. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((timer) => timer.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.time = next.due;
      next.due += next.intervalMs;
      next.task();
    }
    this.time = end;
  }

  /** Timers still scheduled. */
  get pending(): number {
    return this.timers.length;
  }
}
