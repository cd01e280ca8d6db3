import { EventEmitter } from 'node:events';
import type { ExplainCode } from './explain-codes.js';
import type { DecisionChange, PoolDecision } from './request-decision.js';

/** Who decides: a pool worker (`PoolWorker` and a request processor's owner fit). */
export interface DecidingPool {
  readonly id: string;
  readonly providerName: string;
  readonly poolName: string;
}

export interface ExplainBoardOptions {
  /** Default `Date.now`. */
  readonly clock?: () => number;
  /** Requests remembered per pool worker; the oldest are dropped beyond it. Default 10,000. */
  readonly maxRequestsPerPool?: number;
  /** Changes kept per request and pool worker. Default 8. */
  readonly maxHistory?: number;
}

export interface ExplainBoardEvents {
  /** A decision changed (or was forgotten). */
  change: [];
}

interface Entry {
  code: ExplainCode;
  text: string;
  since: number;
  history: DecisionChange[];
}

interface PoolEntries {
  readonly pool: DecidingPool;
  /** By request ID; Map order is the order first seen, which bounds drop the oldest of. */
  readonly requests: Map<string, Entry>;
}

/**
 * Every pool worker's latest decision about each request it has looked at, with the reason in
 * a code and in words and the time of each change (`nodepool request-explain`). In memory,
 * bounded; a request is forgotten when it goes. The launcher publishes the board to ZooKeeper
 * (see `LauncherReportPublisher`) so that any launcher's CLI and web API can answer.
 */
export class ExplainBoard extends EventEmitter<ExplainBoardEvents> {
  private readonly pools = new Map<string, PoolEntries>();
  private readonly clock: () => number;
  private readonly maxRequests: number;
  private readonly maxHistory: number;
  private revisionValue = 0;

  constructor(options: ExplainBoardOptions = {}) {
    super();
    this.clock = options.clock ?? Date.now;
    this.maxRequests = options.maxRequestsPerPool ?? 10_000;
    this.maxHistory = options.maxHistory ?? 8;
  }

  /** Grows by one with every change; publishers compare it to what they wrote last. */
  get revision(): number {
    return this.revisionValue;
  }

  /**
   * Notes a pool worker's decision about a request. Cheap when nothing changed (the pool worker
   * calls it on every pass): the same code and words are no change.
   */
  note(pool: DecidingPool, requestId: string, code: ExplainCode, text: string): void {
    let entries = this.pools.get(pool.id);
    if (!entries) {
      entries = { pool, requests: new Map() };
      this.pools.set(pool.id, entries);
    }
    const existing = entries.requests.get(requestId);
    if (existing && existing.code === code && existing.text === text) return;
    const at = this.clock();
    const change: DecisionChange = { code, text, at };
    if (existing) {
      if (existing.code !== code) existing.since = at;
      existing.code = code;
      existing.text = text;
      existing.history.push(change);
      if (existing.history.length > this.maxHistory) existing.history.splice(0, existing.history.length - this.maxHistory);
    } else {
      entries.requests.set(requestId, { code, text, since: at, history: [change] });
      if (entries.requests.size > this.maxRequests) entries.requests.delete(entries.requests.keys().next().value!);
    }
    this.changed();
  }

  /** The request is gone: forgets it for every pool worker. */
  forget(requestId: string): void {
    let changed = false;
    for (const entries of this.pools.values()) changed = entries.requests.delete(requestId) || changed;
    if (changed) this.changed();
  }

  /** The pool worker stopped: forgets its decisions. */
  forgetPool(poolWorkerId: string): void {
    if (this.pools.delete(poolWorkerId)) this.changed();
  }

  /** Forgets every request `isLive` says is gone. */
  prune(isLive: (requestId: string) => boolean): void {
    let changed = false;
    for (const entries of this.pools.values()) {
      for (const id of entries.requests.keys()) {
        if (!isLive(id)) {
          entries.requests.delete(id);
          changed = true;
        }
      }
    }
    if (changed) this.changed();
  }

  /** Every pool worker's latest decision about the request, by pool worker ID. */
  decisions(requestId: string): PoolDecision[] {
    const found: PoolDecision[] = [];
    for (const { pool, requests } of this.pools.values()) {
      const entry = requests.get(requestId);
      if (entry) found.push(toDecision(pool, entry));
    }
    return found.sort((a, b) => a.poolWorker.localeCompare(b.poolWorker));
  }

  /** IDs of every request some pool worker has a decision about, sorted (priority order). */
  requestIds(): string[] {
    const ids = new Set<string>();
    for (const { requests } of this.pools.values()) for (const id of requests.keys()) ids.add(id);
    return [...ids].sort();
  }

  private changed(): void {
    this.revisionValue++;
    this.emit('change');
  }
}

function toDecision(pool: DecidingPool, entry: Entry): PoolDecision {
  return {
    poolWorker: pool.id,
    provider: pool.providerName,
    pool: pool.poolName,
    code: entry.code,
    text: entry.text,
    since: entry.since,
    history: [...entry.history],
  };
}
