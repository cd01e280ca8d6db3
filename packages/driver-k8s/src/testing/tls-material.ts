import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A cluster CA and an API server certificate it signed (PEM). */
export interface FakeK8sTls {
  /** The cluster CA: what kubeconfigs carry as `certificate-authority-data`, and token secrets as `ca.crt`. */
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

let cached: Promise<FakeK8sTls> | undefined;

/**
 * A CA and a server certificate for 127.0.0.1, ::1 and localhost, made with `openssl` once per
 * process (EC P-256, so it takes milliseconds) and shared by every fake of the process.
 */
export function fakeK8sTls(): Promise<FakeK8sTls> {
  cached ??= generate().catch((error: unknown) => {
    cached = undefined;
    throw new Error(`could not make TLS certificates for the fake Kubernetes with openssl: ${(error as Error).message}`, { cause: error });
  });
  return cached;
}

async function generate(): Promise<FakeK8sTls> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-fake-k8s-tls-'));
  const file = (name: string): string => join(dir, name);
  try {
    const ecKey = (out: string) => run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(out)]);
    await ecKey('ca.key');
    await run('openssl', [
      'req', '-x509', '-new', '-key', file('ca.key'), '-sha256', '-days', '3650', '-subj', '/CN=nodepool-fake-kubernetes-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file('ca.crt'),
    ]);
    await ecKey('server.key');
    await run('openssl', ['req', '-new', '-key', file('server.key'), '-subj', '/CN=kube-apiserver', '-out', file('server.csr')]);
    await writeFile(
      file('server.ext'),
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
    );
    await run('openssl', [
      'x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '3650', '-sha256',
      '-extfile', file('server.ext'), '-out', file('server.crt'),
    ]);
    const [caCert, serverCert, serverKey] = await Promise.all(['ca.crt', 'server.crt', 'server.key'].map((name) => readFile(file(name), 'utf8')));
    return { caCert: caCert!, serverCert: serverCert!, serverKey: serverKey! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
