import type { ExplainCode } from './explain-codes.js';

/** One decision a pool worker took about a request, in a code and in words. */
export interface DecisionChange {
  readonly code: ExplainCode;
  /** The reason in words, with its figures (`at quota: 10/10 servers, 48/48 cores`). */
  readonly text: string;
  /** When the pool worker came to it (epoch ms). */
  readonly at: number;
}

/** A pool worker's latest decision about a request and how it got there. */
export interface PoolDecision {
  /** The pool worker ID (as in `declined_by`). */
  readonly poolWorker: string;
  readonly provider: string;
  readonly pool: string;
  /** The latest decision. */
  readonly code: ExplainCode;
  readonly text: string;
  /** When the latest decision was first taken (epoch ms); unchanged while it stays the same. */
  readonly since: number;
  /** Every change, oldest first (the latest included); the oldest are dropped beyond a bound. */
  readonly history: readonly DecisionChange[];
}
