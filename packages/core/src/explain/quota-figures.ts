import type { ConfigPool } from '../driver/provider-config.js';
import type { QuotaInformation } from '../driver/quota-information.js';

/** Words for resources as operators know them from the configuration. */
const NAMES: Readonly<Record<string, string>> = { instances: 'servers', cores: 'cores', ram: 'MiB RAM' };

/**
 * The figures of a quota wait, `10/10 servers, 48/48 cores`: what is used of each limited
 * resource, listing the ones the next node would exceed first.
 */
export function quotaFigures(used: QuotaInformation, needed: QuotaInformation, limits: QuotaInformation): string {
  const parts: { text: string; over: boolean }[] = [];
  const names = new Set([...Object.keys(limits.resources), ...Object.keys(needed.resources)]);
  for (const name of names) {
    const limit = limits.get(name);
    if (!Number.isFinite(limit)) continue;
    const amount = used.get(name);
    parts.push({ text: `${formatAmount(amount)}/${formatAmount(limit)} ${NAMES[name] ?? name}`, over: amount + needed.get(name) > limit });
  }
  parts.sort((a, b) => Number(b.over) - Number(a.over));
  return parts.map((part) => part.text).join(', ');
}

function formatAmount(amount: number): string {
  return Number.isInteger(amount) ? String(amount) : amount.toFixed(1);
}

/** `pool main` or `pool main (max-servers 10)`, for the words of a pool's limit. */
export function poolLimitWords(pool: ConfigPool): string {
  return Number.isFinite(pool.maxServers) ? `pool ${pool.name} (max-servers ${pool.maxServers})` : `pool ${pool.name}`;
}
