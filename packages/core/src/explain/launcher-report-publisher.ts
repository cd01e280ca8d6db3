import { NoNodeError, type ZooKeeperClient } from '@nodepool/zookeeper';
import type { HealthBoard } from '../health/health-board.js';
import type { Logger } from '../log.js';
import type { ExplainBoard } from './explain-board.js';
import { LAUNCHER_REPORTS_PATH, type LauncherReport } from './launcher-report.js';
import type { PoolDecision } from './request-decision.js';

/** ZooKeeper refuses znodes over 1 MiB by default (jute.maxbuffer): stay well below. */
export const DEFAULT_REPORT_MAX_BYTES = 512 * 1024;
/** At most one write per interval, whatever the number of changes. */
export const DEFAULT_REPORT_INTERVAL_MS = 1_000;

export interface LauncherReportPublisherOptions {
  readonly hostname: string;
  readonly explain: ExplainBoard;
  readonly health: HealthBoard;
  readonly log: Logger;
  /** Drops requests that are gone before each write. */
  readonly isLive?: (requestId: string) => boolean;
  readonly intervalMs?: number;
  readonly maxBytes?: number;
}

/**
 * Publishes a launcher's request explanations and provider health to its own ephemeral znode
 * under `LAUNCHER_REPORTS_PATH`, at most once per interval and only after a change; written
 * again under a new name when a new session begins. A write that fails is logged and retried
 * with the next change: the report is advisory, request handling never waits for it.
 */
export class LauncherReportPublisher {
  private path: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private writtenRevision = -1;
  private healthChanged = true;
  private stopped = false;
  /** A change came while writing: write again afterwards. */
  private again = false;
  private readonly intervalMs: number;
  private readonly maxBytes: number;
  private readonly onChange = (): void => this.schedule();
  private readonly onHealthChange = (): void => {
    this.healthChanged = true;
    this.schedule();
  };
  private readonly onNewSession = (): void => {
    // Our ephemeral znode went with the old session.
    this.path = undefined;
    this.healthChanged = true;
    this.schedule();
  };

  constructor(
    private readonly client: ZooKeeperClient,
    private readonly options: LauncherReportPublisherOptions,
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_REPORT_INTERVAL_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_REPORT_MAX_BYTES;
  }

  start(): void {
    this.options.explain.on('change', this.onChange);
    this.options.health.on('change', this.onHealthChange);
    this.client.on('connected', this.onNewSession);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.explain.off('change', this.onChange);
    this.options.health.off('change', this.onHealthChange);
    this.client.off('connected', this.onNewSession);
    clearTimeout(this.timer);
    await this.writing;
    if (this.path) await this.client.delete(this.path).catch(() => undefined);
  }

  /** The report as it would be written now. */
  report(): LauncherReport {
    const { explain, health, hostname } = this.options;
    if (this.options.isLive) explain.prune(this.options.isLive);
    const requests: Record<string, PoolDecision[]> = {};
    const ids = explain.requestIds();
    // Requests in priority order until the size bound; the rest are counted, not listed.
    let bytes = 512;
    let kept = 0;
    for (const id of ids) {
      const decisions = explain.decisions(id);
      const size = JSON.stringify(decisions).length + id.length + 4;
      if (bytes + size > this.maxBytes) break;
      bytes += size;
      requests[id] = decisions;
      kept++;
    }
    return { hostname, writtenAt: Date.now(), requests, omittedRequests: ids.length - kept, providers: health.snapshots() };
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    // One write at a time: a second one racing the first's create would make a second znode.
    if (this.writing) {
      this.again = true;
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.write().finally(() => {
        this.writing = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    const revision = this.options.explain.revision;
    if (revision === this.writtenRevision && !this.healthChanged && this.path) return;
    this.healthChanged = false;
    const data = Buffer.from(JSON.stringify(this.report()));
    try {
      if (this.path) {
        try {
          await this.client.setData(this.path, data);
        } catch (error) {
          if (!(error instanceof NoNodeError)) throw error;
          this.path = undefined;
        }
      }
      if (!this.path && !this.stopped) {
        this.path = await this.client.create(`${LAUNCHER_REPORTS_PATH}/${this.options.hostname}`, { data, mode: 'ephemeral-sequential', makeParents: true });
      }
      this.writtenRevision = revision;
    } catch (error) {
      this.healthChanged = true;
      this.options.log.debug('could not publish the launcher report', { error: String(error) });
      this.again = true;
    }
  }
}
