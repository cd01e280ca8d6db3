import { connect as connectTcp } from 'node:net';
import { NodepoolError } from '../errors.js';
import { Client, type ServerHostKeyAlgorithm } from 'ssh2';

/** A host did not answer (or did not complete an SSH handshake) in time. */
export class HostUnreachableError extends NodepoolError {
  constructor(
    readonly host: string,
    readonly port: number,
    options?: ErrorOptions,
  ) {
    super(`${host}:${port} did not answer in time`, options);
  }
}

/** What a scan may be told. */
export interface ScanOptions {
  /** Give up after this long; refused connections are retried until then. */
  readonly timeoutMs: number;
  /** Stops the scan early (the provider is stopping). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Host key algorithms to ask for, one connection each: a server shows only one host key per
 * handshake, the one of the algorithm both sides prefer.
 */
const KEY_PROBES: readonly { readonly keyType: string; readonly algorithms: readonly ServerHostKeyAlgorithm[] }[] = [
  { keyType: 'ssh-ed25519', algorithms: ['ssh-ed25519'] },
  { keyType: 'ecdsa-sha2-nistp256', algorithms: ['ecdsa-sha2-nistp256'] },
  { keyType: 'ecdsa-sha2-nistp384', algorithms: ['ecdsa-sha2-nistp384'] },
  { keyType: 'ecdsa-sha2-nistp521', algorithms: ['ecdsa-sha2-nistp521'] },
  // One RSA key whatever signature hash is negotiated; its blob names it `ssh-rsa`.
  { keyType: 'ssh-rsa', algorithms: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] },
];

/** How long one connection attempt may take at most; a dead host is retried until the deadline. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** Pause between two attempts at a host that refused us. */
const RETRY_INTERVAL_MS = 1_000;

/**
 * Collects every SSH host key a server offers, as `ssh-keyscan` (and the original's `nodescan`)
 * report them: `"<keytype> <base64>"`, one per key type, RSA as `ssh-rsa`.
 *
 * The first handshake is retried until `timeoutMs`, so a host still booting (or restarting its
 * sshd) is waited for; each remaining key type is asked for until the server says it has none
 * (then the type is simply missing from the result) or the time is up.
 *
 * @throws HostUnreachableError when no handshake succeeded in time.
 */
export async function scanHostKeys(host: string, port: number, options: ScanOptions): Promise<string[]> {
  const deadline = Date.now() + options.timeoutMs;
  const first = await retryUntil(deadline, host, port, options.signal, (timeoutMs) => fetchHostKey(host, port, undefined, timeoutMs));
  const keys = new Map<string, string>([[keyType(first), first]]);
  for (const { keyType: type, algorithms } of KEY_PROBES) {
    if (keys.has(type)) continue;
    options.signal?.throwIfAborted();
    // Each probe gets a fair chance even when the first handshake used up most of the budget.
    const key = await probeKeyType(host, port, algorithms, Math.max(deadline, Date.now() + 2_000), options.signal);
    if (key && !keys.has(keyType(key))) keys.set(keyType(key), key);
  }
  return orderByProbe([...keys.values()]);
}

/**
 * Waits until `host` accepts a TCP connection on `port` (the original's `nodescan` without
 * gathering keys: the WinRM check and the liveness check of a ready node).
 *
 * @throws HostUnreachableError when it did not within `timeoutMs`.
 */
export async function waitForPort(host: string, port: number, options: ScanOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  await retryUntil(deadline, host, port, options.signal, (timeoutMs) => openTcp(host, port, timeoutMs));
}

// ---- helpers ---------------------------------------------------------------------------

async function retryUntil<T>(
  deadline: number,
  host: string,
  port: number,
  signal: AbortSignal | undefined,
  attempt: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new HostUnreachableError(host, port, { cause: lastError });
    try {
      return await attempt(Math.min(remaining, ATTEMPT_TIMEOUT_MS));
    } catch (error) {
      lastError = error;
    }
    const pause = Math.min(RETRY_INTERVAL_MS, deadline - Date.now());
    if (pause > 0) await sleep(pause, signal);
  }
}

/**
 * The server's key of one type, or undefined when it has none. A handshake that fails for any
 * other reason (a busy sshd drops connections beyond `MaxStartups`, a slow one times out) is
 * tried again until `deadline`: a key the host has must not go missing by chance.
 */
async function probeKeyType(
  host: string,
  port: number,
  algorithms: readonly ServerHostKeyAlgorithm[],
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      return await fetchHostKey(host, port, algorithms, Math.min(Math.max(deadline - Date.now(), 1_000), ATTEMPT_TIMEOUT_MS));
    } catch (error) {
      if (/no matching host key format/.test(String(error))) return undefined;
    }
    const pause = Math.min(RETRY_INTERVAL_MS, deadline - Date.now());
    if (pause <= 0) return undefined;
    await sleep(pause, signal);
  }
}

/** One handshake, stopped as soon as the server has shown its host key. */
function fetchHostKey(host: string, port: number, algorithms: readonly ServerHostKeyAlgorithm[] | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let key: string | undefined;
    let finished = false;
    const finish = (error?: unknown): void => {
      if (finished) return;
      finished = true;
      client.removeAllListeners();
      // A late socket error after destroy() must not become an unhandled 'error' event.
      client.on('error', () => undefined);
      client.destroy();
      if (key !== undefined) resolve(key);
      else reject(error ?? new Error('the server closed the connection before showing a host key'));
    };
    client.on('error', finish);
    client.on('close', () => finish());
    client.on('ready', () => finish());
    try {
      client.connect({
        host,
        port,
        // Never used: the handshake is abandoned before authentication.
        username: 'nodepool',
        readyTimeout: timeoutMs,
        ...(algorithms ? { algorithms: { serverHostKey: [...algorithms] } } : {}),
        hostVerifier: (blob: Buffer): boolean => {
          key = `${blobKeyType(blob)} ${blob.toString('base64')}`;
          // Refusing the key ends the handshake at once: we have what we came for.
          setImmediate(() => finish());
          return false;
        },
      });
    } catch (error) {
      finish(error);
    }
  });
}

function openTcp(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** The key type named at the start of an SSH public key blob (a length-prefixed string). */
function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

function keyType(key: string): string {
  return key.slice(0, key.indexOf(' '));
}

const PROBE_ORDER = KEY_PROBES.map((probe) => probe.keyType);

/** Keys in a stable order (the probe order), so an unchanged host always yields the same list. */
function orderByProbe(keys: string[]): string[] {
  const rank = (key: string): number => {
    const index = PROBE_ORDER.indexOf(keyType(key));
    return index === -1 ? PROBE_ORDER.length : index;
  };
  return keys.sort((a, b) => rank(a) - rank(b));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', abort, { once: true });
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(signal!.reason);
    }
  });
}
