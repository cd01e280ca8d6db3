import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Why a daemon stopped, as the harness sees it. */
export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the harness killed or stopped it on purpose. */
  expected: boolean;
}

/**
 * Every process the chaos run starts, so that all of them die with it: on a normal end, a
 * failure, Ctrl-C (scripts/chaos.sh turns it into SIGTERM for the whole process group) or an
 * exception. Children stay in the runner's process group, which chaos.sh kills when the runner
 * is gone however it ended.
 */
export class ProcessRegistry {
  private readonly children = new Set<ChildProcess>();
  private installed = false;

  constructor(readonly logDir: string) {}

  /** Starts `node script args…` with its output appended to `<logDir>/<name>.log`. */
  async spawnNode(name: string, script: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ child: ChildProcess; logFile: string }> {
    this.install();
    const logFile = join(this.logDir, `${name}.log`);
    const out = await open(logFile, 'a');
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', out.fd, out.fd], env: { ...process.env, ...env } });
    await out.close();
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return { child, logFile };
  }

  /** SIGKILLs every child still running, at once (safe in an exit hook). */
  killAll(): void {
    for (const child of this.children) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }

  private install(): void {
    if (this.installed) return;
    this.installed = true;
    process.on('exit', () => this.killAll());
  }
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** SIGKILL; resolves once it has exited. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/**
 * Waits until a line of `logFile` written after byte `fromOffset` matches `pattern`; rejects
 * when `child` exits first or `timeoutMs` passes, with the log's tail.
 */
export async function waitForLogLine(
  logFile: string,
  pattern: RegExp,
  options: { child?: ChildProcess; fromOffset?: number; timeoutMs: number },
): Promise<string> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const text = (await readFile(logFile)).subarray(options.fromOffset ?? 0).toString('utf8');
    const line = text.split('\n').find((each) => pattern.test(each));
    if (line !== undefined) return line;
    const child = options.child;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${logFile}: the process exited (${child.exitCode ?? child.signalCode}) before logging ${pattern}:\n${text.slice(-3000)}`);
    }
    if (Date.now() > deadline) throw new Error(`${logFile}: no line matching ${pattern} within ${options.timeoutMs / 1000} s:\n${text.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
