import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError } from '../errors.js';

/** How a provider reaches its cluster, and what of it goes into node records. */
export interface KubeAccess {
  /** The loaded configuration, current context set: what the client libraries use. */
  readonly kubeConfig: KubeConfig;
  /** The API server URL without a trailing slash (`connection_port.host`). */
  readonly host: string;
  /** `insecure-skip-tls-verify` of the cluster (`connection_port.skiptls`). */
  readonly skipTls: boolean;
  /**
   * The cluster CA as base64 of its PEM, for an `https` server that names one; null otherwise
   * (openshiftpods' `connection_port.ca_crt`).
   */
  readonly caCrt: string | null;
  /** Where it came from, for logs: the files read, or `in-cluster`. */
  readonly source: string;
}

/**
 * Loads the cluster configuration as 9.0.0 does: the kubeconfig files of `KUBECONFIG` (joined
 * by `:`, merged) or `~/.kube/config`, with `context` (null: the file's current context); when no
 * such file exists, the in-cluster service account (`KUBERNETES_SERVICE_HOST` and
 * `/var/run/secrets/kubernetes.io/serviceaccount`). Throws KubeConfigError when neither works or
 * the context is not in the file.
 */
export async function loadKubeAccess(context: string | null, env: NodeJS.ProcessEnv = process.env): Promise<KubeAccess> {
  // Loaded here, when a provider starts: validating a configuration needs none of it.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  const files = (env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
  const candidates = files.length > 0 ? files : [join(env.HOME ?? homedir(), '.kube', 'config')];
  const present = candidates.filter((file) => existsSync(file));
  let source: string;
  if (present.length === 0 || present.every((file) => readFileSync(file, 'utf8').trim() === '')) {
    if (!env.KUBERNETES_SERVICE_HOST) {
      throw new KubeConfigError(`no kubeconfig (looked for ${candidates.join(', ')}) and not running in a cluster (KUBERNETES_SERVICE_HOST is not set)`);
    }
    loadInCluster(kubeConfig, env);
    source = 'in-cluster';
  } else {
    try {
      kubeConfig.loadFromFile(present[0]!);
      for (const file of present.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kubeConfig.mergeConfig(more, true);
      }
    } catch (error) {
      throw new KubeConfigError(`could not load the kubeconfig ${present.join(', ')}: ${(error as Error).message}`, { cause: error });
    }
    source = present.join(delimiter);
    if (context !== null) {
      if (!kubeConfig.getContextObject(context)) throw new KubeConfigError(`context "${context}" is not in the kubeconfig ${source}`);
      kubeConfig.setCurrentContext(context);
    }
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new KubeConfigError(`the kubeconfig ${source} has no cluster for context "${kubeConfig.getCurrentContext()}"`);
  const host = cluster.server.replace(/\/+$/, '');
  return { kubeConfig, host, skipTls: cluster.skipTLSVerify === true, caCrt: host.startsWith('https') ? caOf(cluster.caData, cluster.caFile) : null, source };
}

/** Where a pod's service account is mounted. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The client library's in-cluster configuration, from `env` rather than the process's. */
function loadInCluster(kubeConfig: KubeConfig, env: NodeJS.ProcessEnv): void {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'inCluster', server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`, caFile: `${SERVICE_ACCOUNT_DIR}/ca.crt`, skipTLSVerify: false }],
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: `${SERVICE_ACCOUNT_DIR}/token` } } }],
    contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser' }],
    currentContext: 'inClusterContext',
  });
}

function caOf(caData: string | undefined, caFile: string | undefined): string | null {
  // Re-encoded from the PEM, as 9.0.0 reads it back from the file its client wrote.
  if (caData) return Buffer.from(caData, 'base64').toString('base64');
  if (caFile && existsSync(caFile)) return readFileSync(caFile).toString('base64');
  return null;
}

/** The bearer token requests go out with (a token, a token file, an exec plugin's): `connection_port.token`. */
export async function bearerToken(kubeConfig: KubeConfig): Promise<string | null> {
  const options = await kubeConfig.applyToFetchOptions({});
  // node-fetch's Headers (not the global class), or a plain object.
  const headers = options.headers as { get?: (name: string) => string | null } & Record<string, unknown>;
  const header = typeof headers?.get === 'function' ? headers.get('authorization') : ((headers?.Authorization ?? headers?.authorization) as string | undefined);
  return header ? (header.split(/\s+/).pop() ?? null) : null;
}
