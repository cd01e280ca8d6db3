import test from 'ava';
import { readBreakerSettings } from '@nodepool/core';
import { validateConfigText } from '@nodepool/core/testing';
import { testDriver } from '../helpers/test-driver.js';

const drivers = [testDriver('test')];

const withBreaker = (breaker: string) => `
labels:
  - name: ubuntu
providers:
  - name: cloud
    driver: test
${breaker}`;

test('a provider with circuit-breaker is valid, and its settings are read with their defaults', async (t) => {
  const result = await validateConfigText(withBreaker('    circuit-breaker:\n      failures: 3\n      probe-interval: 2.5\n'), drivers);
  t.deepEqual(result.messages, []);
  t.true(result.valid);
  const raw = result.config!.providers.get('cloud')!.raw;
  t.deepEqual(readBreakerSettings(raw), { failures: 3, probeIntervalMs: 2500, maxProbeIntervalMs: 900_000 });
});

test('a provider without circuit-breaker has no breaker, as in Nodepool 9.0.0', async (t) => {
  const result = await validateConfigText(withBreaker(''), drivers);
  t.true(result.valid);
  t.is(readBreakerSettings(result.config!.providers.get('cloud')!.raw), undefined);
});

test('a max-probe-interval below probe-interval is raised to it', (t) => {
  t.deepEqual(readBreakerSettings({ 'circuit-breaker': { failures: 1n, 'probe-interval': 30n, 'max-probe-interval': 10n } }), {
    failures: 1,
    probeIntervalMs: 30_000,
    maxProbeIntervalMs: 30_000,
  });
});

test('bad breaker settings are errors naming file, line and key', async (t) => {
  const result = await validateConfigText(withBreaker('    circuit-breaker:\n      failures: 0\n      probe-interval: soon\n      max-probe-interval: -1\n      flaky: true\n'), drivers);
  t.false(result.valid);
  t.deepEqual(result.messages, [
    'nodepool.yaml:8 providers[0].circuit-breaker.failures: expected a whole number of failures above zero, got 0',
    'nodepool.yaml:9 providers[0].circuit-breaker.probe-interval: expected a number of seconds above zero, got "soon"',
    'nodepool.yaml:10 providers[0].circuit-breaker.max-probe-interval: expected a number of seconds above zero, got -1',
    'nodepool.yaml:11 providers[0].circuit-breaker.flaky: unknown key (not allowed here)',
  ]);
});

test('a breaker without failures, or not a mapping, is refused', async (t) => {
  const missing = await validateConfigText(withBreaker('    circuit-breaker:\n      probe-interval: 5\n'), drivers);
  t.deepEqual(missing.messages, ['nodepool.yaml:8 providers[0].circuit-breaker.failures: required key not provided']);
  const scalar = await validateConfigText(withBreaker('    circuit-breaker: 5\n'), drivers);
  t.deepEqual(scalar.messages, ['nodepool.yaml:7 providers[0].circuit-breaker: expected a mapping, got the integer 5']);
});
