import { renderStatusJson, renderStatusText, type StatusListing } from '@nodepool/core';
import type { Output } from './program-types.js';

export interface PrintOptions {
  /** Print the rows as JSON (the web API's JSON) instead of the table. */
  readonly json?: boolean | undefined;
  /** Only these columns in the table. */
  readonly fields?: readonly string[] | undefined;
  readonly now: number;
}

/** Prints a listing as the original prints it (the table, then a newline), or as JSON. */
export function printListing(output: Output, listing: StatusListing, options: PrintOptions): void {
  output.out(options.json ? renderStatusJson(listing) : renderStatusText(listing, { fields: options.fields, now: options.now }));
}
