import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** How to reach a server for {@link fourLetterWord}. */
export interface FourLetterWordOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** PEM strings; when given, the command is sent over TLS with this client certificate. */
  tls?: { ca: string; cert: string; key: string };
  /** Fail when the server has not closed the connection by then. Default 2000 ms. */
  timeoutMs?: number;
}

/**
 * Sends one ZooKeeper "four letter word" (`ruok`, `srvr`, `mntr`, `dump`, ...) and resolves with
 * everything the server wrote before closing the connection.
 *
 * The server must allow the command (`4lw.commands.whitelist`); servers started by this package
 * allow all of them. A command the server refuses resolves with its explanation, not an error.
 *
 * @throws the socket error (e.g. `ECONNREFUSED`, a TLS handshake failure) or a timeout error.
 */
export function fourLetterWord(port: number, word: string, options: FourLetterWordOptions = {}): Promise<string> {
  const { host = '127.0.0.1', tls, timeoutMs = 2000 } = options;
  return new Promise((resolve, reject) => {
    const socket: Socket = tls
      ? connectTls({ host, port, ca: tls.ca, cert: tls.cert, key: tls.key }, () => socket.write(word))
      : connectTcp({ host, port }, () => socket.write(word));
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer to "${word}" from ${host}:${port} within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
