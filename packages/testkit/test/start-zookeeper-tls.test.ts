import test from 'ava';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect, type ConnectionOptions } from 'node:tls';
import { fourLetterWord } from '../src/four-letter-word.js';
import { getTlsMaterial } from '../src/tls-material.js';
import { useZooKeeper } from '../src/use-zookeeper.js';

const zk = useZooKeeper(test, { tls: true });

/** Connects, sends `ruok`, and reports whether the handshake completed and what came back. */
function tryRuok(options: ConnectionOptions): Promise<{ handshake: boolean; answer: string; error?: string }> {
  return new Promise((resolve) => {
    let handshake = false;
    let answer = '';
    let error: string | undefined;
    const socket = connect({ host: '127.0.0.1', port: zk().port, ...options }, () => {
      handshake = true;
      socket.write('ruok');
    });
    socket.setTimeout(20_000, () => socket.destroy(new Error('timed out')));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', (cause: Error) => (error = cause.message));
    socket.on('close', () => resolve(error === undefined ? { handshake, answer } : { handshake, answer, error }));
  });
}

test('a client with the given certificate completes the handshake, checking the server is 127.0.0.1', async (t) => {
  const tls = zk().tls;
  if (!tls) return t.fail('a TLS server has tls material');
  const result = await tryRuok({ ca: tls.ca, cert: tls.cert, key: tls.key });
  t.deepEqual(result, { handshake: true, answer: 'imok' });
});

test('a client without a certificate is refused', async (t) => {
  const result = await tryRuok({ ca: zk().tls?.ca });
  t.is(result.answer, '');
  t.truthy(result.error);
});

test('a client certificate from another CA is refused', async (t) => {
  const tls = zk().tls;
  const result = await tryRuok({ ca: tls?.ca, cert: tls?.untrustedClient.cert, key: tls?.untrustedClient.key });
  t.is(result.answer, '');
  t.truthy(result.error);
});

test('the TLS port does not speak plaintext', async (t) => {
  const answer = await fourLetterWord(zk().port, 'ruok', { timeoutMs: 500 }).catch((error: Error) => error.message);
  t.not(answer, 'imok');
});

test('mode() asks over TLS', async (t) => {
  t.is(await zk().mode(), 'standalone');
});

test('the PEM files hold the same material as the strings, and the client key matches its certificate', async (t) => {
  const tls = zk().tls;
  if (!tls) return t.fail('a TLS server has tls material');
  t.is(await readFile(tls.caFile, 'utf8'), tls.ca);
  t.is(await readFile(tls.certFile, 'utf8'), tls.cert);
  t.is(await readFile(tls.keyFile, 'utf8'), tls.key);
  const ca = new X509Certificate(tls.ca);
  for (const client of [tls, tls.untrustedClient]) {
    const cert = new X509Certificate(client.cert);
    t.true(cert.checkPrivateKey(createPrivateKey(client.key)));
    t.is(cert.verify(ca.publicKey), client === tls);
  }
});

test('the material is generated once per process', async (t) => {
  t.is(await getTlsMaterial(), await getTlsMaterial());
  t.is(zk().tls?.caFile, (await getTlsMaterial()).client.caFile);
});
