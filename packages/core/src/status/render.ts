import { formatAge } from './format-age.js';
import { renderPrettyTable } from './pretty-table.js';
import { pythonJsonDumps, pythonStr } from './python-format.js';
import { selectColumns, type StatusListing } from './status-listing.js';

export interface RenderTextOptions {
  /** Keys of the columns to show (the web API's `fields=`); unknown keys are ignored. */
  readonly fields?: readonly string[] | undefined;
  /** Epoch seconds that ages are measured to; default now. */
  readonly now?: number | undefined;
}

/**
 * The text table of a listing, as the original prints it: lists joined with `,`, other values
 * as Python's `str()` (`None`, `True`), and age columns (`age`, and `…_age` when set) given as
 * Unix times shown as `DD:HH:MM:SS`. No trailing newline.
 */
export function renderStatusText(listing: StatusListing, options: RenderTextOptions = {}): string {
  const shown = selectColumns(listing, options.fields);
  const now = options.now ?? Date.now() / 1000;
  const cells = shown.rows.map((row) => shown.columns.map(({ key }) => cellText(key, row[key], now)));
  return renderPrettyTable(
    shown.columns.map((column) => column.title),
    cells,
  );
}

/** The JSON body of a listing: an array of its rows, as Python's `json.dumps` writes it. */
export function renderStatusJson(listing: StatusListing): string {
  return pythonJsonDumps(listing.rows);
}

function cellText(key: string, value: unknown, now: number): string {
  const isAge = key === 'age' || (key.endsWith('_age') && value !== null && value !== undefined);
  // A node's age arrives already formatted (a string); only Unix times are converted.
  if (isAge && typeof value === 'number') return formatAge(Math.trunc(value), now);
  if (Array.isArray(value)) return value.map(pythonStr).join(',');
  return pythonStr(value);
}
