import test from 'ava';
import { getLogger, SharedInstanceListing, type Instance } from '@nodepool/core';

function cloud() {
  let calls = 0;
  const instances = new Map<string, Instance>();
  /** When each listing call was made. */
  const callTimes: number[] = [];
  return {
    instances,
    callTimes,
    get calls() {
      return calls;
    },
    async listInstances(): Promise<Instance[]> {
      calls++;
      callTimes.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 5));
      return [...instances.values()];
    },
  };
}

test('many waiters at once share one listing call', async (t) => {
  const fake = cloud();
  for (let i = 0; i < 100; i++) fake.instances.set(`i-${i}`, { externalId: `i-${i}`, metadata: {} });
  const listing = new SharedInstanceListing(fake, 200, getLogger('test'));
  const found = await Promise.all(Array.from({ length: 100 }, (_, i) => listing.get(`i-${i}`)));
  t.is(found.filter(Boolean).length, 100);
  t.is(fake.calls, 1);
});

test('listings are at least the interval apart, and a waiter sees a listing made after it asked', async (t) => {
  const fake = cloud();
  const listing = new SharedInstanceListing(fake, 100, getLogger('test'));
  t.is(await listing.get('i-1'), undefined);
  fake.instances.set('i-1', { externalId: 'i-1', metadata: {}, ready: true });
  t.deepEqual(await listing.get('i-1'), { externalId: 'i-1', metadata: {}, ready: true });
  t.is(fake.calls, 2);
  // Measured between the calls themselves (less 2 ms for timer rounding): however long the
  // first one took, the second came no sooner than the interval after it began.
  const [first, second] = fake.callTimes;
  t.true(second! - first! >= 98, `the listings were ${second! - first!} ms apart`);
});
