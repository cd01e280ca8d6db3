/** What a kubeconfig for the fake says. */
export interface FakeKubeconfigOptions {
  /** Context (and cluster and user) name; default `fake`. */
  readonly context?: string;
  /** The context's default namespace. */
  readonly namespace?: string;
  /** A token other than the administrator's (a service account's, say). */
  readonly token?: string;
}

/**
 * A kubeconfig (YAML) for a fake at `url`: one cluster (with the CA when it serves HTTPS), one
 * user with a bearer token, one context, current.
 */
export function fakeKubeconfig(url: string, adminToken: string, caCert: string | undefined, options: FakeKubeconfigOptions = {}): string {
  const name = options.context ?? 'fake';
  const ca = url.startsWith('https:') && caCert ? `    certificate-authority-data: ${Buffer.from(caCert).toString('base64')}\n` : '';
  return `apiVersion: v1
kind: Config
clusters:
  - name: ${name}
    cluster:
      server: ${url}
${ca.replace(/^ {4}/, '      ')}contexts:
  - name: ${name}
    context:
      cluster: ${name}
      user: ${name}-admin
${options.namespace ? `      namespace: ${options.namespace}\n` : ''}current-context: ${name}
users:
  - name: ${name}-admin
    user:
      token: ${options.token ?? adminToken}
`;
}
