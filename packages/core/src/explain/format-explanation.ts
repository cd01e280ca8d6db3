import type { BreakerSnapshot } from '../health/provider-breaker.js';
import type { RequestExplanation } from './request-explanation.js';

/** `12s`, `4m05s`, `2h03m`: how long ago, for people. */
function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/**
 * The text of `nodepool request-explain` (and of the web API for text clients): the request,
 * then per pool its latest decision (code, words, since when) and its earlier changes.
 */
export function formatExplanation(explanation: RequestExplanation, now = Date.now()): string {
  const lines: string[] = [];
  const { request } = explanation;
  if (request) {
    lines.push(
      `Request ${explanation.id}: ${request.state} for ${ago(now - request.stateTime * 1000)}, labels ${request.nodeTypes.join(', ')}` +
        (request.requestor ? `, requested by ${request.requestor}` : ''),
    );
  } else {
    lines.push(`Request ${explanation.id}: not in ZooKeeper (never made, or already fulfilled and returned)`);
  }
  if (explanation.pools.length === 0) lines.push('  No launcher has published a decision about it.');
  for (const pool of explanation.pools) {
    lines.push(`  ${pool.provider}/${pool.pool} (launcher ${pool.launcher}): ${pool.code}, for ${ago(now - pool.since)}`);
    lines.push(`    ${pool.text}`);
    const earlier = pool.history.slice(0, -1);
    for (const change of earlier) lines.push(`    ${clock(change.at)} ${change.code}: ${change.text}`);
  }
  for (const silent of explanation.silentPools) {
    lines.push(`  ${silent.provider || '?'} (pool worker ${silent.poolWorker}): no decision published${silent.declined ? ' (it declined the request)' : ''}`);
  }
  for (const breaker of explanation.providers) {
    if (breaker.state === 'closed') continue;
    const probe = breaker.nextProbeAt !== undefined ? `, next probe in ${ago(breaker.nextProbeAt - now)}` : '';
    lines.push(`  Provider ${breaker.provider} (launcher ${breaker.launcher}) is unhealthy: circuit breaker ${breaker.state}${probe}; last error: ${breaker.lastError ?? 'none'}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `nodepool info`'s lines about a provider's circuit breaker in each launcher that runs one
 * (none when no launcher has a breaker for it, as with every 9.0.0 configuration).
 */
export function formatProviderHealth(reports: readonly { hostname: string; providers: readonly BreakerSnapshot[] }[], provider: string, now = Date.now()): string[] {
  const lines: string[] = [];
  for (const report of reports) {
    for (const breaker of report.providers) {
      if (breaker.provider !== provider) continue;
      const since = breaker.openedAt !== undefined && breaker.state !== 'closed' ? ` for ${ago(now - breaker.openedAt)}` : '';
      const probe = breaker.nextProbeAt !== undefined ? `, next probe in ${ago(breaker.nextProbeAt - now)}` : '';
      const last = breaker.lastError ? `; last error: ${breaker.lastError}` : '';
      lines.push(`  launcher ${report.hostname}: ${breaker.state}${since}, ${breaker.consecutiveFailures}/${breaker.threshold} failures in a row${probe}, opened ${breaker.timesOpened} times${last}`);
    }
  }
  return lines;
}
