import test from 'ava';
import { RingBuffer } from '../../src/history/ring-buffer.js';

test('keeps the last items pushed, oldest first, and never more than its capacity', (t) => {
  const buffer = new RingBuffer<number>(3);
  t.deepEqual(buffer.toArray(), []);
  t.is(buffer.last(), undefined);
  buffer.push(1);
  buffer.push(2);
  t.deepEqual(buffer.toArray(), [1, 2]);
  for (let i = 3; i <= 1000; i++) buffer.push(i);
  t.is(buffer.size, 3);
  t.deepEqual(buffer.toArray(), [998, 999, 1000]);
  t.is(buffer.last(), 1000);
});

test('refuses a capacity that is not a positive integer', (t) => {
  t.throws(() => new RingBuffer(0), { message: /positive integer, not 0/ });
  t.throws(() => new RingBuffer(2.5), { instanceOf: RangeError });
});
