import test from 'ava';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect, createServer } from 'node:net';
import { runCommand } from '../src/run-command.js';
import { SshServerStartError, startSshServer, useSshServer, type LocalSshServer } from '../src/ssh-server.js';

const shared = useSshServer(test);

/** A server of its own for one test, destroyed when the test ends. */
async function ownServer(t: { teardown(fn: () => Promise<void>): void }): Promise<LocalSshServer> {
  const server = await startSshServer();
  t.teardown(() => server.destroy());
  return server;
}

/** What `ssh-keyscan` (OpenSSH's own scanner) sees on the server, as "type base64". */
async function keyscan(server: LocalSshServer): Promise<string[]> {
  const { stdout } = await runCommand('ssh-keyscan', ['-p', String(server.port), '-t', 'ed25519,ecdsa,rsa', server.host]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.split(' ').slice(1).join(' '))
    .sort();
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('serves on 127.0.0.1 with the ed25519, ecdsa and rsa host keys it reports', async (t) => {
  const server = shared();
  t.is(server.host, '127.0.0.1');
  t.true(server.running);
  t.deepEqual(
    server.hostKeys.map((key) => key.split(' ')[0]),
    ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa'],
  );
  t.deepEqual(await keyscan(server), [...server.hostKeys].sort());
});

test('stop closes the port; start serves again on the same port with the same keys', async (t) => {
  const server = await ownServer(t);
  const { port } = server;
  await server.stop();
  t.false(server.running);
  t.false(await accepts(port));
  await server.start();
  t.true(server.running);
  t.is(server.port, port);
  t.deepEqual(await keyscan(server), [...server.hostKeys].sort());
});

test('destroy stops it and removes its files', async (t) => {
  const server = await startSshServer();
  const dir = dirname(server.logFile);
  t.true(existsSync(dir));
  await server.destroy();
  t.false(server.running);
  t.false(existsSync(dir));
  t.false(await accepts(server.port));
});

test('a port that is taken fails the start with the log', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const address = blocker.address();
  if (address === null || typeof address === 'string') return t.fail('no port');
  const error = await t.throwsAsync(startSshServer({ port: address.port }), { instanceOf: SshServerStartError });
  t.true(error?.portInUse);
});
