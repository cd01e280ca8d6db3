import { readFileSync } from 'node:fs';

/**
 * Whether a process with this pid exists and has not finished.
 *
 * A zombie (exited, not yet reaped) counts as gone: a container's PID 1 may never reap orphans,
 * and for our purposes (did the JVM die?) an exited process is dead.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat is "pid (comm) S ...", and comm may itself contain spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (error) {
    // Gone since kill(0); or no /proc (not Linux), where kill(0) succeeding is the best answer we have.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || process.platform !== 'linux';
  }
}
