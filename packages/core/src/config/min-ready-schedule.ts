/**
 * `min-ready-schedule` (ours, an opt-in label key): windows of time in which a label keeps a
 * different number of ready nodes than its plain `min-ready`.
 *
 * ```yaml
 * labels:
 *   - name: ubuntu-jammy
 *     min-ready: 0                 # outside every window
 *     min-ready-schedule:
 *       - cron: "0 8 * * 1-5"      # a window opens at 08:00, Monday to Friday,
 *         duration: 10h            # stays open ten hours,
 *         min-ready: 5             # and keeps five ready nodes meanwhile
 *         timezone: Europe/Berlin  # optional; default: the launcher's local time
 * ```
 *
 * Inside a window its `min-ready` applies (the largest, where windows overlap); outside every
 * window the plain `min-ready` does.
 */
import { CronExpressionParser } from 'cron-parser';
import { int, mapping, required, str, type Schema } from './schema.js';

/** One window of a label's `min-ready-schedule`. */
export interface MinReadyWindow {
  /** When the window opens: a five-field cron expression (or `@daily`, `@weekly`, …). */
  readonly cron: string;
  /** How long the window stays open once opened, in seconds. */
  readonly durationSeconds: number;
  /** The ready nodes to keep while the window is open. */
  readonly minReady: number;
  /** The IANA time zone `cron` is read in; undefined: the launcher's local time. */
  readonly timezone?: string | undefined;
}

const CRON_FIELDS = 'minute hour day-of-month month day-of-week';

/** Why a cron expression cannot be used, or undefined when it can. */
function cronProblem(expression: string): string | undefined {
  const trimmed = expression.trim();
  // cron-parser also takes 6 fields (seconds first) and fills in missing ones; an operator
  // writing crontab syntax means five, so anything else is refused rather than guessed at.
  const fields = trimmed.split(/\s+/).filter(Boolean).length;
  if (!trimmed.startsWith('@') && fields !== 5) return `expected a cron expression of 5 fields (${CRON_FIELDS}), got ${fields}`;
  try {
    CronExpressionParser.parse(trimmed).next();
    return undefined;
  } catch (error) {
    return `not a valid cron expression (${CRON_FIELDS}): ${(error as Error).message}`;
  }
}

/** A cron expression cron-parser accepts. */
const cronExpression: Schema = {
  expected: 'a cron expression',
  check(value, path, issues) {
    if (!str.check(value, path, issues)) return false;
    const problem = cronProblem(value as string);
    if (problem) issues.push({ path, message: `${problem}: ${JSON.stringify(value)}` });
    return problem === undefined;
  },
};

/** An IANA time zone name (`Europe/Berlin`, `UTC`). */
const timeZone: Schema = {
  expected: 'a time zone',
  check(value, path, issues) {
    if (!str.check(value, path, issues)) return false;
    if (isTimeZone(value as string)) return true;
    issues.push({ path, message: `unknown time zone ${JSON.stringify(value)} (expected an IANA name such as Europe/Berlin or UTC)` });
    return false;
  },
};

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const DURATION = /^(?:\d+[dhms])+$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = { d: 86_400, h: 3_600, m: 60, s: 1 };

/** Seconds of a duration written `10h`, `1h30m`, `45m`, `90s` or as an integer of seconds. */
export function durationSeconds(value: unknown): number {
  if (typeof value === 'bigint' || typeof value === 'number') return Number(value);
  let seconds = 0;
  for (const [, amount, unit] of String(value).matchAll(/(\d+)([dhms])/g)) seconds += Number(amount) * UNIT_SECONDS[unit!]!;
  return seconds;
}

const positiveDuration: Schema = {
  expected: 'a duration',
  check(value, path, issues) {
    const valid = typeof value === 'bigint' || (typeof value === 'string' && DURATION.test(value));
    if (!valid) {
      const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
      issues.push({ path, message: `expected a duration such as 10h, 1h30m, 45m or a number of seconds, got ${shown}` });
      return false;
    }
    if (durationSeconds(value) <= 0) {
      issues.push({ path, message: 'expected a duration longer than zero' });
      return false;
    }
    return true;
  },
};

/** The schema of `min-ready-schedule` (a label key). */
export const minReadyScheduleSchema: Schema = {
  expected: 'a list of windows',
  check(value, path, issues) {
    const window = mapping({
      cron: required(cronExpression),
      duration: required(positiveDuration),
      'min-ready': required(int),
      timezone: timeZone,
    });
    if (!Array.isArray(value)) {
      issues.push({ path, message: 'expected a list of windows ({cron, duration, min-ready})' });
      return false;
    }
    let ok = true;
    value.forEach((entry, index) => {
      ok = window.check(entry, [...path, index], issues) && ok;
    });
    return ok;
  },
};

/** The windows of a checked `min-ready-schedule` (numbers already plain). */
export function readMinReadySchedule(value: unknown): MinReadyWindow[] {
  if (!Array.isArray(value)) return [];
  return (value as Record<string, unknown>[]).map((entry) => ({
    cron: String(entry.cron).trim(),
    durationSeconds: durationSeconds(entry.duration),
    minReady: Number(entry['min-ready']),
    ...(typeof entry.timezone === 'string' ? { timezone: entry.timezone } : {}),
  }));
}

/** When the window last opened at or before `at` (epoch ms). */
function lastOpened(window: MinReadyWindow, at: number): number {
  // cron-parser's prev() is strictly before its start: one millisecond on includes `at` itself.
  const expression = CronExpressionParser.parse(window.cron, { currentDate: new Date(at + 1), ...(window.timezone ? { tz: window.timezone } : {}) });
  return expression.prev().getTime();
}

/** Whether the window is open at `at` (epoch ms). */
export function windowOpen(window: MinReadyWindow, at: number): boolean {
  return at < lastOpened(window, at) + window.durationSeconds * 1000;
}

/**
 * The `min-ready` in force for a label at `at` (epoch ms): the largest of its open windows',
 * else its plain `min-ready`. A label without a schedule always has its plain `min-ready`.
 */
export function effectiveMinReady(label: { readonly minReady: number; readonly minReadySchedule?: readonly MinReadyWindow[] | undefined }, at: number): number {
  const open = (label.minReadySchedule ?? []).filter((window) => windowOpen(window, at));
  return open.length === 0 ? label.minReady : Math.max(...open.map((window) => window.minReady));
}
