import type { BreakerSnapshot } from '../health/provider-breaker.js';
import type { PoolDecision } from './request-decision.js';

/**
 * Where launchers publish their reports: one ephemeral sequential znode per launcher,
 * `<root>/<hostname><seq10>`. Outside Nodepool's tree (protocol spec §3 recommends
 * `/nodepool-ts/…` for private state), so Nodepool 9.0.0 and Zuul never see it.
 */
export const LAUNCHER_REPORTS_PATH = '/nodepool-ts/launcher-reports';

/** What one launcher publishes: its pool workers' decisions and its providers' health. */
export interface LauncherReport {
  readonly hostname: string;
  /** When it was written (epoch ms). */
  readonly writtenAt: number;
  /** Decisions by request ID. */
  readonly requests: Readonly<Record<string, readonly PoolDecision[]>>;
  /** Requests left out to keep the znode within its size bound (the latest in priority order). */
  readonly omittedRequests: number;
  /** Breakers of providers with the `circuit-breaker` key. */
  readonly providers: readonly BreakerSnapshot[];
}

/** Reads a report's JSON; undefined for anything that is not one (a corrupt znode). */
export function parseLauncherReport(data: Buffer): LauncherReport | undefined {
  try {
    const json = JSON.parse(data.toString('utf8')) as Partial<LauncherReport>;
    if (typeof json !== 'object' || json === null || typeof json.hostname !== 'string' || typeof json.requests !== 'object' || json.requests === null) return undefined;
    return {
      hostname: json.hostname,
      writtenAt: typeof json.writtenAt === 'number' ? json.writtenAt : 0,
      requests: json.requests,
      omittedRequests: typeof json.omittedRequests === 'number' ? json.omittedRequests : 0,
      providers: Array.isArray(json.providers) ? json.providers : [],
    };
  } catch {
    return undefined;
  }
}
