import type { Component } from '../zk/component.js';
import { compareText } from './dib-image-list.js';
import { columns, row, type StatusListing } from './status-listing.js';
import type { StatusSource } from './status-source.js';

export const POOL_LIST_COLUMNS = columns(
  ['id', 'ID'],
  ['hostname', 'Launcher'],
  ['provider', 'Provider'],
  ['pool', 'Pool'],
  ['labels', 'Labels'],
  ['priority', 'Priority'],
  ['state', 'State'],
  ['paused', 'Paused'],
);

/**
 * Registered pool workers (`/nodepool/components/pool`), by provider, pool and ID: the labels
 * they offer, their priority, and whether they are paused (a request waits for quota or
 * capacity, so the pool takes no new ones). The ID is what requests list in `declined_by`.
 * Not a listing of the original, which has none.
 */
export async function poolList(source: StatusSource): Promise<StatusListing> {
  const pools = (await source.poolComponents()).map((pool) => ({ pool, name: poolNameOf(pool) }));
  pools.sort((a, b) => compareText(a.pool.providerName ?? '', b.pool.providerName ?? '') || compareText(a.name ?? '', b.name ?? '') || compareText(a.pool.id ?? '', b.pool.id ?? ''));
  return {
    columns: POOL_LIST_COLUMNS,
    rows: pools.map(({ pool, name }) =>
      row(POOL_LIST_COLUMNS, [pool.id ?? pool.name, pool.hostname, pool.providerName ?? null, name ?? null, pool.supportedLabels, pool.priority, pool.state, pool.paused]),
    ),
  };
}

/**
 * The pool name of a pool component. The record does not carry it (nor does the original's),
 * but the worker ID does: `<hostname>-PoolWorker.<provider>-<pool>-<uuid hex>`, as both the
 * original and we build it. Undefined when the ID has another shape.
 */
export function poolNameOf(pool: Component): string | undefined {
  const id = pool.id;
  const provider = pool.providerName;
  if (!id || !provider) return undefined;
  const marker = `-PoolWorker.${provider}-`;
  const start = id.indexOf(marker);
  if (start < 0) return undefined;
  const match = /^(.+)-[0-9a-f]+$/.exec(id.slice(start + marker.length));
  return match?.[1];
}
