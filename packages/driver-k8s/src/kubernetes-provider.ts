import type { KubeAccess } from './client/kube-access.js';
import { KubeClient } from './client/kube-client.js';
import type { KubernetesProviderConfig } from './config/index.js';
import { setUpNamespace } from './namespace-setup.js';
import { waitForNamespaceGone, waitForPodRunning } from './object-waits.js';
import { podBody } from './pod-body.js';
import { PodProvider, type LaunchAttempt, type OwnedResource } from './pod-provider.js';

/**
 * The `kubernetes` driver's runtime: a node is a namespace `<pool>-<node id>` with a service
 * account of its own (label type `namespace`), or that plus one pod (type `pod`), whose
 * credentials go to Zuul in `connection_port`.
 */
export class KubernetesProvider extends PodProvider<KubernetesProviderConfig> {
  private kube: KubeClient | undefined;

  protected get contextName(): string | null {
    return this.config.context;
  }

  protected async connect(access: KubeAccess): Promise<void> {
    this.kube = await KubeClient.connect(access.kubeConfig, this.calls);
  }

  private get client(): KubeClient {
    if (!this.kube) throw new Error(`provider ${this.name} is not connected`);
    return this.kube;
  }

  protected async launchAttempt({ node, pool, label, context, signal }: LaunchAttempt, access: KubeAccess): Promise<void> {
    const kube = this.client;
    const owner = { nodeId: node.id, provider: this.name, pool: pool.name, label: label.name };
    const isPod = label.type !== 'namespace';
    const connection = await setUpNamespace({
      kube,
      access,
      owner,
      settings: label,
      restrictedAccess: isPod,
      onCreated: async (namespace) => {
        // Differs from Nodepool: stored at once (9.0.0 stores it with the ready node), so a
        // launcher that dies from here on leaves a node whose deletion removes the namespace.
        node.externalId = namespace;
        await context.store();
      },
      tokenTimeoutMs: this.options.tokenTimeoutMs,
      pollMs: this.options.pollMs,
      signal,
    });
    if (isPod) {
      const created = await kube.createPod(connection.namespace, podBody(label, label.name, label.name, owner));
      const pod = await waitForPodRunning(kube, connection.namespace, label.name, created, this.limits(this.options.podStartTimeoutMs, signal));
      connection.pod = label.name;
      node.hostId = pod.spec?.nodeName ?? null;
      node.interfaceIp = label.name;
      node.connectionType = 'kubectl';
    } else {
      node.connectionType = 'namespace';
    }
    node.pythonPath = label.pythonPath;
    node.shellType = label.shellType;
    node.connectionPort = connection;
    node.cloud = this.config.context;
    context.log.info('resource is ready', { node: node.id, namespace: connection.namespace });
  }

  protected async deleteResource(externalId: string): Promise<void> {
    await PodProvider.gone(this.client.deleteNamespace(externalId));
  }

  protected async waitGone(externalId: string, signal: AbortSignal): Promise<void> {
    await waitForNamespaceGone(this.client, externalId, this.limits(this.options.deleteTimeoutMs, signal));
  }

  /**
   * Namespaces named `<pool>-<number>` for a pool of this provider that carry this provider's
   * `nodepool_provider_name` label (as 9.0.0 picks them); those being deleted already are left.
   */
  protected async listOwned(): Promise<OwnedResource[]> {
    const pools = [...this.config.pools.keys()];
    const owned: OwnedResource[] = [];
    for (const namespace of await this.client.listNamespaces()) {
      const name = namespace.metadata?.name ?? '';
      const labels = namespace.metadata?.labels ?? {};
      if (!pools.some((pool) => name.startsWith(`${pool}-`)) || !/^\d+$/.test(name.split('-').pop() ?? '')) continue;
      if (labels.nodepool_provider_name !== this.name || !labels.nodepool_node_id) continue;
      if (namespace.status?.phase === 'Terminating') continue;
      owned.push({ externalId: name, nodeId: labels.nodepool_node_id });
    }
    return owned;
  }
}
