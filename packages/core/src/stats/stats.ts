import StatsD from 'hot-shots';
import { getLogger } from '../log.js';

/** Where metrics go: statsd over UDP, or nowhere. */
export interface Stats {
  readonly enabled: boolean;
  /** A counter increment (`name:1|c`). */
  increment(name: string, value?: number): void;
  gauge(name: string, value: number): void;
  /** A timer in milliseconds (`name:ms|ms`). */
  timing(name: string, milliseconds: number): void;
  close(): Promise<void>;
}

/** Statistics off. */
export const noStats: Stats = {
  enabled: false,
  increment: () => undefined,
  gauge: () => undefined,
  timing: () => undefined,
  close: async () => undefined,
};

/**
 * A statsd client, enabled as the original enables it: when `STATSD_HOST` or `STATSD_PORT` is
 * set (the other defaulting to localhost / 8125). No prefix unless `STATSD_PREFIX` is set.
 */
export function createStats(settings: { host: string | null; port: number | null; prefix: string | null }, env: NodeJS.ProcessEnv = process.env): Stats {
  if (!settings.host && !env.STATSD_HOST && !env.STATSD_PORT) return noStats;
  const log = getLogger('nodepool.stats');
  const client = new StatsD({
    host: settings.host ?? 'localhost',
    port: settings.port ?? 8125,
    prefix: settings.prefix ? `${settings.prefix}.` : '',
    protocol: 'udp',
    cacheDns: true,
    errorHandler: (error) => log.debug('statsd send failed', { error: String(error) }),
  });
  return {
    enabled: true,
    increment: (name, value = 1) => client.increment(name, value),
    gauge: (name, value) => client.gauge(name, value),
    timing: (name, milliseconds) => client.timing(name, Math.round(milliseconds)),
    close: () => new Promise((resolve) => client.close(() => resolve())),
  };
}

/** Replaces `.` and `:` with `_`, for names that are a single metric component. */
export function normaliseStatName(name: string): string {
  return name.replace(/[.:]/g, '_');
}
