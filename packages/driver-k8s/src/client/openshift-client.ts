import type { KubeConfig } from '@kubernetes/client-node';
import type { OpenshiftEndpoint, OpenshiftRestClient } from 'openshift-rest-client';
import { KubeApiError } from '../errors.js';
import type { ApiCalls } from './api-calls.js';
import { bearerToken } from './kube-access.js';

/** A project as the project API returns it (the parts the drivers read). */
export interface OpenshiftProject {
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string>; readonly deletionTimestamp?: string };
  readonly status?: { readonly phase?: string };
}

/**
 * The OpenShift API calls of the openshift drivers (project requests, projects, the legacy
 * authorization.openshift.io role bindings), through openshift-rest-client with its bundled API
 * spec (nothing is read from the cluster to build it), each one rate limited and bounded in time.
 */
export class OpenshiftClient {
  private client: Promise<OpenshiftRestClient> | undefined;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly calls: ApiCalls,
  ) {}

  /** A ProjectRequest: OpenShift makes the project (a namespace) and its requester its admin. */
  requestProject(body: Record<string, unknown>): Promise<OpenshiftProject> {
    return this.calls.mutating('create project request', () => this.call((client) => resource(project(client), 'projectrequests').post({ body })));
  }

  listProjects(): Promise<OpenshiftProject[]> {
    return this.calls.readOnly('list projects', async () => ((await this.call((client) => resource(project(client), 'projects').get())) as { items?: OpenshiftProject[] }).items ?? []);
  }

  readProject(name: string): Promise<OpenshiftProject> {
    return this.calls.readOnly('read project', () => this.call((client) => resource(project(client), 'projects')(name).get()));
  }

  deleteProject(name: string): Promise<unknown> {
    return this.calls.mutating('delete project', () => this.call((client) => resource(project(client), 'projects')(name).delete()));
  }

  createRoleBinding(namespace: string, body: Record<string, unknown>): Promise<unknown> {
    return this.calls.mutating('create role binding', () => this.call((client) => resource(group(client, 'authorization.openshift.io').namespaces(namespace), 'rolebindings').post({ body })));
  }

  /**
   * One call with the current client. A 401 (an expired exec-plugin token, say) builds the
   * client again, with fresh credentials, and tries once more.
   */
  private async call<T>(request: (client: OpenshiftRestClient) => Promise<{ body: unknown }>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await request(await this.connected())).body as T;
      } catch (error) {
        if (attempt === 0 && (error as { statusCode?: number }).statusCode === 401) {
          this.client = undefined;
          continue;
        }
        throw error;
      }
    }
  }

  private connected(): Promise<OpenshiftRestClient> {
    this.client ??= this.build().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  /** openshift-rest-client's own kubeconfig reader knows tokens and certificates, not exec plugins: give it the token. */
  private async build(): Promise<OpenshiftRestClient> {
    const cluster = this.kubeConfig.getCurrentCluster();
    const user = this.kubeConfig.getCurrentUser();
    if (!cluster) throw new KubeApiError(0, undefined, 'no cluster in the kubeconfig');
    const token = await bearerToken(this.kubeConfig);
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'cluster', cluster: { server: cluster.server, 'insecure-skip-tls-verify': cluster.skipTLSVerify, ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}), ...(cluster.caFile ? { 'certificate-authority': cluster.caFile } : {}) } }],
      users: [
        {
          name: 'user',
          user: {
            ...(token ? { token } : {}),
            ...(user?.certData ? { 'client-certificate-data': user.certData } : {}),
            ...(user?.certFile ? { 'client-certificate': user.certFile } : {}),
            ...(user?.keyData ? { 'client-key-data': user.keyData } : {}),
            ...(user?.keyFile ? { 'client-key': user.keyFile } : {}),
          },
        },
      ],
      contexts: [{ name: 'context', context: { cluster: 'cluster', user: 'user' } }],
      'current-context': 'context',
    };
    // Loaded on first use: it unpacks its bundled API spec when loaded.
    const { default: openshiftRestClient } = await import('openshift-rest-client');
    return openshiftRestClient.OpenshiftClient({ config, loadSpecFromCluster: false });
  }
}

function group(client: OpenshiftRestClient, name: string) {
  const found = client.apis[name];
  if (!found) throw new Error(`openshift-rest-client's API spec lacks the ${name} group`);
  return found.v1;
}

function project(client: OpenshiftRestClient) {
  return group(client, 'project.openshift.io');
}

function resource(parent: Record<string, unknown>, name: string): OpenshiftEndpoint {
  const found = parent[name];
  // A collection without named members (projectrequests) is a plain object, others are callable.
  if (typeof found !== 'function' && (typeof found !== 'object' || found === null)) throw new Error(`openshift-rest-client's API spec lacks ${name}`);
  return found as OpenshiftEndpoint;
}
