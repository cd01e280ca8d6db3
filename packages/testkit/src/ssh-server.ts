import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage } from './ensure-debian-package.js';
import { findPortOutsideEphemeralRange } from './find-free-ports.js';
import { runCommand, tail } from './run-command.js';
import { spawnWatched, type WatchedProcess } from './spawn-watched.js';
import type { TestHooks } from './use-zookeeper.js';

const SSHD = '/usr/sbin/sshd';
const KEY_TYPES = ['ed25519', 'ecdsa', 'rsa'] as const;

/**
 * A throwaway OpenSSH server on 127.0.0.1, started by {@link startSshServer}: a real `sshd`
 * with host keys of its own, for tests that scan host keys or check that a host answers. Nobody
 * can log in (no password, no authorized keys).
 *
 * It keeps its port and host keys across {@link LocalSshServer.stop | stop} and {@link
 * LocalSshServer.start | start}, and is killed when the process that started it exits.
 */
export interface LocalSshServer {
  /** Always `'127.0.0.1'`. */
  readonly host: string;
  readonly port: number;
  /** Its public host keys as `"<keytype> <base64>"` (ed25519, ecdsa, rsa), as ssh-keyscan shows them. */
  readonly hostKeys: readonly string[];
  /** sshd's log (`-e`: everything it says goes to stderr), kept until destroy(). */
  readonly logFile: string;
  /** Whether sshd is running. */
  readonly running: boolean;
  /** Starts sshd again on the same port after stop(); resolves once it answers. Does nothing when running. */
  start(): Promise<void>;
  /** Stops sshd (SIGTERM, then SIGKILL after a few seconds); resolves once it has exited. */
  stop(): Promise<void>;
  /** Stops sshd and removes its temp directory. */
  destroy(): Promise<void>;
}

/** Options of {@link startSshServer}. */
export interface StartSshServerOptions {
  /** Port on 127.0.0.1. Default: a free port. */
  port?: number;
  /** How long to wait for sshd to answer. Default 15 000 ms. */
  startTimeoutMs?: number;
}

/**
 * Starts an OpenSSH `sshd` on a free port of 127.0.0.1 (below the ephemeral range, so that nothing
 * else answers on it while it is stopped), with fresh ed25519, ecdsa and rsa host
 * keys in a temp dir, and resolves once it answers with an SSH banner. Installs the Debian
 * package `openssh-server` first when `/usr/sbin/sshd` is missing.
 *
 * Call `destroy()` when done (or use {@link useSshServer} in ava tests); sshd is killed anyway
 * when this process exits.
 *
 * @throws Error with the tail of sshd's log when it does not come up.
 */
export async function startSshServer(options: StartSshServerOptions = {}): Promise<LocalSshServer> {
  await ensureDebianPackage('openssh-server', SSHD);
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-sshd-'));
  try {
    const hostKeys = await generateHostKeys(dir);
    ensurePrivilegeSeparationDir();
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await findPortOutsideEphemeralRange());
      const server = new SshServer(dir, port, hostKeys, options.startTimeoutMs ?? 15_000);
      try {
        await server.start();
        return server;
      } catch (error) {
        // Someone took the free port we picked before sshd bound it: try another.
        const clash = error instanceof SshServerStartError && error.portInUse;
        if (!clash || options.port !== undefined || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Gives a test file one sshd ({@link startSshServer}): started in `test.before`, destroyed in
 * `test.after.always`.
 *
 * ```ts
 * const sshd = useSshServer(test);
 * test('scans the keys', async (t) => { const { host, port, hostKeys } = sshd(); ... });
 * ```
 *
 * @returns a getter for the server; it throws when called before the `before` hook has run.
 */
export function useSshServer(test: TestHooks, options?: StartSshServerOptions): () => LocalSshServer {
  let server: LocalSshServer | undefined;
  test.before(async () => {
    server = await startSshServer(options);
  });
  test.after.always(async () => {
    await server?.destroy();
  });
  return () => {
    if (!server) throw new Error('The sshd is not started: call the getter inside a test, after test.before has run.');
    return server;
  };
}

/** sshd did not come up; `portInUse` when its port was taken. */
export class SshServerStartError extends Error {
  override readonly name = 'SshServerStartError';

  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

class SshServer implements LocalSshServer {
  readonly host = '127.0.0.1';
  readonly logFile: string;
  private readonly configFile: string;
  private process: WatchedProcess | undefined;

  constructor(
    private readonly dir: string,
    readonly port: number,
    readonly hostKeys: readonly string[],
    private readonly startTimeoutMs: number,
  ) {
    this.logFile = join(dir, 'sshd.log');
    this.configFile = join(dir, 'sshd_config');
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  async start(): Promise<void> {
    if (this.running) return;
    await writeFile(this.configFile, sshdConfig(this.dir, this.port));
    const logStart = await readFile(this.logFile, 'utf8').then((text) => text.length, () => 0);
    // sshd re-executes itself, which needs the absolute path; -D stays in the foreground, -e logs to stderr.
    const sshd = await spawnWatched(SSHD, ['-D', '-e', '-f', this.configFile], { logFile: this.logFile });
    this.process = sshd;
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (!sshd.running) {
        const log = (await readFile(this.logFile, 'utf8')).slice(logStart);
        throw new SshServerStartError(`sshd exited at start:\n${tail(log, 20)}`, /Address already in use/.test(log));
      }
      if (await answersWithBanner(this.host, this.port)) return;
      if (Date.now() >= deadline) {
        await this.stop();
        const log = (await readFile(this.logFile, 'utf8')).slice(logStart);
        throw new SshServerStartError(`sshd did not answer on port ${this.port} within ${this.startTimeoutMs} ms:\n${tail(log, 20)}`, false);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const sshd = this.process;
    if (!sshd?.running) return;
    sshd.kill('SIGTERM');
    const timer = setTimeout(() => sshd.kill('SIGKILL'), 5_000);
    await sshd.waitForExit();
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function generateHostKeys(dir: string): Promise<string[]> {
  return Promise.all(
    KEY_TYPES.map(async (type) => {
      const file = join(dir, `ssh_host_${type}_key`);
      const size = type === 'rsa' ? ['-b', '2048'] : [];
      await runCommand('ssh-keygen', ['-q', '-t', type, ...size, '-N', '', '-C', '', '-f', file]);
      const [keyType, base64] = (await readFile(`${file}.pub`, 'utf8')).trim().split(/\s+/);
      return `${keyType} ${base64}`;
    }),
  );
}

function sshdConfig(dir: string, port: number): string {
  return [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    ...KEY_TYPES.map((type) => `HostKey ${join(dir, `ssh_host_${type}_key`)}`),
    `PidFile ${join(dir, 'sshd.pid')}`,
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication no',
    'AuthorizedKeysFile none',
    'LogLevel INFO',
    '',
  ].join('\n');
}

/** sshd started as root refuses to run without its privilege separation directory. */
function ensurePrivilegeSeparationDir(): void {
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch {
    // Not root: sshd then runs without privilege separation and does not need it.
  }
}

/** Whether something on the port greets us like an SSH server does. */
function answersWithBanner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received = '';
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\n')) done(received.startsWith('SSH-'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}
