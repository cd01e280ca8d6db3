import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import type { Socket } from 'node:net';
import { onProcessExit } from './on-process-exit.js';

/** How a watched process ended. */
export interface ProcessExit {
  /** Exit status, or null when it was killed by a signal. */
  code: number | null;
  /** The signal that killed it, if any. */
  signal: NodeJS.Signals | null;
}

/** A process started by {@link spawnWatched}. */
export interface WatchedProcess {
  /** The pid of the process itself (not of its watchdog shell). */
  readonly pid: number;
  /** Whether it has not exited yet. */
  readonly running: boolean;
  /** Settles once it has exited and been reaped; does not keep the event loop alive. */
  readonly exited: Promise<ProcessExit>;
  /** Like {@link WatchedProcess.exited}, but keeps the event loop alive until the exit is reported. */
  waitForExit(): Promise<ProcessExit>;
  /** Sends a signal to the process itself; does nothing once it has exited. */
  kill(signal: NodeJS.Signals): void;
}

// The watchdog: run the command in the background, print its pid, and kill it with SIGKILL as soon
// as our stdin (a pipe from Node) reaches EOF, i.e. when the Node process dies, even by SIGKILL,
// which runs no exit hooks. Then wait for the command and exit with its status so Node learns how
// it ended. Background jobs of a non-interactive shell get /dev/null as stdin, hence fd 3, and the
// watchdog uses the `read` builtin so no extra process outlives the shell.
const watchdogScript = `
exec 3<&0
"$@" </dev/null >&2 3<&- &
pid=$!
echo "$pid"
( read -r _ <&3; kill -9 "$pid" 2>/dev/null ) &
dog=$!
exec 3<&-
trap 'kill -9 "$pid" 2>/dev/null' HUP INT TERM
while :; do
  wait "$pid"; code=$?
  kill -0 "$pid" 2>/dev/null || break
done
kill "$dog" 2>/dev/null
exit "$code"
`;

/**
 * Starts `command` under a small `sh` watchdog that kills it when this Node process dies, however
 * it dies. Its stdout and stderr are appended to `logFile`.
 *
 * The process is also killed by this process's exit hook, and its handles are unref'd so a
 * forgotten server never keeps a test worker alive; callers that must outlive it (a foreground
 * command) keep the event loop busy themselves.
 */
export function spawnWatched(
  command: string,
  args: readonly string[],
  options: { logFile: string; cwd?: string },
): Promise<WatchedProcess> {
  const logFd = openSync(options.logFile, 'a');
  let watchdog: ChildProcess;
  try {
    watchdog = spawn('sh', ['-c', watchdogScript, 'nodepool-watchdog', command, ...args], {
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', logFd],
      // Its own process group: a Ctrl-C in the terminal reaches only Node, which then stops the
      // server in an orderly way instead of the JVM dying of the same SIGINT.
      detached: true,
    });
  } finally {
    // The child has its own copy of the descriptor.
    closeSync(logFd);
  }
  const stdout = watchdog.stdout;
  if (!stdout) throw new Error('spawned with a stdout pipe, but it has none');

  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const newline = output.indexOf('\n');
      if (newline < 0) return;
      stdout.off('data', onData);
      resolve(track(watchdog, Number.parseInt(output.slice(0, newline), 10)));
    };
    stdout.on('data', onData);
    watchdog.once('error', reject);
    watchdog.once('exit', (code, signal) =>
      reject(new Error(`watchdog shell exited before starting ${command} (code ${code}, signal ${signal})`)),
    );
  });
}

function track(watchdog: ChildProcess, pid: number): WatchedProcess {
  let running = true;
  // The whole process group too (the shell, its watchdog subshell), never group 0: that is ours.
  const targets = watchdog.pid === undefined ? [pid] : [pid, -watchdog.pid];
  const killNow = (): void => {
    for (const target of targets) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const unregister = onProcessExit(killNow);
  watchdog.removeAllListeners('exit');
  watchdog.removeAllListeners('error');
  const exited = new Promise<ProcessExit>((resolve) => {
    watchdog.once('exit', (code, signal) => {
      running = false;
      unregister();
      watchdog.stdin?.destroy();
      if (signal !== null) {
        // The shell itself was killed, so nobody waited for the command: make sure it is dead too.
        killNow();
        resolve({ code: null, signal });
      } else {
        resolve(decodeShellStatus(code ?? 0));
      }
    });
  });
  watchdog.unref();
  for (const stream of [watchdog.stdin, watchdog.stdout]) (stream as Socket | null)?.unref();
  return {
    pid,
    get running() {
      return running;
    },
    exited,
    waitForExit() {
      if (running) watchdog.ref();
      return exited;
    },
    kill(signal) {
      if (!running) return;
      try {
        process.kill(pid, signal);
      } catch {
        // Exited just now; `exited` is about to settle.
      }
    },
  };
}

/** `sh` reports "killed by signal N" as status 128 + N. */
function decodeShellStatus(status: number): ProcessExit {
  if (status > 128) {
    const entry = Object.entries(constants.signals).find(([, number]) => number === status - 128);
    if (entry) return { code: null, signal: entry[0] as NodeJS.Signals };
  }
  return { code: status, signal: null };
}
