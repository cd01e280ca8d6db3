import test from 'ava';
import { waitFor } from '../src/wait-for.js';

test('resolves with the first truthy value of the predicate', async (t) => {
  let calls = 0;
  const value = await waitFor(() => (++calls >= 3 ? `call ${calls}` : undefined), { intervalMs: 1 });
  t.is(value, 'call 3');
});

test('accepts an async predicate', async (t) => {
  let calls = 0;
  t.true(await waitFor(async () => ++calls > 1, { intervalMs: 1 }));
});

test('rejects with the given message when time runs out', async (t) => {
  const error = await t.throwsAsync(waitFor(() => false, { timeoutMs: 30, intervalMs: 5, message: 'never ready' }));
  t.regex(error.message, /^never ready \(gave up after 30 ms\)$/);
});

test('treats a throwing predicate as not yet and keeps its last error as the cause', async (t) => {
  const error = await t.throwsAsync(
    waitFor(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 30, intervalMs: 5 },
    ),
  );
  t.is((error.cause as Error).message, 'connection refused');
});
