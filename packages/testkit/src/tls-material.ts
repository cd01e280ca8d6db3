import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './on-process-exit.js';
import { runCommand } from './run-command.js';

/** A certificate and its private key, as PEM files and as PEM strings. */
export interface PemCredentials {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** What a client needs to talk to a TLS {@link LocalZooKeeper}. */
export interface LocalZooKeeperTls extends PemCredentials {
  /** The CA that signed the server's and this client's certificates (PEM file). */
  caFile: string;
  /** The same CA as a PEM string. */
  ca: string;
  /** A client certificate signed by a different CA, which the server must refuse. */
  untrustedClient: PemCredentials;
}

/** Everything generated for TLS servers: the client side plus the server's Java key stores. */
export interface TlsMaterial {
  client: LocalZooKeeperTls;
  server: {
    /** PKCS12 key store with the server's key and certificate chain. */
    keyStoreFile: string;
    /** PKCS12 trust store holding the CA that client certificates must be signed by. */
    trustStoreFile: string;
    /** Password of both stores. */
    password: string;
  };
}

let cached: Promise<TlsMaterial> | undefined;

/**
 * The TLS material for this process's TLS servers, generated with `keytool` on first use.
 *
 * keytool starts a JVM per call, so generating takes a few seconds; it is done once per process
 * and shared by every TLS server. The files live in a temp dir that is removed when the process
 * exits.
 */
export function getTlsMaterial(): Promise<TlsMaterial> {
  cached ??= generate().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function generate(): Promise<TlsMaterial> {
  const dir = mkdtempSync(join(tmpdir(), 'nodepool-zk-tls-'));
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  try {
    return await createTlsMaterial(dir);
  } catch (error) {
    throw new Error(`Could not generate TLS material for ZooKeeper in ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Generates, in `dir`: a CA; a server key pair signed by it (SAN 127.0.0.1 and localhost) in a
 * PKCS12 key store; a trust store with the CA; a client key pair signed by the CA; and a client
 * key pair signed by a second, untrusted CA. Client keys are exported to PEM with openssl.
 */
export async function createTlsMaterial(dir: string): Promise<TlsMaterial> {
  const password = randomBytes(12).toString('hex');
  const file = (name: string): string => join(dir, name);
  const store = (name: string): string[] => ['-keystore', file(name), '-storetype', 'PKCS12', '-storepass', password];
  // EC keys: RSA key generation is several times slower in a JVM started for one call.
  const genKeyPair = (alias: string, cn: string, ...ext: string[]): Promise<unknown> =>
    keytool(['-genkeypair', '-alias', alias, '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', `CN=${cn}`,
      '-validity', '3650', ...ext, ...store(`${alias}.p12`), '-keypass', password]);
  const certReq = (alias: string): Promise<unknown> =>
    keytool(['-certreq', '-alias', alias, ...store(`${alias}.p12`), '-file', file(`${alias}.csr`)]);
  const signBy = (ca: string, alias: string): Promise<unknown> =>
    keytool(['-gencert', '-alias', ca, ...store(`${ca}.p12`), '-infile', file(`${alias}.csr`), '-outfile', file(`${alias}.pem`),
      '-rfc', '-validity', '3650', '-ext', 'san=ip:127.0.0.1,dns:localhost']);
  const exportKey = async (alias: string): Promise<void> => {
    const { stdout } = await runCommand('openssl', ['pkcs12', '-in', file(`${alias}.p12`), '-nodes', '-nocerts', '-passin', `pass:${password}`]);
    // openssl prefixes "Bag Attributes" lines; keep only the PEM block.
    const pem = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/.exec(stdout)?.[0];
    if (!pem) throw new Error(`openssl printed no private key for ${alias}`);
    await writeFile(file(`${alias}-key.pem`), `${pem}\n`, { mode: 0o600 });
  };

  // Steps run in waves of independent keytool calls: each call is mostly JVM start-up.
  await Promise.all([
    genKeyPair('ca', 'nodepool-test-ca', '-ext', 'bc:c'),
    genKeyPair('untrusted-ca', 'nodepool-untrusted-test-ca', '-ext', 'bc:c'),
    genKeyPair('server', 'localhost'),
    genKeyPair('client', 'nodepool-test-client'),
    genKeyPair('untrusted-client', 'nodepool-untrusted-test-client'),
  ]);
  await Promise.all([
    keytool(['-exportcert', '-rfc', '-alias', 'ca', ...store('ca.p12'), '-file', file('ca.pem')]),
    certReq('server'),
    certReq('client'),
    certReq('untrusted-client'),
    exportKey('client'),
    exportKey('untrusted-client'),
  ]);
  await Promise.all([
    signBy('ca', 'server'),
    signBy('ca', 'client'),
    signBy('untrusted-ca', 'untrusted-client'),
    keytool(['-importcert', '-noprompt', '-alias', 'ca', '-file', file('ca.pem'), ...store('truststore.p12')]),
  ]);
  // Install the signed certificate with its chain, so the server presents the chain and the key
  // store needs no separate CA entry for keytool to accept the reply.
  const [ca, serverCert] = await Promise.all([readFile(file('ca.pem'), 'utf8'), readFile(file('server.pem'), 'utf8')]);
  await writeFile(file('server-chain.pem'), `${serverCert.trim()}\n${ca.trim()}\n`);
  await keytool(['-importcert', '-noprompt', '-alias', 'server', '-file', file('server-chain.pem'), ...store('server.p12')]);

  const pem = async (alias: string): Promise<PemCredentials> => ({
    certFile: file(`${alias}.pem`),
    keyFile: file(`${alias}-key.pem`),
    cert: await readFile(file(`${alias}.pem`), 'utf8'),
    key: await readFile(file(`${alias}-key.pem`), 'utf8'),
  });
  return {
    client: { caFile: file('ca.pem'), ca, ...(await pem('client')), untrustedClient: await pem('untrusted-client') },
    server: { keyStoreFile: file('server.p12'), trustStoreFile: file('truststore.p12'), password },
  };
}

function keytool(args: readonly string[]): Promise<unknown> {
  // Short-lived JVM: skip the optimising compiler and the parallel GC, which only cost start-up.
  return runCommand('keytool', ['-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC', ...args]);
}
