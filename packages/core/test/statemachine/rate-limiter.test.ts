import test from 'ava';
import { PacedRateLimiter } from '@nodepool/core';

test('calls are spaced out to the rate, in order', async (t) => {
  const limiter = new PacedRateLimiter(50);
  const started: number[] = [];
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 6 }, (_, i) => limiter.run(async () => void started.push(i))));
  t.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  t.true(Date.now() - t0 >= 5 * 20 - 5, `six calls at 50/s took ${Date.now() - t0} ms`);
});

test('an unlimited rate does not wait', async (t) => {
  const limiter = new PacedRateLimiter(Infinity);
  let started = 0;
  const runs = Array.from({ length: 100 }, () => limiter.run(async () => void started++));
  // Every call began before this line: none was put off to a timer, however slow the machine.
  t.is(started, 100);
  await Promise.all(runs);
});

test('backOff holds every later call', async (t) => {
  const limiter = new PacedRateLimiter(1000);
  // Taken before the back-off, so the bound holds however long the lines in between take.
  const t0 = Date.now();
  limiter.backOff(120);
  await limiter.run(async () => undefined);
  t.true(Date.now() - t0 >= 118, `the call waited ${Date.now() - t0} ms`);
});
