import type { Driver } from '../driver/driver.js';
import { validateConfigText } from './validate-config-text.js';

/**
 * The assertions `expectRejected` makes. Ava's execution context (`t`) has them; the type is
 * spelled out so that core does not depend on a test runner.
 */
export interface RejectionAssertions {
  false(actual: boolean, message?: string): unknown;
  is(actual: number, expected: number, message?: string): unknown;
  regex(string: string, regex: RegExp, message?: string): unknown;
}

export interface ExpectRejectedOptions {
  /**
   * Also assert that the rejection is the file's only schema error, and so its first message:
   * for tables whose every case breaks exactly one thing. Default false: the message may be
   * any of the file's messages.
   */
  readonly onlyError?: boolean;
}

/**
 * Validates configuration text with the given drivers, as `validateConfigText` does, and
 * asserts that the schemas reject it with a message matching `message` (a formatted issue,
 * `nodepool.yaml:<line> <path>: <text>`). Meant for the tables of rejected configurations in
 * driver tests:
 *
 * ```ts
 * for (const [title, yaml, message] of invalid) {
 *   test(`rejects ${title}`, (t) => expectRejected(t, yaml, [gceDriver], message));
 * }
 * ```
 */
export async function expectRejected(
  t: RejectionAssertions,
  text: string,
  drivers: readonly Driver[],
  message: RegExp,
  options: ExpectRejectedOptions = {},
): Promise<void> {
  const result = await validateConfigText(text, drivers);
  t.false(result.valid);
  if (options.onlyError) {
    // The messages are shown when there are more errors, which is what one needs to fix the case.
    t.is(result.errors.length, 1, result.messages.join('\n'));
    t.regex(result.messages[0] ?? '', message);
  } else {
    t.regex(result.messages.join('\n'), message);
  }
}
