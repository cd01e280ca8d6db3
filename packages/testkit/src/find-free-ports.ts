import { readFile } from 'node:fs/promises';
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

/**
 * A free port on 127.0.0.1 below the kernel's ephemeral range, for a server that stops and
 * starts again on the same port. Nobody is handed such a port by chance while the server is
 * down: not another server binding port 0, and not an outgoing connection, whose local port
 * could otherwise equal it and connect to itself (TCP simultaneous open), so that a stopped
 * server seems to answer.
 */
export async function findPortOutsideEphemeralRange(): Promise<number> {
  const [low] = await ephemeralPortRange();
  const floor = 10_000;
  if (low - floor < 1_000) return findFreePort(); // an unusual range: nothing better to offer
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    if (await isFree(port)) return port;
  }
  return findFreePort();
}

async function ephemeralPortRange(): Promise<[number, number]> {
  try {
    const [low, high] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // not Linux: assume its default
  }
  return [32_768, 60_999];
}

function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
