import test from 'ava';
import { readFile } from 'node:fs/promises';
import { effectiveMinReady } from '@nodepool/core';
import { validateConfigText } from '@nodepool/core/testing';
import { testDriver } from '../helpers/test-driver.js';

const drivers = [testDriver('test')];

const withSchedule = (schedule: string) => `
labels:
  - name: ubuntu
    min-ready: 1
    min-ready-schedule:
${schedule}
providers:
  - name: cloud
    driver: test
`;

const at = (iso: string) => Date.parse(iso);

test('a label with min-ready-schedule windows is valid and loads its windows', async (t) => {
  const result = await validateConfigText(
    withSchedule(`      - cron: "0 8 * * 1-5"
        duration: 10h
        min-ready: 5
        timezone: Europe/Berlin
      - cron: "@daily"
        duration: 3600
        min-ready: 2`),
    drivers,
  );
  t.deepEqual(result.messages, []);
  t.true(result.valid);
  t.deepEqual(result.config!.labels.get('ubuntu'), {
    name: 'ubuntu',
    minReady: 1,
    maxReadyAge: 0,
    minReadySchedule: [
      { cron: '0 8 * * 1-5', durationSeconds: 36_000, minReady: 5, timezone: 'Europe/Berlin' },
      { cron: '@daily', durationSeconds: 3600, minReady: 2 },
    ],
  });
});

test('a label without a schedule loads exactly as before', async (t) => {
  const result = await validateConfigText('labels:\n  - name: ubuntu\n    min-ready: 2\n', drivers);
  t.deepEqual(result.config!.labels.get('ubuntu'), { name: 'ubuntu', minReady: 2, maxReadyAge: 0 });
});

test('bad windows are errors naming file, line and key', async (t) => {
  const result = await validateConfigText(
    withSchedule(`      - cron: "61 8 * * *"
        duration: 10h
        min-ready: 5
      - cron: "0 8 * *"
        duration: ten hours
        min-ready: 5
      - cron: "0 8 * * 1-5"
        duration: 0
        timezone: Mars/Olympus`),
    drivers,
  );
  t.false(result.valid);
  t.deepEqual(result.messages, [
    'nodepool.yaml:6 labels[0].min-ready-schedule[0].cron: not a valid cron expression (minute hour day-of-month month day-of-week): Constraint error, got value 61 expected range 0-59: "61 8 * * *"',
    'nodepool.yaml:9 labels[0].min-ready-schedule[1].cron: expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), got 4: "0 8 * *"',
    'nodepool.yaml:10 labels[0].min-ready-schedule[1].duration: expected a duration such as 10h, 1h30m, 45m or a number of seconds, got "ten hours"',
    'nodepool.yaml:13 labels[0].min-ready-schedule[2].duration: expected a duration longer than zero',
    'nodepool.yaml:14 labels[0].min-ready-schedule[2].timezone: unknown time zone "Mars/Olympus" (expected an IANA name such as Europe/Berlin or UTC)',
    'nodepool.yaml:12 labels[0].min-ready-schedule[2].min-ready: required key not provided',
  ]);
});

test('a schedule that is not a list of windows is refused', async (t) => {
  const result = await validateConfigText(withSchedule('      cron: "0 8 * * *"'), drivers);
  t.deepEqual(result.messages, ['nodepool.yaml:6 labels[0].min-ready-schedule: expected a list of windows ({cron, duration, min-ready})']);
});

test('the effective min-ready is the open window’s, else the plain min-ready', (t) => {
  const label = {
    minReady: 1,
    minReadySchedule: [{ cron: '0 8 * * 1-5', durationSeconds: 10 * 3600, minReady: 5, timezone: 'UTC' }],
  };
  // Monday 2025-01-06.
  t.is(effectiveMinReady(label, at('2025-01-06T07:59:59Z')), 1, 'before the window opens');
  t.is(effectiveMinReady(label, at('2025-01-06T08:00:00Z')), 5, 'the minute it opens');
  t.is(effectiveMinReady(label, at('2025-01-06T17:59:59Z')), 5, 'just before it closes');
  t.is(effectiveMinReady(label, at('2025-01-06T18:00:00Z')), 1, 'once closed');
  t.is(effectiveMinReady(label, at('2025-01-04T12:00:00Z')), 1, 'on a Saturday');
});

test('overlapping windows keep the largest min-ready, and a window may lower it', (t) => {
  const label = {
    minReady: 3,
    minReadySchedule: [
      { cron: '0 20 * * *', durationSeconds: 12 * 3600, minReady: 0, timezone: 'UTC' },
      { cron: '0 6 * * *', durationSeconds: 3600, minReady: 2, timezone: 'UTC' },
    ],
  };
  t.is(effectiveMinReady(label, at('2025-01-06T12:00:00Z')), 3, 'daytime: the plain min-ready');
  t.is(effectiveMinReady(label, at('2025-01-06T23:00:00Z')), 0, 'at night: none');
  t.is(effectiveMinReady(label, at('2025-01-07T06:30:00Z')), 2, 'both open: the larger');
});

test('a window is read in its time zone', (t) => {
  const label = { minReady: 0, minReadySchedule: [{ cron: '0 8 * * *', durationSeconds: 3600, minReady: 4, timezone: 'Europe/Berlin' }] };
  // 08:00 in Berlin is 07:00 UTC in winter.
  t.is(effectiveMinReady(label, at('2025-01-06T07:30:00Z')), 4);
  t.is(effectiveMinReady(label, at('2025-01-06T08:30:00Z')), 0);
});

test('the README’s min-ready-schedule example is valid', async (t) => {
  const readme = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Scheduled warm pools'));
  const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  t.truthy(example, 'the section has a YAML example');
  const result = await validateConfigText(example!, drivers);
  t.deepEqual(result.messages, []);
  t.is(result.config!.labels.get('ubuntu-jammy')!.minReadySchedule?.length, 1);
});
