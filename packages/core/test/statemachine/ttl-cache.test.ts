import test from 'ava';
import { TtlCache } from '../../src/statemachine/ttl-cache.js';

/** A clock the test moves by hand. */
class FakeClock {
  time = 1_700_000_000_000;
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

function counting(clock: FakeClock, ttlMs = 1_000) {
  let loads = 0;
  const gates: (() => void)[] = [];
  const cache = new TtlCache(
    async () => {
      const n = ++loads;
      await new Promise<void>((resolve) => gates.push(resolve));
      return n;
    },
    ttlMs,
    clock.now,
  );
  const release = async (): Promise<void> => {
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()!();
  };
  return { cache, release, loads: () => loads };
}

test('readers within the TTL share one value, and readers during a fetch share the fetch', async (t) => {
  const clock = new FakeClock();
  const { cache, release, loads } = counting(clock);
  t.is(cache.peek(), undefined);
  t.true(cache.isStale());
  const both = Promise.all([cache.get(), cache.get()]);
  await release();
  t.deepEqual(await both, [1, 1]);
  clock.advance(999);
  t.is(await cache.get(), 1);
  t.is(loads(), 1);
  clock.advance(1);
  t.true(cache.isStale());
  const next = cache.get();
  await release();
  t.is(await next, 2);
  t.is(cache.peek(), 2);
});

test('after invalidate a fetch that started before it is not taken as current', async (t) => {
  const clock = new FakeClock();
  const { cache, release } = counting(clock);
  const early = cache.refresh();
  cache.invalidate();
  const late = cache.get();
  await release();
  await release();
  t.is(await early, 1);
  t.is(await late, 2);
  t.is(cache.peek(), 2);
  t.false(cache.isStale());
});
