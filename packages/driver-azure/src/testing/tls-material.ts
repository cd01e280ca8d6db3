import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A CA and a server certificate it signed, for 127.0.0.1, ::1 and localhost (PEM). */
export interface FakeAzureTls {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

/**
 * Makes a CA and a server certificate with `openssl` (EC P-256: milliseconds). The Azure SDK
 * sends bearer tokens over HTTPS only, so the fake serves HTTPS; a client trusts its CA through
 * `NODE_EXTRA_CA_CERTS`, which Node.js reads when it starts.
 */
export async function makeFakeAzureTls(): Promise<FakeAzureTls> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-fake-azure-tls-'));
  const file = (name: string): string => join(dir, name);
  try {
    const ecKey = (out: string) => run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(out)]);
    await ecKey('ca.key');
    await run('openssl', [
      'req', '-x509', '-new', '-key', file('ca.key'), '-sha256', '-days', '3650', '-subj', '/CN=nodepool-fake-azure-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file('ca.crt'),
    ]);
    await ecKey('server.key');
    await run('openssl', ['req', '-new', '-key', file('server.key'), '-subj', '/CN=localhost', '-out', file('server.csr')]);
    await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
    await run('openssl', ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '3650', '-sha256', '-extfile', file('server.ext'), '-out', file('server.crt')]);
    const [caCert, serverCert, serverKey] = await Promise.all(['ca.crt', 'server.crt', 'server.key'].map((name) => readFile(file(name), 'utf8')));
    return { caCert: caCert!, serverCert: serverCert!, serverKey: serverKey! };
  } catch (error) {
    throw new Error(`could not make TLS certificates for the fake Azure with openssl: ${(error as Error).message}`, { cause: error });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
