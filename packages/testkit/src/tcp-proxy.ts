import net from 'node:net';

/**
 * A loopback TCP proxy that a test can cut: the way to make a live server unreachable for a
 * while (a network partition) without stopping it.
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private blocked = false;
  private frozen = false;
  private dropMatch: ((chunk: Buffer) => boolean) | undefined;
  private cutMatch: ((chunk: Buffer) => boolean) | undefined;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = net.createServer((client) => proxy!.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Cuts every open connection and drops new ones until `unblock()`. */
  block(): void {
    this.blocked = true;
    this.resetConnections();
  }

  unblock(): void {
    this.blocked = false;
  }

  /**
   * Stops passing bytes in either direction without closing anything: the peers see a
   * silent network, as when a route dies. `thaw()` resumes.
   */
  freeze(): void {
    this.frozen = true;
    for (const socket of this.sockets) socket.pause();
  }

  thaw(): void {
    this.frozen = false;
    for (const socket of this.sockets) socket.resume();
  }

  /**
   * Lets the next client chunk matching `match` through, then swallows the server's reply and
   * cuts the connection: a request that reached the server but whose answer was lost.
   */
  dropReplyTo(match: (chunk: Buffer) => boolean): void {
    this.dropMatch = match;
  }

  /**
   * Cuts every connection when the next client chunk matching `match` arrives, without passing
   * it on: a request lost on its way, which the server never saw (new connections are accepted
   * as usual).
   */
  cutBefore(match: (chunk: Buffer) => boolean): void {
    this.cutMatch = match;
  }

  /** Cuts every open connection; new ones are accepted as usual. */
  resetConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.resetConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    if (this.blocked) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    let dropping = false;
    client.on('data', (chunk: Buffer) => {
      if (this.cutMatch?.(chunk)) {
        this.cutMatch = undefined;
        this.resetConnections();
        return;
      }
      if (this.dropMatch?.(chunk)) {
        this.dropMatch = undefined;
        dropping = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dropping) {
        this.resetConnections();
        return;
      }
      client.write(chunk);
    });
    if (this.frozen) {
      client.pause();
      upstream.pause();
    }
  }
}
