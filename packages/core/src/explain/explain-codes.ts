/**
 * The stable codes of a pool worker's decision about one node request (`nodepool
 * request-explain`). The part before the dot is the phase; scripts may rely on the codes, the
 * words that come with them are for people.
 */
export const EXPLAIN_CODES = [
  // The pool leaves the request to other pools without declining it.
  'not-served.no-such-label',
  'not-served.other-pool-preferred',
  // The pool declined the request (written to its declined_by).
  'declined.no-such-label',
  'declined.image-not-ready',
  'declined.exceeds-pool-limits',
  'declined.min-ready-unsatisfiable',
  'declined.by-driver',
  'declined.launch-failed',
  'declined.error',
  // The pool will serve the request, later.
  'waiting.at-quota',
  'waiting.tenant-quota',
  'waiting.paused-behind',
  'waiting.max-concurrency',
  'waiting.provider-unhealthy',
  'waiting.free-node',
  // The pool accepted the request and is filling it.
  'launching.node',
  'launching.reused',
  // Done here.
  'fulfilled',
] as const;

export type ExplainCode = (typeof EXPLAIN_CODES)[number];

/** The phase of a code: `not-served`, `declined`, `waiting`, `launching` or `fulfilled`. */
export type ExplainPhase = 'not-served' | 'declined' | 'waiting' | 'launching' | 'fulfilled';

export function phaseOf(code: ExplainCode): ExplainPhase {
  return code.split('.')[0] as ExplainPhase;
}
