import { open, readFile, stat, unlink } from 'node:fs/promises';
import { isProcessAlive } from './is-process-alive.js';

/** Inputs of {@link runOncePerMachine}. */
export interface RunOncePerMachineOptions {
  /** Whether the work is done already (checked before and after taking the lock). */
  isDone: () => boolean | Promise<boolean>;
  /** Does the work; runs in at most one process at a time. */
  run: () => Promise<void>;
  /** The lock file; a path every process agrees on. */
  lockFile: string;
  /** Give up waiting for another process after this long. Default 10 minutes. */
  waitTimeoutMs?: number;
}

const lockPollMs = 250;
// A lock file without a pid in it is normally one its owner has only just created.
const emptyLockStaleMs = 10_000;

/**
 * Runs `run` unless `isDone`, with processes taking turns through an exclusively created lock
 * file holding the owner's pid. A process that finds the lock taken waits until the work is done
 * or the lock is gone; a lock whose owner died is taken over.
 */
export async function runOncePerMachine(options: RunOncePerMachineOptions): Promise<void> {
  const { isDone, run, lockFile, waitTimeoutMs = 10 * 60_000 } = options;
  const deadline = Date.now() + waitTimeoutMs;
  for (;;) {
    if (await isDone()) return;
    if (await tryLock(lockFile)) break;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${waitTimeoutMs} ms waiting for the process holding ${lockFile}.`);
    }
    await new Promise((resolve) => setTimeout(resolve, lockPollMs));
  }
  try {
    // Another process may have finished between our check and taking the lock.
    if (!(await isDone())) await run();
  } finally {
    await unlink(lockFile).catch(() => {});
  }
}

/** Takes the lock; clears a stale one so that the next try can take it. */
async function tryLock(lockFile: string): Promise<boolean> {
  try {
    const handle = await open(lockFile, 'wx');
    try {
      await handle.writeFile(String(process.pid));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const owner = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
  const stale = Number.isInteger(owner)
    ? !isProcessAlive(owner)
    : Date.now() - ((await stat(lockFile).catch(() => undefined))?.mtimeMs ?? Date.now()) > emptyLockStaleMs;
  if (stale) await unlink(lockFile).catch(() => {});
  return false;
}
