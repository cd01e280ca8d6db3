/**
 * A listing as the original's `status.py` builds it: rows of plain values, keyed like the JSON
 * the web API returns, and the columns (key and text-table title) in display order.
 */
export interface StatusColumn {
  /** The row key, which is also the JSON key (`server_id`). */
  readonly key: string;
  /** The title of the text table's column (`Server ID`). */
  readonly title: string;
}

/** One row: the JSON object the web API returns for it, keys in column order. */
export type StatusRow = Readonly<Record<string, unknown>>;

export interface StatusListing {
  readonly columns: readonly StatusColumn[];
  readonly rows: readonly StatusRow[];
}

/** Builds the columns from `[key, title]` pairs. */
export function columns(...pairs: readonly (readonly [string, string])[]): StatusColumn[] {
  return pairs.map(([key, title]) => ({ key, title }));
}

/** Builds a row with exactly the listing's keys, in column order. */
export function row(cols: readonly StatusColumn[], values: readonly unknown[]): StatusRow {
  return Object.fromEntries(cols.map((column, index) => [column.key, values[index] ?? null]));
}

/**
 * The listing with only the columns whose keys are in `fields`, kept in the listing's own order;
 * unknown keys are ignored. Rows keep every key (the original's `fields=` narrows the text
 * table only, never the JSON).
 */
export function selectColumns(listing: StatusListing, fields: readonly string[] | undefined): StatusListing {
  if (!fields || fields.length === 0) return listing;
  const wanted = new Set(fields);
  return { columns: listing.columns.filter((column) => wanted.has(column.key)), rows: listing.rows };
}
