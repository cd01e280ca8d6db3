import type { ServerResponse } from 'node:http';
import type { HistorySample } from '../history/history-sample.js';
import type { LauncherHistory } from '../history/launcher-history.js';
import type { HealthSource } from '../health/health-source.js';
import { getLogger, type Logger } from '../log.js';
import { DASHBOARD_COLLECTIONS, dashboardStatus, type DashboardCollection, type DashboardStatus } from '../status/dashboard-status.js';
import type { StatusSource } from '../status/status-source.js';

export interface DashboardFeedOptions {
  readonly source: StatusSource;
  /** Least time between two updates, in ms; default 250 (at most four a second). */
  readonly minIntervalMs?: number | undefined;
  /** Time between heartbeats, in ms; default 15 000. */
  readonly heartbeatMs?: number | undefined;
  /** A client with more unsent bytes than this is dropped (it reconnects); default 8 MiB. */
  readonly maxBufferedBytes?: number | undefined;
  /** The clock, in epoch seconds; default the system clock. */
  readonly now?: (() => number) | undefined;
  readonly log?: Logger | undefined;
  /** The launcher's history, sent along when kept (`history` and `sample` events). */
  readonly history?: LauncherHistory | undefined;
  /** Whether the web API explains requests (`/request/<id>/explain.json`): the page offers it. */
  readonly explain?: boolean | undefined;
  /** Every launcher's provider breakers, sent along when given (`health` events). */
  readonly health?: HealthSource | undefined;
  /** Time between two reads of `health` while a page is open, in ms; default 5 000. */
  readonly healthIntervalMs?: number | undefined;
}

/** Each collection of the last status sent, as row key → the row's JSON. */
type Baseline = Map<DashboardCollection, Map<string, string>>;

/**
 * The dashboard's live updates: a `text/event-stream` (server-sent events) per page.
 *
 * Protocol, per connection:
 * - `event: features` first, `data:` `{"explain": <bool>, "provider_health": <bool>}`: whether
 *   the web API explains requests and whether `health` events will come.
 * - `event: snapshot` then, `data:` the whole `DashboardStatus` as JSON.
 * - `event: patch` after changes, `data:` an object with `now`, `summary` when it changed, and
 *   for each collection with changes an object mapping each changed key to its new row, or to
 *   `null` when the row is gone. Rows are always whole.
 * - `event: heartbeat` every `heartbeatMs`, `data:` `{"now": <epoch s>}`: keeps proxies from
 *   closing an idle stream, and tells the page it is still connected.
 * - With a history: `event: history` right after the snapshot, `data:` `{"interval": <s>,
 *   "capacity": <samples kept>, "samples": [...]}` (the samples of `GET /history`); then
 *   `event: sample`, `data:` one new sample, as each is taken.
 * - With provider health: `event: health`, `data:` `{"providers": [...]}` (the breakers of
 *   `GET /provider-health.json`), after the snapshot and whenever it changes (read every
 *   `healthIntervalMs`: launchers publish it to ZooKeeper, unwatched).
 *
 * A reconnecting page gets a fresh snapshot; `Last-Event-ID` is not used.
 *
 * Cost: nothing is read while no page is open. Changes (one call per changed znode) are
 * coalesced: one status is read and diffed for all pages, at most once per `minIntervalMs`,
 * and never more often than every four times the last read took, so a launcher with a very
 * large status spends at most a fifth of its time on the dashboard. A page that does not keep
 * up is dropped rather than buffered without bound.
 */
export class DashboardFeed {
  /** Pages that have the baseline and get patches. */
  private readonly clients = new Set<ServerResponse>();
  /** Pages waiting for their snapshot. */
  private readonly joining = new Set<ServerResponse>();
  private baseline: Baseline | undefined;
  private lastSummary = '';
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private reading = false;
  /** A change arrived during a read: read again after it. */
  private again = false;
  private lastReadAt = 0;
  private lastReadMs = 0;
  private closed = false;
  private healthTimer: NodeJS.Timeout | undefined;
  private healthReading = false;
  /** The last `health` event's data, as sent. */
  private lastHealth: string | undefined;
  private readonly minIntervalMs: number;
  private readonly heartbeatMs: number;
  private readonly maxBufferedBytes: number;
  private readonly log: Logger;
  private readonly onChange = (): void => this.schedule();
  private readonly onSample = (sample: HistorySample): void => {
    const chunk = event('sample', JSON.stringify(sample));
    // Pages still waiting for their snapshot get this sample in their history.
    for (const response of this.clients) this.write(response, chunk);
  };

  constructor(private readonly options: DashboardFeedOptions) {
    this.minIntervalMs = options.minIntervalMs ?? 250;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.log = options.log ?? getLogger('nodepool.WebApp');
  }

  /** Pages connected now. */
  get size(): number {
    return this.clients.size + this.joining.size;
  }

  /** Serves the event stream on `response` until the page goes or the feed is closed. */
  open(response: ServerResponse): void {
    if (this.closed) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // Tells nginx not to buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    // EventSource's reconnection delay (default 3 s in browsers).
    response.write('retry: 2000\n\n');
    response.write(event('features', JSON.stringify({ explain: this.options.explain === true, provider_health: this.options.health !== undefined })));
    this.joining.add(response);
    response.on('close', () => this.drop(response));
    if (this.size === 1) this.follow();
    this.schedule();
  }

  /** Ends every stream and stops following the source. */
  close(): void {
    this.closed = true;
    for (const response of [...this.clients, ...this.joining]) response.end();
    this.clients.clear();
    this.joining.clear();
    this.unfollow();
  }

