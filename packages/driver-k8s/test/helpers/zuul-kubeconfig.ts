import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The kubeconfig Zuul's executor writes for a node from its `connection_port`: the API server
 * (its CA when there is one, else no TLS check), the token, and the namespace as the context's.
 */
export async function zuulKubeconfig(dir: string, connection: Record<string, unknown>): Promise<string> {
  const cluster = connection.ca_crt ? `      certificate-authority-data: ${String(connection.ca_crt)}` : '      insecure-skip-tls-verify: true';
  const file = join(dir, `zuul-${String(connection.namespace)}-${String(connection.pod ?? 'ns')}.kubeconfig`);
  await writeFile(
    file,
    `apiVersion: v1
kind: Config
clusters:
  - name: node
    cluster:
      server: ${String(connection.host)}
${cluster}
users:
  - name: node
    user:
      token: ${String(connection.token)}
contexts:
  - name: node
    context:
      cluster: node
      user: node
      namespace: ${String(connection.namespace)}
current-context: node
`,
  );
  return file;
}
