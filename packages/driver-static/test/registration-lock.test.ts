import test from 'ava';
import { RegistrationLock } from '../src/registration-lock.js';

/** A task that runs until `finish()` is called, recording when it starts and ends. */
function step(log: string[], name: string): { task: () => Promise<void>; finish: () => void; started: Promise<void> } {
  let finish!: () => void;
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    started,
    finish,
    task: async () => {
      log.push(`${name} start`);
      markStarted();
      await done;
      log.push(`${name} end`);
    },
  };
}

test('registrations of different hosts run side by side, those of one host one after another', async (t) => {
  const lock = new RegistrationLock();
  const log: string[] = [];
  const a1 = step(log, 'a1');
  const a2 = step(log, 'a2');
  const b1 = step(log, 'b1');
  const runs = [lock.forHost('a', a1.task), lock.forHost('a', a2.task), lock.forHost('b', b1.task)];
  await Promise.all([a1.started, b1.started]);
  t.deepEqual(log, ['a1 start', 'b1 start']);
  a1.finish();
  await a2.started;
  a2.finish();
  b1.finish();
  await Promise.all(runs);
  t.deepEqual(log, ['a1 start', 'b1 start', 'a1 end', 'a2 start', 'a2 end', 'b1 end']);
});

test('work on every host waits for the host work before it, and host work after it waits for it', async (t) => {
  const lock = new RegistrationLock();
  const log: string[] = [];
  const a = step(log, 'a');
  const sync = step(log, 'sync');
  const b = step(log, 'b');
  const runs = [lock.forHost('a', a.task), lock.exclusive(sync.task), lock.forHost('b', b.task)];
  await a.started;
  a.finish();
  await sync.started;
  t.deepEqual(log, ['a start', 'a end', 'sync start']);
  sync.finish();
  await b.started;
  b.finish();
  await Promise.all(runs);
  t.deepEqual(log, ['a start', 'a end', 'sync start', 'sync end', 'b start', 'b end']);
});

test('a failed task does not stop the ones after it', async (t) => {
  const lock = new RegistrationLock();
  await t.throwsAsync(lock.forHost('a', () => Promise.reject(new Error('no'))), { message: 'no' });
  await t.throwsAsync(lock.exclusive(() => Promise.reject(new Error('nor this'))), { message: 'nor this' });
  t.is(await lock.forHost('a', async () => 'ran'), 'ran');
});
