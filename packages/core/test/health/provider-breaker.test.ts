import test from 'ava';
import { HealthBoard, ProviderBreaker, type BreakerSnapshot } from '@nodepool/core';

const settings = { failures: 3, probeIntervalMs: 10_000, maxProbeIntervalMs: 35_000 };

/** A clock the test moves by hand. */
function fakeClock(start = 1_700_000_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

test('failures in a row open the breaker; a success in between starts the count again', (t) => {
  const clock = fakeClock();
  const breaker = new ProviderBreaker('cloud', settings, clock.now);
  breaker.recordFailure('boom');
  breaker.recordFailure('boom');
  breaker.recordSuccess();
  breaker.recordFailure('boom');
  breaker.recordFailure('boom');
  t.is(breaker.state, 'closed');
  t.true(breaker.admitsRequests);
  breaker.recordFailure('instance went to error');
  t.is(breaker.state, 'open');
  t.false(breaker.admitsRequests);
  t.like(breaker.snapshot(), { consecutiveFailures: 3, threshold: 3, openedAt: clock.now(), nextProbeAt: clock.now() + 10_000, lastError: 'instance went to error', timesOpened: 1 });
});

test('one probe is let through once its interval has passed; a failed probe doubles the wait, up to the maximum', (t) => {
  const clock = fakeClock();
  const breaker = new ProviderBreaker('cloud', settings, clock.now);
  for (let i = 0; i < 3; i++) breaker.recordFailure('boom');
  clock.advance(9_999);
  t.false(breaker.takeProbe(), 'not before the interval');
  clock.advance(1);
  t.true(breaker.takeProbe());
  t.is(breaker.state, 'probing');
  t.false(breaker.takeProbe(), 'one probe at a time');
  t.false(breaker.admitsRequests);

  const waits: number[] = [];
  for (let probe = 0; probe < 3; probe++) {
    breaker.recordFailure('still broken');
    t.is(breaker.state, 'open');
    const wait = breaker.snapshot().nextProbeAt! - clock.now();
    waits.push(wait);
    clock.advance(wait);
    t.true(breaker.takeProbe());
  }
  t.deepEqual(waits, [20_000, 35_000, 35_000]);
  t.is(breaker.snapshot().timesOpened, 1, 'a failed probe is no new opening');
});

test('a successful probe closes the breaker and resets the interval', (t) => {
  const clock = fakeClock();
  const breaker = new ProviderBreaker('cloud', settings, clock.now);
  for (let i = 0; i < 3; i++) breaker.recordFailure('boom');
  clock.advance(10_000);
  t.true(breaker.takeProbe());
  breaker.recordFailure('boom');
  clock.advance(20_000);
  t.true(breaker.takeProbe());
  breaker.recordSuccess();
  t.is(breaker.state, 'closed');
  t.true(breaker.admitsRequests);
  t.like(breaker.snapshot(), { consecutiveFailures: 0, probeIntervalMs: 10_000, openedAt: undefined, nextProbeAt: undefined });
  for (let i = 0; i < 3; i++) breaker.recordFailure('boom');
  t.is(breaker.snapshot().nextProbeAt! - clock.now(), 10_000);
  t.is(breaker.snapshot().timesOpened, 2);
});

test('a probe that never reports gives way to another after the interval', (t) => {
  const clock = fakeClock();
  const breaker = new ProviderBreaker('cloud', settings, clock.now);
  for (let i = 0; i < 3; i++) breaker.recordFailure('boom');
  clock.advance(10_000);
  t.true(breaker.takeProbe());
  clock.advance(9_999);
  t.false(breaker.takeProbe());
  clock.advance(1);
  t.true(breaker.takeProbe());
});

test('the health board keeps breakers only for providers with the key, and reports each change once', (t) => {
  const clock = fakeClock();
  const gauges: [string, number][] = [];
  const counters: string[] = [];
  const stats = { enabled: true, increment: (name: string) => void counters.push(name), gauge: (name: string, value: number) => void gauges.push([name, value]), timing: () => undefined, close: async () => undefined };
  const board = new HealthBoard({ clock: clock.now, stats: stats as never });
  const changes: BreakerSnapshot[] = [];
  board.on('change', (snapshot) => changes.push(snapshot));
  board.configure('plain', { name: 'plain' });
  board.configure('guarded', { name: 'guarded', 'circuit-breaker': { failures: 2n, 'probe-interval': 1n } });
  t.true(board.admitsRequests('plain'));
  board.recordLaunch('plain', { ok: false, error: 'boom' });
  board.recordLaunch('plain', { ok: false, error: 'boom' });
  t.true(board.admitsRequests('plain'), 'no breaker without the key');
  t.deepEqual(board.snapshots().map((snapshot) => snapshot.provider), ['guarded']);

  board.recordLaunch('guarded', { ok: false, error: 'boom' });
  board.recordApiError('guarded', 'quota read failed: 500');
  t.false(board.admitsRequests('guarded'));
  t.deepEqual(changes.map((change) => change.state), ['open']);
  clock.advance(1000);
  t.true(board.breaker('guarded')!.takeProbe());
  board.recordLaunch('guarded', { ok: true });
  t.true(board.admitsRequests('guarded'));
  t.deepEqual(changes.map((change) => change.state), ['open', 'probing', 'closed']);
  t.deepEqual(gauges, [
    ['nodepool.provider.guarded.circuit_breaker', 0],
    ['nodepool.provider.guarded.circuit_breaker', 1],
    ['nodepool.provider.guarded.circuit_breaker', 2],
    ['nodepool.provider.guarded.circuit_breaker', 0],
  ]);
  t.deepEqual(counters, ['nodepool.provider.guarded.circuit_breaker.opened']);

  // A reload with the same settings keeps the state; removing the key removes the breaker.
  board.recordLaunch('guarded', { ok: false, error: 'boom' });
  board.configure('guarded', { name: 'guarded', 'circuit-breaker': { failures: 2n, 'probe-interval': 1n } });
  t.is(board.breaker('guarded')!.snapshot().consecutiveFailures, 1);
  board.configure('guarded', { name: 'guarded' });
  t.is(board.breaker('guarded'), undefined);
  t.true(board.admitsRequests('guarded'));
});
