/**
 * `circuit-breaker` (ours, an opt-in provider key): after a number of launch failures or cloud
 * API errors in a row, the provider's pools stop taking new requests, so that other providers
 * serve them instead of jobs failing after every retry; a probe launch at growing intervals
 * closes the breaker again.
 *
 * ```yaml
 * providers:
 *   - name: cloud-a
 *     circuit-breaker:
 *       failures: 5              # failures in a row that open it (required)
 *       probe-interval: 60       # seconds before the first probe launch (default 60)
 *       max-probe-interval: 900  # the interval doubles after each failed probe, up to this (default 900)
 * ```
 *
 * Absent (as in every 9.0.0 configuration): no breaker, the provider behaves as the original.
 */
import { mapping, required, type Schema } from '../config/schema.js';

/** A provider's breaker, as configured. */
export interface BreakerSettings {
  /** Launch failures or API errors in a row that open the breaker. */
  readonly failures: number;
  /** Milliseconds from opening to the first probe. */
  readonly probeIntervalMs: number;
  /** The longest wait between probes, in milliseconds (the wait doubles after each failed probe). */
  readonly maxProbeIntervalMs: number;
}

export const DEFAULT_PROBE_INTERVAL_S = 60;
export const DEFAULT_MAX_PROBE_INTERVAL_S = 900;

/** The provider key's name. */
export const BREAKER_KEY = 'circuit-breaker';

function positive(expected: string, integerOnly: boolean): Schema {
  return {
    expected,
    check(value, path, issues) {
      const isInteger = typeof value === 'bigint';
      const isNumber = isInteger || (!integerOnly && typeof value === 'number');
      if (!isNumber || !(Number(value) > 0) || !Number.isFinite(Number(value))) {
        const shown = typeof value === 'string' ? JSON.stringify(value) : value === null ? 'nothing (null)' : String(value);
        issues.push({ path, message: `expected ${expected}, got ${shown}` });
        return false;
      }
      return true;
    },
  };
}

/** The schema of `circuit-breaker` (a provider key every driver accepts). */
export const breakerSettingsSchema: Schema = mapping({
  failures: required(positive('a whole number of failures above zero', true)),
  'probe-interval': positive('a number of seconds above zero', false),
  'max-probe-interval': positive('a number of seconds above zero', false),
});

/**
 * The breaker settings of a checked provider entry (its `raw`), or undefined when the provider
 * has none. A `max-probe-interval` below `probe-interval` is raised to it.
 */
export function readBreakerSettings(raw: Readonly<Record<string, unknown>>): BreakerSettings | undefined {
  const entry = raw[BREAKER_KEY];
  if (entry === undefined || entry === null || typeof entry !== 'object') return undefined;
  const values = entry as Record<string, unknown>;
  const seconds = (value: unknown, fallback: number): number => (value === undefined ? fallback : Number(value));
  const probeIntervalMs = seconds(values['probe-interval'], DEFAULT_PROBE_INTERVAL_S) * 1000;
  const maxProbeIntervalMs = Math.max(probeIntervalMs, seconds(values['max-probe-interval'], DEFAULT_MAX_PROBE_INTERVAL_S) * 1000);
  return { failures: Number(values.failures), probeIntervalMs, maxProbeIntervalMs };
}
