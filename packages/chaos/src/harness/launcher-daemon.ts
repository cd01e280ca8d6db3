import type { ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { killChild, stopChild, waitForLogLine, type DaemonExit, type ProcessRegistry } from './processes.js';

/**
 * One built `nodepool-launcher`, as an operator runs it (`-c FILE -f`), that the scenario may
 * kill and start again. Every exit the harness did not cause is recorded: a daemon "survived"
 * when there is none.
 */
export class LauncherDaemon {
  private child: ChildProcess | undefined;
  private expectingExit = false;
  /** Exits the harness did not cause (crashes), with the log file to read. */
  readonly crashes: DaemonExit[] = [];
  /** How many times the harness SIGKILLed it. */
  kills = 0;
  logFile = '';

  constructor(
    private readonly registry: ProcessRegistry,
    readonly name: string,
    private readonly launcherBin: string,
    readonly configFile: string,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts it and resolves once it logs that it has started (up to two minutes). */
  async start(): Promise<void> {
    if (this.running) return;
    const offset = this.logFile ? (await stat(this.logFile)).size : 0;
    const { child, logFile } = await this.registry.spawnNode(this.name, this.launcherBin, ['-c', this.configFile, '-f'], {
      NODEPOOL_LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'info',
      // Several launchers share this machine: the web API on a free loopback port each.
      NODEPOOL_WEB_PORT: '0',
      NODEPOOL_WEB_LISTEN_ADDRESS: '127.0.0.1',
    });
    this.logFile = logFile;
    this.child = child;
    this.expectingExit = false;
    child.once('exit', (code, signal) => {
      if (!this.expectingExit) this.crashes.push({ code, signal, expected: false });
    });
    await waitForLogLine(logFile, /launcher started/, { child, fromOffset: offset, timeoutMs: 120_000 });
  }

  /** SIGKILL: a crash on purpose. */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    this.expectingExit = true;
    this.kills++;
    await killChild(this.child);
  }

  /** SIGTERM, the orderly stop; SIGKILL after 20 s. */
  async stop(): Promise<void> {
    if (!this.child || !this.running) return;
    this.expectingExit = true;
    await stopChild(this.child, 20_000);
  }
}
