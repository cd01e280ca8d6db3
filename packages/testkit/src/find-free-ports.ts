import { createServer, type Server } from 'node:net';

/**
 * Finds `count` distinct TCP ports on 127.0.0.1 that are free right now, by letting the kernel
 * pick (binding port 0).
 *
 * All sockets are held open until every port is known, so one call never returns the same port
 * twice. Another process can still take a port before the caller binds it; callers that bind
 * later (the JVM) retry with fresh ports when that happens.
 */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, resolve);
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('listening socket has no port');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** One free port on 127.0.0.1; see {@link findFreePorts}. */
export async function findFreePort(): Promise<number> {
  const [port] = await findFreePorts(1);
  if (port === undefined) throw new Error('no port found');
  return port;
}
