/**
 * What a node's `connection_port` holds for the three drivers: the API endpoint and credentials
 * Zuul writes into the job's kubeconfig. Keys and their order are 9.0.0's.
 */

/** kubernetes: a namespace (and pod) with its own service account's token. */
export interface NamespaceConnection {
  [key: string]: unknown;
  name: string;
  namespace: string;
  host: string;
  skiptls: boolean;
  token: string;
  user: string;
  /** The cluster CA (base64 PEM), only when TLS is verified. */
  ca_crt?: string;
  pod?: string;
}

/** openshift: a project (and pod), as kubernetes' but without `name`. */
export interface ProjectConnection {
  [key: string]: unknown;
  namespace: string;
  host: string;
  skiptls: boolean;
  token: string;
  user: string;
  ca_crt?: string;
  pod?: string;
}

/** openshiftpods: a pod in the pool's project, with the provider's own credentials. */
export interface PodConnection {
  [key: string]: unknown;
  pod: string;
  namespace: string;
  host: string;
  ca_crt: string | null;
  skiptls: boolean;
  token: string | null;
  user: string;
}

/** The service account each namespace or project gets, and the user Zuul is told to be. */
export const WORKER_ACCOUNT = 'zuul-worker';
