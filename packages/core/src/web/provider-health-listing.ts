import type { ProviderHealth } from '../health/health-source.js';
import { formatAge } from '../status/format-age.js';
import { renderStatusText } from '../status/render.js';
import { columns, row, type StatusListing } from '../status/status-listing.js';

/** Where the web API serves provider health (and `/provider-health.json`); ours, not the original's. */
export const PROVIDER_HEALTH_PATH = '/provider-health';

const PROVIDER_HEALTH_COLUMNS = columns(
  ['launcher', 'Launcher'],
  ['provider', 'Provider'],
  ['state', 'State'],
  ['failures', 'Failures in a row'],
  ['opened_age', 'Not closed for'],
  ['next_probe', 'Next probe in'],
  ['times_opened', 'Times opened'],
  ['last_error', 'Last error'],
);

/**
 * `GET /provider-health` as JSON: every launcher's breakers, each a `BreakerSnapshot` with its
 * `launcher` (times in epoch ms), as `/request/<id>/explain.json` writes them.
 */
export function renderProviderHealthJson(providers: readonly ProviderHealth[]): string {
  return JSON.stringify(providers);
}

/**
 * `GET /provider-health` as text, in the listings' table style (`fields=` picks columns): a row
 * per breaker with its failures in a row against the threshold, how long it has not been closed
 * and the wait to its next probe (`DD:HH:MM:SS`), and its last error. `now` in epoch seconds.
 */
export function renderProviderHealthText(providers: readonly ProviderHealth[], now: number, fields?: readonly string[]): string {
  const listing: StatusListing = {
    columns: PROVIDER_HEALTH_COLUMNS,
    rows: providers.map((breaker) =>
      row(PROVIDER_HEALTH_COLUMNS, [
        breaker.launcher,
        breaker.provider,
        breaker.state,
        `${breaker.consecutiveFailures}/${breaker.threshold}`,
        breaker.state !== 'closed' && breaker.openedAt !== undefined ? formatAge(breaker.openedAt / 1000, now) : '',
        // A wait ahead: the age of now, measured at the probe's time.
        breaker.nextProbeAt !== undefined ? formatAge(now, Math.max(now, breaker.nextProbeAt / 1000)) : '',
        breaker.timesOpened,
        breaker.lastError ?? '',
      ]),
    ),
  };
  return renderStatusText(listing, { fields, now });
}
