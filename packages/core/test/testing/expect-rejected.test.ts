import test from 'ava';
import { expectRejected, type RejectionAssertions } from '@nodepool/core/testing';
import { testDriver } from '../helpers/test-driver.js';

const drivers = [testDriver('test')];

const withPool = (pool: string) => `labels:\n  - name: small\nproviders:\n  - name: p\n    driver: test\n    pools:\n${pool}`;

/** Records the assertions instead of making them, to see what a failing case would report. */
function recorder(): RejectionAssertions & { calls: [string, ...unknown[]][] } {
  const calls: [string, ...unknown[]][] = [];
  return {
    calls,
    false: (actual, message) => calls.push(['false', actual, message]),
    is: (actual, expected, message) => calls.push(['is', actual, expected, message]),
    regex: (string, regex) => calls.push(['regex', string, regex]),
  };
}

test('passes for a configuration the schemas reject with the message', (t) =>
  expectRejected(t, withPool('      - name: main\n        max-servers: lots\n'), drivers, /pools\[0\]\.max-servers: expected an integer/));

test('with onlyError, passes when the rejection is the only error', (t) =>
  expectRejected(t, withPool('      - name: main\n        max-servers: lots\n'), drivers, /^nodepool\.yaml:\d+ providers\[0\]\.pools\[0\]\.max-servers/, { onlyError: true }));

test('asserts that the configuration is not valid', async (t) => {
  const t2 = recorder();
  await expectRejected(t2, withPool('      - name: main\n'), drivers, /anything/);
  t.deepEqual(t2.calls[0], ['false', true, undefined]);
});

test('with onlyError, asserts a single error and matches the first message only', async (t) => {
  const t2 = recorder();
  await expectRejected(t2, withPool('      - name: main\n        max-servers: lots\n        priority: high\n'), drivers, /priority/, { onlyError: true });
  const [, count, regex] = t2.calls;
  t.is(count?.[0], 'is');
  t.is(count?.[1], 2);
  t.is(count?.[2], 1);
  t.regex(String(count?.[3]), /max-servers[\s\S]*priority/, 'the messages explain a wrong count');
  t.regex(String(regex?.[1]), /max-servers/);
  t.notRegex(String(regex?.[1]), /priority/);
});
