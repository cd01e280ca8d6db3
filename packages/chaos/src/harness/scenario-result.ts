import type { JobOutcome } from './zuul-load.js';

/** The figures every scenario reports, and the invariants it found broken. */
export interface ScenarioResult {
  name: string;
  fulfilled: number;
  failed: number;
  /** Requests neither fulfilled nor failed in time, plus nodes left locked or between states. */
  stuck: number;
  /** Cloud instances without a node record at the end, after the launchers' cleanup. */
  leaked: number;
  /** Longest a request waited for `fulfilled` or `failed`, in ms (NaN: no request). */
  longestWaitMs: number;
  /** Whether no daemon exited without being told to. */
  daemonsSurvived: boolean;
  /** Scenario-specific figures, `name value` each (e.g. `peak nodes 10/10`). */
  extra: string[];
  /** Broken invariants, one sentence each; empty when the scenario passed. */
  violations: string[];
  seconds: number;
}

/** fulfilled / failed / stuck figures of a load's outcomes, and the violations every scenario shares. */
export function tallyOutcomes(outcomes: readonly JobOutcome[]): {
  fulfilled: number;
  failed: number;
  stuckRequests: number;
  notSubmitted: number;
  longestWaitMs: number;
  failureReasons: Map<string, number>;
  doubleAllocated: string[];
} {
  let fulfilled = 0;
  let failed = 0;
  let stuckRequests = 0;
  let notSubmitted = 0;
  let longestWaitMs = NaN;
  const failureReasons = new Map<string, number>();
  const owner = new Map<string, string>();
  const doubleAllocated: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind === 'not submitted') {
      notSubmitted++;
      continue;
    }
    longestWaitMs = Number.isNaN(longestWaitMs) ? outcome.waitMs : Math.max(longestWaitMs, outcome.waitMs);
    if (outcome.kind === 'fulfilled') {
      fulfilled++;
      // Nodes are single use: one handed to two requests was allocated twice.
      for (const id of outcome.nodeIds) {
        const other = owner.get(id);
        if (other !== undefined) doubleAllocated.push(`node ${id} to ${other} and ${outcome.requestId}`);
        owner.set(id, outcome.requestId);
      }
    } else if (outcome.kind === 'failed') {
      failed++;
      // Node and request IDs out, so equal reasons count together.
      const reason = outcome.reason.replace(/\b\d{3}-\d{10}\b/g, 'R').replace(/\b\d{10}\b/g, 'N');
      failureReasons.set(reason, (failureReasons.get(reason) ?? 0) + 1);
    } else {
      stuckRequests++;
    }
  }
  return { fulfilled, failed, stuckRequests, notSubmitted, longestWaitMs, failureReasons, doubleAllocated };
}

/** The scenario's one line of figures. */
export function figuresLine(result: ScenarioResult): string {
  const wait = Number.isNaN(result.longestWaitMs) ? '-' : `${(result.longestWaitMs / 1000).toFixed(1)} s`;
  const verdict = result.violations.length === 0 ? 'PASS' : 'FAIL';
  const extra = result.extra.length > 0 ? `; ${result.extra.join(', ')}` : '';
  return (
    `${verdict} ${result.name}: fulfilled ${result.fulfilled}, failed ${result.failed}, stuck ${result.stuck}, leaked ${result.leaked}, ` +
    `longest wait ${wait}, daemons survived ${result.daemonsSurvived ? 'yes' : 'NO'}${extra} (${result.seconds.toFixed(0)} s)`
  );
}

/** The closing table: one row per scenario. */
export function resultsTable(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'result', 'fulfilled', 'failed', 'stuck', 'leaked', 'longest wait', 'daemons survived', 'time'];
  const rows = results.map((result) => [
    result.name,
    result.violations.length === 0 ? 'pass' : 'FAIL',
    String(result.fulfilled),
    String(result.failed),
    String(result.stuck),
    String(result.leaked),
    Number.isNaN(result.longestWaitMs) ? '-' : `${(result.longestWaitMs / 1000).toFixed(1)} s`,
    result.daemonsSurvived ? 'yes' : 'NO',
    `${result.seconds.toFixed(0)} s`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
