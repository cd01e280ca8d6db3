import type { HistorySample } from '../history/history-sample.js';
import { pythonJsonDumps } from '../status/python-format.js';
import { renderStatusText } from '../status/render.js';
import { columns, row, type StatusListing } from '../status/status-listing.js';
import { NODE_STATES } from '../zk/node.js';

/** Where the web API serves the launcher's history (and `/history.json`). */
export const HISTORY_PATH = '/history';

const HISTORY_COLUMNS = columns(
  ['time', 'Time'],
  ['interval', 'Interval'],
  ...NODE_STATES.map((state) => [state, state] as const),
  ['requests', 'Requests'],
  ['completed', 'Completed'],
  ['wait_p50', 'Wait p50'],
  ['wait_p95', 'Wait p95'],
  ['launched', 'Launched'],
  ['launch_failed', 'Launch failed'],
);

/**
 * `GET /history` as JSON: the samples, oldest first, each an object with the keys of
 * `HistorySample` (`time`, `interval`, `nodes`, `requests`, `request_wait`, `launches`),
 * written as the other endpoints write theirs.
 */
export function renderHistoryJson(samples: readonly HistorySample[]): string {
  return pythonJsonDumps(samples);
}

/**
 * `GET /history` as text: one row per sample, oldest first, in the other endpoints' table
 * style (`fields=` picks columns): time in UTC, nodes per state, open requests, requests
 * completed with their waits' p50 and p95 in seconds, and launches summed over providers.
 */
export function renderHistoryText(samples: readonly HistorySample[], fields: readonly string[] | undefined): string {
  const listing: StatusListing = {
    columns: HISTORY_COLUMNS,
    rows: samples.map((sample) => {
      let launched = 0;
      let failed = 0;
      for (const counts of Object.values(sample.launches)) {
        launched += counts.launched;
        failed += counts.failed;
      }
      const seconds = (value: number | null): string => (value === null ? '' : value.toFixed(1));
      return row(HISTORY_COLUMNS, [
        new Date(sample.time * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
        sample.interval.toFixed(0),
        ...NODE_STATES.map((state) => sample.nodes[state]),
        sample.requests,
        sample.request_wait.count,
        seconds(sample.request_wait.p50),
        seconds(sample.request_wait.p95),
        launched,
        failed,
      ]);
    }),
  };
  return renderStatusText(listing, { fields });
}
