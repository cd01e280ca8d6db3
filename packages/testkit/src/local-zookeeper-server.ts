import { rmSync } from 'node:fs';
import { appendFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fourLetterWord } from './four-letter-word.js';
import { zooKeeperJavaArgs, type ZooKeeperJvm } from './java-command.js';
import type { LocalZooKeeper, ZooKeeperMode } from './local-zookeeper.js';
import { onProcessExit } from './on-process-exit.js';
import { tail } from './run-command.js';
import { spawnWatched, type ProcessExit, type WatchedProcess } from './spawn-watched.js';
import type { LocalZooKeeperTls } from './tls-material.js';
import { waitFor } from './wait-for.js';
import { ZooKeeperStartError } from './zookeeper-start-error.js';

/** Where a {@link LocalZooKeeperServer} keeps its things; the config file must already exist. */
export interface LocalZooKeeperServerSetup {
  /** Temp directory owned by the server: config, log, and (by default) data. Removed by destroy(). */
  dir: string;
  configFile: string;
  dataDir: string;
  port: number;
  tls?: LocalZooKeeperTls | undefined;
  startTimeoutMs: number;
  jvm?: ZooKeeperJvm | undefined;
}

const stopGraceMs = 5000;
const logTailLines = 40;

/** The {@link LocalZooKeeper} implementation: one JVM at a time, restartable. */
export class LocalZooKeeperServer implements LocalZooKeeper {
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly connectString: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly tls?: LocalZooKeeperTls;
  pid = 0;

  readonly #setup: LocalZooKeeperServerSetup;
  #forgetDir: () => void;
  #process: WatchedProcess | undefined;
  #starting: Promise<void> | undefined;

  constructor(setup: LocalZooKeeperServerSetup) {
    this.#setup = setup;
    this.port = setup.port;
    this.connectString = `${this.host}:${setup.port}`;
    this.dataDir = setup.dataDir;
    this.logFile = join(setup.dir, 'zookeeper.log');
    if (setup.tls) this.tls = setup.tls;
    // A test that never gets to destroy() should not leave its temp dir behind.
    this.#forgetDir = onProcessExit(() => rmSync(setup.dir, { recursive: true, force: true }));
  }

  get running(): boolean {
    return this.#process?.running ?? false;
  }

  start(): Promise<void> {
    if (this.running && !this.#starting) return Promise.resolve();
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    // Restarts append to the same log; mark where each run begins.
    await appendFile(this.logFile, `--- ${new Date().toISOString()} starting ZooKeeper on ${this.connectString} ---\n`);
    const jvm = await spawnWatched('java', zooKeeperJavaArgs(this.#setup.configFile, this.#setup.jvm), {
      logFile: this.logFile,
      cwd: this.#setup.dir,
    });
    this.#process = jvm;
    this.pid = jvm.pid;
    const timeoutMs = this.#setup.startTimeoutMs;
    let outcome: 'serving' | 'exited';
    try {
      outcome = await waitFor(
        async () => (!jvm.running ? 'exited' : isServing(await this.mode()) ? 'serving' : undefined),
        { timeoutMs, intervalMs: 50, message: `ZooKeeper on ${this.connectString} did not start serving` },
      );
    } catch (error) {
      jvm.kill('SIGKILL');
      await jvm.waitForExit();
      throw new ZooKeeperStartError((error as Error).message, this.logFile, await this.#logTail(), { cause: error });
    }
    if (outcome === 'exited') {
      const exit = await jvm.waitForExit();
      throw new ZooKeeperStartError(
        `ZooKeeper on ${this.connectString} exited during start-up (${describeExit(exit)})`,
        this.logFile,
        await this.#logTail(),
      );
    }
  }

  async stop(): Promise<ProcessExit> {
    const jvm = await this.#settledProcess();
    jvm.kill('SIGTERM');
    const escalate = setTimeout(() => jvm.kill('SIGKILL'), stopGraceMs);
    try {
      return await jvm.waitForExit();
    } finally {
      clearTimeout(escalate);
    }
  }

  async kill(): Promise<ProcessExit> {
    const jvm = await this.#settledProcess();
    jvm.kill('SIGKILL');
    return jvm.waitForExit();
  }

  async mode(): Promise<ZooKeeperMode> {
    try {
      const answer = await fourLetterWord(this.port, 'srvr', { tls: this.tls });
      const mode = /^Mode: (\w+)/m.exec(answer)?.[1];
      return mode === 'standalone' || mode === 'leader' || mode === 'follower' ? mode : 'not serving';
    } catch {
      return 'not serving';
    }
  }

  async destroy(): Promise<void> {
    if (this.#process) await this.stop();
    await rm(this.#setup.dir, { recursive: true, force: true });
    this.#forgetDir();
  }

  /**
   * Keeps the temp dir (and so the log) after this process exits, for a server that failed to
   * start: its error message points there.
   */
  keepForDebugging(): void {
    this.#forgetDir();
    this.#forgetDir = () => {};
  }

  /** The current process once any start in progress is over (stop during start is allowed). */
  async #settledProcess(): Promise<WatchedProcess> {
    await this.#starting?.catch(() => {});
    if (!this.#process) throw new Error(`ZooKeeper on ${this.connectString} was never started`);
    return this.#process;
  }

  async #logTail(): Promise<string> {
    return tail(await readFile(this.logFile, 'utf8').catch(() => ''), logTailLines);
  }
}

function isServing(mode: ZooKeeperMode): boolean {
  return mode !== 'not serving';
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
