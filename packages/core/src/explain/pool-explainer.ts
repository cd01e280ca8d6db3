import type { BreakerSnapshot } from '../health/provider-breaker.js';
import type { DecidingPool, ExplainBoard } from './explain-board.js';
import type { ExplainCode } from './explain-codes.js';

/**
 * The code of a decline reason as the pool worker words it for `declined_by` (spec §5.5 step
 * 6), so the explanation and the launcher's log say the same.
 */
export function declineCode(reason: string): ExplainCode {
  if (/not available$/.test(reason) && reason.startsWith('node type')) return 'declined.no-such-label';
  if (reason === 'images are not available') return 'declined.image-not-ready';
  if (reason === 'it would exceed quota') return 'declined.exceeds-pool-limits';
  if (reason === 'provider cannot satisfy min-ready') return 'declined.min-ready-unsatisfiable';
  if (reason === 'nodes failed to launch') return 'declined.launch-failed';
  if (reason.startsWith('error while handling')) return 'declined.error';
  return 'declined.by-driver';
}

/**
 * One pool worker's side of the explain board: each call words a decision (with its figures)
 * and notes it. Without a board (explanations not kept) every call does nothing, so the pool
 * worker's hooks stay one line each.
 */
export class PoolExplainer {
  constructor(
    private readonly board: ExplainBoard | undefined,
    private readonly pool: DecidingPool,
  ) {}

  /** Left to other pools without declining: it lacks labels, or another pool comes first. */
  notServed(requestId: string, missingLabels: readonly string[], preferred?: string): void {
    if (missingLabels.length > 0) {
      this.note(requestId, 'not-served.no-such-label', `not served here: pool ${this.pool.poolName} has no label ${[...new Set(missingLabels)].join(', ')}; left to pools that have`);
    } else {
      this.note(requestId, 'not-served.other-pool-preferred', `left to ${preferred ?? 'another pool'}, which comes first`);
    }
  }

  /** Declined, for the reasons written to the launcher's log. */
  declined(requestId: string, reasons: readonly string[]): void {
    this.note(requestId, declineCode(reasons[0] ?? ''), `declined: ${reasons.join(', ')}`);
  }

  /** Accepted, and waiting for quota: `figures` as `quotaFigures` words them. */
  atQuota(requestId: string, label: string, where: string, figures: string): void {
    this.note(requestId, 'waiting.at-quota', `waiting for quota for a ${label} node: ${where} at ${figures}`);
  }

  /** A tenant's resource limits hold the request back. */
  tenantQuota(requestId: string, tenant: string): void {
    this.note(requestId, 'waiting.tenant-quota', `waiting: tenant ${tenant} is at its resource limits`);
  }

  /** The pool is paused behind another request of its own (waiting for quota or a free node). */
  pausedBehind(requestIds: Iterable<string>, blocker: string): void {
    for (const id of requestIds) if (id !== blocker) this.note(id, 'waiting.paused-behind', `waiting: the pool is paused behind request ${blocker}`);
  }

  /** `max-concurrency` requests are in progress in the provider. */
  maxConcurrency(requestIds: Iterable<string>, active: number, max: number): void {
    for (const id of requestIds) {
      this.note(id, 'waiting.max-concurrency', `waiting: max-concurrency reached, ${active} of ${max} requests in progress in provider ${this.pool.providerName}`);
    }
  }

  /** The provider's circuit breaker is open: its pools take no new requests. */
  providerUnhealthy(requestIds: Iterable<string>, breaker: BreakerSnapshot, now = Date.now()): void {
    const probe = breaker.nextProbeAt === undefined ? 'a probe is under way' : `next probe in ${Math.max(0, Math.ceil((breaker.nextProbeAt - now) / 1000))} s`;
    const text = `waiting: provider ${breaker.provider} is unhealthy (circuit breaker ${breaker.state} after ${breaker.consecutiveFailures} failures in a row; ${probe}); other providers may take it`;
    for (const id of requestIds) this.note(id, 'waiting.provider-unhealthy', text);
  }

  /** A pool that only hands out existing nodes waits for one to come free. */
  freeNode(requestId: string, label: string): void {
    this.note(requestId, 'waiting.free-node', `waiting for a free ${label} node`);
  }

  /** A node is being launched for the request. */
  launching(requestId: string, nodeId: string, label: string, progress?: { attempt: number; attempts: number; state?: string | undefined }): void {
    const detail = progress ? ` (attempt ${progress.attempt} of ${progress.attempts}${progress.state ? `, state "${progress.state}"` : ''})` : '';
    this.note(requestId, 'launching.node', `launching node ${nodeId} (${label})${detail}`);
  }

  /** A ready node was taken for the request. */
  reused(requestId: string, nodeId: string, label: string): void {
    this.note(requestId, 'launching.reused', `took ready node ${nodeId} (${label})`);
  }

  fulfilled(requestId: string, nodeIds: readonly string[]): void {
    this.note(requestId, 'fulfilled', `fulfilled with node${nodeIds.length === 1 ? '' : 's'} ${nodeIds.join(', ')}`);
  }

  /** The pool worker stopped. */
  stop(): void {
    this.board?.forgetPool(this.pool.id);
  }

  private note(requestId: string, code: ExplainCode, text: string): void {
    this.board?.note(this.pool, requestId, code, text);
  }
}
