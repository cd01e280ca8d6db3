import test from 'ava';
import { createServer } from 'node:net';
import { findFreePort, findFreePorts } from '../src/find-free-ports.js';

test('returns distinct ports that can be bound on 127.0.0.1', async (t) => {
  const ports = await findFreePorts(5);
  t.is(new Set(ports).size, 5);
  for (const port of ports) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  }
  t.true((await findFreePort()) > 0);
});
