import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackage } from './ensure-debian-package.js';

/** Debian's interpreter: python3-kazoo belongs to it, not to whatever python3 is first on PATH. */
const debianPython = '/usr/bin/python3';
const kazooMarker = '/usr/lib/python3/dist-packages/kazoo/__init__.py';
const script = fileURLToPath(new URL('../kazoo/lock_peer.py', import.meta.url));

/** Installs Debian's python3-kazoo when it is missing. */
export function ensureKazooInstalled(): Promise<void> {
  return ensureDebianPackage('python3-kazoo', kazooMarker);
}

export interface KazooLockReply {
  acquired: boolean;
  /** The contender znode name kazoo created, when acquired. */
  node?: string | null;
  timeout?: boolean;
}

/**
 * A kazoo client in a Python subprocess, the very library Zuul and the original Nodepool use,
 * for interoperability tests. Commands run one at a time in the order sent; a blocking one
 * (like a blocking lock acquisition) holds up those after it.
 */
export class KazooPeer {
  private readonly pending: { resolve: (reply: Record<string, unknown>) => void; reject: (error: Error) => void }[] = [];
  private exitError: Error | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const waiter = this.pending.shift();
      if (!waiter) return;
      const reply = JSON.parse(line) as Record<string, unknown>;
      if (typeof reply.error === 'string') waiter.reject(new Error(`kazoo peer: ${reply.error}`));
      else waiter.resolve(reply);
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      this.exitError = new Error(`kazoo peer exited (${code ?? signal}): ${stderr.trim()}`);
      for (const waiter of this.pending.splice(0)) waiter.reject(this.exitError);
    });
  }

  /** Starts a peer connected to `hosts` (a kazoo host string, e.g. `127.0.0.1:2181/chroot`). */
  static async start(hosts: string): Promise<KazooPeer> {
    await ensureKazooInstalled();
    const child = spawn(debianPython, [script, hosts], { stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new KazooPeer(child);
    await peer.next(); // {"ready": true}
    return peer;
  }

  /** kazoo `Lock(path, identifier).acquire(blocking, timeout)`; timeout in ms. */
  async acquire(path: string, options: { blocking?: boolean; timeoutMs?: number; identifier?: string } = {}): Promise<KazooLockReply> {
    return (await this.send({
      op: 'acquire',
      path,
      blocking: options.blocking ?? true,
      timeout: options.timeoutMs === undefined ? null : options.timeoutMs / 1000,
      identifier: options.identifier ?? null,
    })) as unknown as KazooLockReply;
  }

  async release(path: string): Promise<void> {
    await this.send({ op: 'release', path });
  }

  /** kazoo's `Lock(path).contenders()`: identifiers, holder first. */
  async contenders(path: string): Promise<string[]> {
    return (await this.send({ op: 'contenders', path })).contenders as string[];
  }

  async children(path: string): Promise<string[]> {
    return (await this.send({ op: 'children', path })).children as string[];
  }

  /**
   * Takes and gives back the lock `rounds` times, claiming `marker` (an ephemeral znode) inside
   * each round; returns how often the marker was already there (someone else inside too).
   */
  async contend(path: string, marker: string, rounds: number): Promise<number> {
    return (await this.send({ op: 'contend', path, marker, rounds })).violations as number;
  }

  /** Ends the peer; its session closes, releasing its locks. */
  async stop(): Promise<void> {
    if (this.exitError) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try {
      await this.send({ op: 'quit' });
    } catch {
      // already gone
    }
    this.child.stdin.end();
    await exited;
  }

  /** Kills the peer without closing its session (its ephemerals linger until expiry). */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  private send(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = this.next();
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return reply;
  }

  private next(): Promise<Record<string, unknown>> {
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}
