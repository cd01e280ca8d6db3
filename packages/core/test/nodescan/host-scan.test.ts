import test from 'ava';
import { findFreePort, TcpProxy, useSshServer } from '@nodepool/testkit';
import { HostUnreachableError, scanHostKeys, waitForPort } from '@nodepool/core';

const sshd = useSshServer(test);

test('collects every host key the server offers, as ssh-keyscan shows them', async (t) => {
  const { host, port, hostKeys } = sshd();
  // Generous: on a loaded machine three handshakes, an RSA one among them, can take seconds.
  const keys = await scanHostKeys(host, port, { timeoutMs: 30_000 });
  t.deepEqual(keys, [...hostKeys]);
  t.deepEqual(
    keys.map((key) => key.split(' ')[0]),
    ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa'],
  );
});

test('a port nobody listens on is retried until the timeout, then reported unreachable', async (t) => {
  const port = await findFreePort();
  const started = Date.now();
  const error = await t.throwsAsync(scanHostKeys('127.0.0.1', port, { timeoutMs: 1_200 }), { instanceOf: HostUnreachableError });
  t.true(Date.now() - started >= 1_100);
  t.is(error?.port, port);
});

test('waits for a TCP port to accept connections', async (t) => {
  const { host, port } = sshd();
  await t.notThrowsAsync(waitForPort(host, port, { timeoutMs: 10_000 }));
  await t.throwsAsync(waitForPort(host, await findFreePort(), { timeoutMs: 300 }), { instanceOf: HostUnreachableError });
});

test('a scan stops when its signal is aborted', async (t) => {
  const port = await findFreePort();
  const abort = new AbortController();
  const scan = scanHostKeys('127.0.0.1', port, { timeoutMs: 30_000, signal: abort.signal });
  abort.abort(new Error('stopping'));
  await t.throwsAsync(scan, { message: 'stopping' });
});

test('a key type whose handshake is cut (a busy sshd dropping connections) is asked for again, not left out', async (t) => {
  const { host, port, hostKeys } = sshd();
  const proxy = await TcpProxy.start({ host, port });
  t.teardown(() => proxy.close());
  // The RSA probe's key exchange offers RSA host key algorithms only: cut the first such one.
  proxy.cutBefore((chunk) => chunk.includes('rsa-sha2-512') && !chunk.includes('ssh-ed25519'));
  const keys = await scanHostKeys('127.0.0.1', proxy.port, { timeoutMs: 30_000 });
  t.deepEqual(keys, [...hostKeys]);
});
