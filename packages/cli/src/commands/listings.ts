import {
  dibImageList,
  imageList,
  imageStatus,
  nodeList,
  NODE_LIST_SUMMARY_FIELDS,
  requestList,
  ZooKeeperStatusSource,
  type StatusListing,
  type StatusSource,
} from '@nodepool/core';
import { nowOf, withZooKeeper, type CommandContext } from '../cli-context.js';
import { printListing } from '../print-listing.js';

export interface ListingOptions {
  /** Print JSON (the web API's) instead of the table. */
  json?: boolean;
}

/**
 * The read-only listings (`list`, `request-list`, `image-list`, `dib-image-list`,
 * `image-status`): read straight from ZooKeeper, printed as the original's tables.
 */
export async function listingCommand(
  context: CommandContext,
  options: ListingOptions & { fields?: readonly string[] | undefined },
  listing: (source: StatusSource, now: number) => Promise<StatusListing>,
): Promise<number> {
  const now = nowOf(context);
  const result = await withZooKeeper(context, (zk) => listing(new ZooKeeperStatusSource(zk), now));
  printListing(context.output, result, { json: options.json, fields: options.fields, now });
  return 0;
}

/** `nodepool list [--detail]`: nine columns, or all of them with `--detail`. */
export function listCommand(context: CommandContext, options: ListingOptions & { detail?: boolean }): Promise<number> {
  return listingCommand(context, { json: options.json, fields: options.detail ? undefined : NODE_LIST_SUMMARY_FIELDS }, (source, now) => nodeList(source, { now }));
}

export const requestListCommand = (context: CommandContext, options: ListingOptions) => listingCommand(context, options, (source) => requestList(source));
export const imageListCommand = (context: CommandContext, options: ListingOptions) => listingCommand(context, options, (source) => imageList(source));
export const dibImageListCommand = (context: CommandContext, options: ListingOptions) => listingCommand(context, options, (source) => dibImageList(source));
export const imageStatusCommand = (context: CommandContext, options: ListingOptions) => listingCommand(context, options, (source) => imageStatus(source));
