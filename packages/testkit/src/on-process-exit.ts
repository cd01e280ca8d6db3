const cleanups = new Set<() => void>();
const forwardedSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

/**
 * Runs `cleanup` (synchronously) when this process exits, or when it is told to stop by SIGINT,
 * SIGTERM or SIGHUP and nobody else handles that signal.
 *
 * A signal that has other listeners is left to them (a command that stops its servers gracefully
 * on Ctrl-C, say); the exit hook still runs afterwards as a safety net. When ours is the only
 * listener, the cleanups run and the signal is raised again, so the process still dies of it as
 * it would have without us.
 *
 * @returns a function that unregisters the cleanup.
 */
export function onProcessExit(cleanup: () => void): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function runCleanups(): void {
  for (const cleanup of cleanups) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: one failed cleanup must not keep the others from running.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runCleanups);
  for (const signal of forwardedSignals) {
    const handler = (): void => {
      if (process.listenerCount(signal) > 1) return;
      runCleanups();
      process.removeListener(signal, handler);
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}
