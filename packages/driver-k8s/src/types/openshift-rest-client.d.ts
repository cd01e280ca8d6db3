// openshift-rest-client ships no types; these are the parts the openshift driver uses.
declare module 'openshift-rest-client' {
  /** An answer of the fluent API. */
  export interface OpenshiftResponse<T = unknown> {
    readonly statusCode: number;
    readonly body: T;
  }

  /** A node of the fluent API (`apis['project.openshift.io'].v1.projects`), callable with a name. */
  export interface OpenshiftEndpoint {
    (name: string): OpenshiftEndpoint;
    get(options?: { qs?: Record<string, string> }): Promise<OpenshiftResponse>;
    post(options: { body: unknown }): Promise<OpenshiftResponse>;
    delete(options?: { body?: unknown }): Promise<OpenshiftResponse>;
    [child: string]: OpenshiftEndpoint | ((...args: never[]) => unknown);
  }

  export interface OpenshiftRestClient {
    readonly apis: Record<string, { readonly v1: Record<string, OpenshiftEndpoint> & { namespaces(name: string): Record<string, OpenshiftEndpoint> } }>;
  }

  export interface OpenshiftClientSettings {
    /** A kubeconfig object (with `clusters`), a file name, or url and auth. */
    readonly config?: unknown;
    /** Read the API spec from the cluster (default true) or use the bundled one. */
    readonly loadSpecFromCluster?: boolean;
  }

  const openshiftRestClient: {
    OpenshiftClient(settings?: OpenshiftClientSettings): Promise<OpenshiftRestClient>;
  };
  export default openshiftRestClient;
}
