import type { CoreV1Api, KubeConfig, RbacAuthorizationV1Api, V1Namespace, V1Pod, V1Role, V1RoleBinding, V1Secret, V1ServiceAccount, Watch } from '@kubernetes/client-node';
import type { ApiCalls } from './api-calls.js';
import { translateApiError } from './api-errors.js';

/** Deletes in the background, as 9.0.0 asks: the call returns at once, the garbage collector follows. */
const BACKGROUND_DELETE = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' };

/** One event of a watch. */
export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

/**
 * The Kubernetes API calls the drivers make, through `@kubernetes/client-node` (core/v1 and
 * rbac/v1), each one rate limited, bounded in time, with errors as KubeApiError.
 */
export class KubeClient {
  private constructor(
    private readonly core: CoreV1Api,
    private readonly rbac: RbacAuthorizationV1Api,
    private readonly watcher: Watch,
    private readonly calls: ApiCalls,
  ) {}

  /** A client for the configured cluster. The client library is loaded here, not with the driver. */
  static async connect(kubeConfig: KubeConfig, calls: ApiCalls): Promise<KubeClient> {
    const { CoreV1Api, RbacAuthorizationV1Api, Watch } = await import('@kubernetes/client-node');
    return new KubeClient(kubeConfig.makeApiClient(CoreV1Api), kubeConfig.makeApiClient(RbacAuthorizationV1Api), new Watch(kubeConfig), calls);
  }

  createNamespace(body: V1Namespace): Promise<V1Namespace> {
    return this.calls.mutating('create namespace', () => this.core.createNamespace({ body }));
  }

  readNamespace(name: string): Promise<V1Namespace> {
    return this.calls.readOnly('read namespace', () => this.core.readNamespace({ name }));
  }

  listNamespaces(): Promise<V1Namespace[]> {
    return this.calls.readOnly('list namespaces', async () => (await this.core.listNamespace()).items);
  }

  deleteNamespace(name: string): Promise<unknown> {
    return this.calls.mutating('delete namespace', () => this.core.deleteNamespace({ name, body: BACKGROUND_DELETE }));
  }

  createServiceAccount(namespace: string, body: V1ServiceAccount): Promise<V1ServiceAccount> {
    return this.calls.mutating('create service account', () => this.core.createNamespacedServiceAccount({ namespace, body }));
  }

  readServiceAccount(namespace: string, name: string): Promise<V1ServiceAccount> {
    return this.calls.readOnly('read service account', () => this.core.readNamespacedServiceAccount({ namespace, name }));
  }

  createSecret(namespace: string, body: V1Secret): Promise<V1Secret> {
    return this.calls.mutating('create secret', () => this.core.createNamespacedSecret({ namespace, body }));
  }

  readSecret(namespace: string, name: string): Promise<V1Secret> {
    return this.calls.readOnly('read secret', () => this.core.readNamespacedSecret({ namespace, name }));
  }

  createRole(namespace: string, body: V1Role): Promise<V1Role> {
    return this.calls.mutating('create role', () => this.rbac.createNamespacedRole({ namespace, body }));
  }

  createRoleBinding(namespace: string, body: V1RoleBinding): Promise<V1RoleBinding> {
    return this.calls.mutating('create role binding', () => this.rbac.createNamespacedRoleBinding({ namespace, body }));
  }

  createPod(namespace: string, body: V1Pod): Promise<V1Pod> {
    return this.calls.mutating('create pod', () => this.core.createNamespacedPod({ namespace, body }));
  }

  readPod(namespace: string, name: string): Promise<V1Pod> {
    return this.calls.readOnly('read pod', () => this.core.readNamespacedPod({ namespace, name }));
  }

  listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]> {
    return this.calls.readOnly('list pods', async () => (await this.core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) })).items);
  }

  deletePod(namespace: string, name: string): Promise<unknown> {
    return this.calls.mutating('delete pod', () => this.core.deleteNamespacedPod({ namespace, name }));
  }

  /**
   * Watches one object (`path` is its collection, e.g. `/api/v1/namespaces/ns/pods`) from
   * `resourceVersion` on: `onEvent` gets each change, the promise resolves when the watch ends
   * (the server closed it, `signal` aborted it) and rejects if it could not start (403, 410, …).
   * Starting it counts as a read against the limiter.
   */
  async watchObject<T>(path: string, name: string, resourceVersion: string | undefined, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal, timeoutSeconds?: number): Promise<void> {
    signal.throwIfAborted();
    let finish!: (error?: unknown) => void;
    const ended = new Promise<void>((resolve, reject) => {
      finish = (error) => (error ? reject(translateApiError(error)) : resolve());
    });
    const controller = await this.calls.readOnly('watch', async () => {
      let failedAtStart: unknown;
      const started = await this.watcher.watch(
        path,
        { fieldSelector: `metadata.name=${name}`, ...(resourceVersion ? { resourceVersion } : {}), ...(timeoutSeconds ? { timeoutSeconds } : {}), allowWatchBookmarks: false },
        (type, object) => onEvent({ type: type as WatchEvent<T>['type'], object: object as T }),
        (error: unknown) => {
          // An error answer comes before the watch starts: the call failed (and may be retried).
          if (error && (error as { statusCode?: number }).statusCode) failedAtStart = error;
          else finish(error && (error as { name?: string }).name !== 'AbortError' ? error : undefined);
        },
      );
      if (failedAtStart) throw Object.assign(failedAtStart as Error, { code: (failedAtStart as { statusCode?: number }).statusCode });
      return started;
    });
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    // Aborted while the watch was starting: the event is gone, so end it now.
    if (signal.aborted) abort();
    try {
      await ended;
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }
}
