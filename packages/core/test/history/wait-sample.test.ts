import test from 'ava';
import { percentile, WaitSample } from '../../src/history/wait-sample.js';

test('p50 and p95 are nearest-rank percentiles of the waits; without waits they are null', (t) => {
  const waits = new WaitSample();
  t.deepEqual(waits.summary(), { count: 0, p50: null, p95: null });
  // Arrival order does not matter.
  for (const seconds of [20, 3, 7, 1, 15, 2, 19, 4, 18, 5, 17, 6, 16, 8, 14, 9, 13, 10, 12, 11]) waits.add(seconds);
  t.deepEqual(waits.summary(), { count: 20, p50: 10, p95: 19 });
  t.is(percentile([42], 95), 42);
  t.is(percentile([1, 2], 50), 1);
});

test('a burst keeps at most its limit of waits, evenly spread, and still counts every request', (t) => {
  const waits = new WaitSample(100);
  // 1..1000 s, in order: an even spread keeps the percentiles close to the true ones.
  for (let seconds = 1; seconds <= 1000; seconds++) waits.add(seconds);
  t.true(waits.kept <= 100, `kept ${waits.kept}`);
  t.true(waits.kept >= 50, `kept ${waits.kept}`);
  const { count, p50, p95 } = waits.summary();
  t.is(count, 1000);
  t.true(Math.abs(p50! - 500) <= 20, `p50 ${p50}`);
  t.true(Math.abs(p95! - 950) <= 20, `p95 ${p95}`);
});
