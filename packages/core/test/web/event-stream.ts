import type { ExecutionContext } from 'ava';

/** One server-sent event, its data parsed as JSON. */
export interface ReceivedEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
  /** `Date.now()` when it arrived. */
  readonly at: number;
}

/**
 * A `text/event-stream` client for tests: reads the stream in the background and hands out
 * events in order. Closed when the test ends.
 */
export class EventStreamReader {
  /** Every event received so far, in order. */
  readonly received: ReceivedEvent[] = [];
  private taken = 0;
  private wake: (() => void) | undefined;
  private ended = false;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {}

  static async open(t: ExecutionContext, url: string): Promise<EventStreamReader> {
    const abort = new AbortController();
    const response = await fetch(url, { signal: abort.signal });
    const reader = new EventStreamReader(response, abort);
    t.teardown(() => reader.close());
    void reader.pump();
    return reader;
  }

  /** The next event named `name` (events of other names are skipped); fails after `timeoutMs`. */
  async next(name: string, timeoutMs = 10_000): Promise<ReceivedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.taken < this.received.length) {
        const event = this.received[this.taken++]!;
        if (event.event === name) return event;
      }
      if (this.ended) throw new Error(`the stream ended before a "${name}" event`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${name}" event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Resolves once the server has ended the stream. */
  async whenEnded(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice('event: '.length);
            else if (line.startsWith('data: ')) data.push(line.slice('data: '.length));
          }
          if (data.length > 0) this.received.push({ event, data: JSON.parse(data.join('\n')) as Record<string, unknown>, at: Date.now() });
          this.wake?.();
        }
      }
    } catch {
      // Aborted by close(), or the connection dropped.
    }
    this.ended = true;
    this.wake?.();
  }
}
