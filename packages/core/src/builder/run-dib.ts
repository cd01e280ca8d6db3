import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { constants } from 'node:os';
import type { DibCommand } from './dib-command.js';

/** How a build command ended. */
export interface DibResult {
  /** Its exit code; 1 when it timed out or was stopped, as the original reports a timeout. */
  readonly rc: number;
  readonly timedOut: boolean;
  /** Stopped because the builder is stopping. */
  readonly aborted: boolean;
  /** It could not be started at all (the command does not exist, say). */
  readonly spawnError: Error | undefined;
}

/**
 * Runs the build command with stdout and stderr both written to `logFile` (as they come, in
 * order), then `Exit code: N` unless it timed out. After `timeoutMs`, or when `signal` aborts,
 * the command's whole process group is killed (DIB's children included).
 *
 * Differs from Nodepool: the original checks the timeout only every 30 s and kills just the
 * top process.
 */
export async function runDib(command: DibCommand, options: { logFile: string; timeoutMs: number; signal: AbortSignal }): Promise<DibResult> {
  const log = await open(options.logFile, 'w');
  try {
    const [program, ...args] = command.argv;
    if (program === undefined) throw new Error('the build command is empty');
    const child = spawn(program, args, { env: command.env, stdio: ['ignore', log.fd, log.fd], detached: true });
    let timedOut = false;
    let aborted = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();
    try {
      const outcome = await Promise.race([
        once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null })),
        once(child, 'error').then(([error]) => ({ error: error as Error })),
      ]);
      if ('error' in outcome) {
        await log.write(`Failed to exec '${command.line}'. Error: '${outcome.error.message}'\n`);
        return { rc: 1, timedOut: false, aborted: false, spawnError: outcome.error };
      }
      const rc = timedOut || aborted ? 1 : (outcome.code ?? -signalNumber(outcome.signal));
      if (!timedOut) await log.write(`Exit code: ${rc}\n`);
      return { rc, timedOut, aborted, spawnError: undefined };
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
    }
  } finally {
    await log.close();
  }
}

/** As Python's Popen reports a process killed by a signal: the negative signal number. */
function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? constants.signals[signal] : 1;
}