  private follow(): void {
    this.unwatch = this.options.source.watch?.(this.onChange);
    this.options.history?.on('sample', this.onSample);
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    if (this.options.health) {
      void this.readHealth();
      this.healthTimer = setInterval(() => void this.readHealth(), this.options.healthIntervalMs ?? 5_000);
      this.healthTimer.unref();
    }
  }

  private unfollow(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    this.options.history?.off('sample', this.onSample);
    clearInterval(this.heartbeat);
    clearInterval(this.healthTimer);
    this.lastHealth = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.baseline = undefined;
  }

  private drop(response: ServerResponse): void {
    const known = this.clients.delete(response) || this.joining.delete(response);
    if (known && this.size === 0) this.unfollow();
  }

  private beat(): void {
    const chunk = event('heartbeat', JSON.stringify({ now: this.now() }));
    for (const response of [...this.clients, ...this.joining]) this.write(response, chunk);
    // Without change notifications, the heartbeat is what brings news.
    if (!this.options.source.watch) this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.size === 0 || this.timer) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    // A page waiting for its snapshot is served at once; patches keep to the pace.
    const pace = Math.max(this.minIntervalMs, 4 * this.lastReadMs);
    const wait = this.joining.size > 0 ? 0 : Math.max(0, this.lastReadAt + pace - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.send();
    }, wait);
  }

  private async send(): Promise<void> {
    this.reading = true;
    const started = performance.now();
    const joining = [...this.joining];
    let status: DashboardStatus;
    try {
      status = await dashboardStatus(this.options.source, { now: this.now() });
    } catch (error) {
      // Not fatal: the next change or heartbeat tries again; waiting pages keep waiting.
      this.log.warn('reading the dashboard status failed', { error: error instanceof Error ? error.message : String(error) });
      this.finishRead(started);
      return;
    }
    const baseline = new Map(DASHBOARD_COLLECTIONS.map((name) => [name, new Map(Object.entries(status[name]).map(([key, row]) => [key, JSON.stringify(row)]))]));
    const summary = JSON.stringify(status.summary);
    if (this.baseline && this.clients.size > 0) {
      const patch = this.patch(this.baseline, baseline, status, summary !== this.lastSummary);
      if (patch) {
        const chunk = event('patch', JSON.stringify({ now: status.now, ...patch }));
        for (const response of this.clients) this.write(response, chunk);
      }
    }
    this.baseline = baseline;
    this.lastSummary = summary;
    if (joining.length > 0) {
      const chunk = event('snapshot', JSON.stringify(status));
      const history = this.historyChunk();
      for (const response of joining) {
        if (!this.joining.delete(response)) continue; // gone meanwhile
        this.clients.add(response);
        this.write(response, chunk);
        if (history) this.write(response, history);
        if (this.lastHealth !== undefined) this.write(response, event('health', this.lastHealth));
      }
    }
    this.finishRead(started);
  }

  private finishRead(started: number): void {
    this.lastReadMs = performance.now() - started;
    this.lastReadAt = Date.now();
    this.reading = false;
    if (this.again || this.joining.size > 0) {
      this.again = false;
      this.schedule();
    }
  }

  /** What changed from `before` to `after` (the baseline of `status`), or undefined when nothing did. */
  private patch(before: Baseline, after: Baseline, status: DashboardStatus, summaryChanged: boolean): Record<string, unknown> | undefined {
    const patch: Record<string, unknown> = {};
    if (summaryChanged) patch.summary = status.summary;
    for (const [name, rows] of after) {
      const previous = before.get(name) ?? new Map<string, string>();
      const current: Readonly<Record<string, unknown>> = status[name];
      const changes: [string, unknown][] = [];
      for (const [key, json] of rows) if (previous.get(key) !== json) changes.push([key, current[key]]);
      for (const key of previous.keys()) if (!rows.has(key)) changes.push([key, null]);
      if (changes.length > 0) patch[name] = Object.fromEntries(changes);
    }
    return Object.keys(patch).length > 0 ? patch : undefined;
  }

  /** Reads provider health and sends it to every page that has its snapshot, if it changed. */
  private async readHealth(): Promise<void> {
    const source = this.options.health;
    if (!source || this.healthReading) return;
    this.healthReading = true;
    try {
      const providers = await source.providerHealth();
      if (this.closed || this.size === 0) return;
      const data = JSON.stringify({ providers });
      if (data === this.lastHealth) return;
      this.lastHealth = data;
      // Pages still waiting for their snapshot get it with their snapshot.
      const chunk = event('health', data);
      for (const response of this.clients) this.write(response, chunk);
    } catch (error) {
      // Not fatal: the next read tries again.
      this.log.warn('reading provider health for the dashboard failed', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.healthReading = false;
    }
  }

  private historyChunk(): string | undefined {
    const history = this.options.history;
    if (!history) return undefined;
    return event('history', JSON.stringify({ interval: history.intervalMs / 1000, capacity: history.capacity, samples: history.samples() }));
  }

  private write(response: ServerResponse, chunk: string): void {
    if (response.writableLength > this.maxBufferedBytes) {
      this.log.info('dropping a dashboard page that does not keep up', { buffered: response.writableLength });
      response.destroy();
      return;
    }
    response.write(chunk);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now() / 1000;
  }
}

/** One server-sent event; `data` is single-line JSON, so one `data:` line suffices. */
function event(name: string, data: string): string {
  return `event: ${name}\ndata: ${data}\n\n`;
}
