import net from 'node:net';
import tls from 'node:tls';
import { EventEmitter } from 'node:events';
import type { ServerAddress } from './connect-string.js';
import { formatServer } from './connect-string.js';

/** Replies larger than this are taken as a corrupt stream rather than allocated. */
const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export interface ConnectionEvents {
  frame: [Buffer];
  close: [Error | undefined];
}

/**
 * One TCP or TLS connection to one server: length-prefixed frames in and out, nothing more.
 * Writes issued in the same tick leave in one batch, which is what makes pipelining cheap.
 */
export class Connection extends EventEmitter<ConnectionEvents> {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private corked = false;
  private closed = false;

  private constructor(
    readonly server: ServerAddress,
    private readonly socket: net.Socket,
  ) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.close(error));
    socket.on('close', () => this.close(new Error(`connection to ${formatServer(server)} closed`)));
  }

  /** Opens a connection, failing after `timeoutMs` (TLS handshake included). */
  static open(server: ServerAddress, tlsOptions: tls.ConnectionOptions | undefined, timeoutMs: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const readyEvent = tlsOptions ? 'secureConnect' : 'connect';
      const socket = tlsOptions
        ? tls.connect({
            ...tlsOptions,
            host: server.host,
            port: server.port,
            // SNI is only meaningful for names; an IP is checked against the certificate's IP SANs.
            servername: tlsOptions.servername ?? (net.isIP(server.host) ? undefined : server.host),
          })
        : net.connect({ host: server.host, port: server.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`timed out after ${timeoutMs} ms connecting to ${formatServer(server)}`));
      }, timeoutMs);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', onError);
      socket.once(readyEvent, () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new Connection(server, socket));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Queues a complete frame (length prefix included). */
  write(frame: Buffer): void {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  /** Closes the connection; listeners learn why through the `close` event, once. */
  close(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.emit('close', reason);
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4 && !this.closed) {
      const head = this.gather(4);
      const length = head.readInt32BE(0);
      if (length < 0 || length > MAX_FRAME_BYTES) {
        this.close(new Error(`bad frame length ${length} from ${formatServer(this.server)}`));
        return;
      }
      if (this.buffered < length + 4) return;
      const frame = this.take(length + 4).subarray(4);
      this.emit('frame', frame);
    }
  }

  /** Merges leading chunks, in one copy, until the first holds at least `size` bytes. */
  private gather(size: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= size) return first;
    let total = 0;
    let count = 0;
    while (total < size) total += this.chunks[count++]!.length;
    const merged = Buffer.concat(this.chunks.slice(0, count), total);
    this.chunks.splice(0, count, merged);
    return merged;
  }

  private take(size: number): Buffer {
    const first = this.gather(size);
    const frame = first.subarray(0, size);
    if (first.length === size) this.chunks.shift();
    else this.chunks[0] = first.subarray(size);
    this.buffered -= size;
    return frame;
  }
}
