import { columns, type StatusListing } from './status-listing.js';
import type { StatusSource } from './status-source.js';

export const LABEL_LIST_COLUMNS = columns(['label', 'Label']);

/** Every label some registered pool supports, sorted (the original's order is arbitrary). */
export async function labelList(source: StatusSource): Promise<StatusListing> {
  const labels = new Set<string>();
  for (const pool of await source.poolComponents()) for (const label of pool.supportedLabels) labels.add(label);
  return { columns: LABEL_LIST_COLUMNS, rows: [...labels].sort().map((label) => ({ label })) };
}
