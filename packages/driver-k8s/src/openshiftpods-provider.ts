import { bearerToken, type KubeAccess } from './client/kube-access.js';
import { KubeClient } from './client/kube-client.js';
import type { OpenshiftPodsProviderConfig } from './config/index.js';
import { WORKER_ACCOUNT, type PodConnection } from './connection-details.js';
import { waitForPodGone, waitForPodRunning } from './object-waits.js';
import { podBody } from './pod-body.js';
import { PodProvider, type LaunchAttempt, type OwnedResource } from './pod-provider.js';

/**
 * The `openshiftpods` driver's runtime: a node is a pod `<label>-<node id>` in an existing
 * project (the pool's name), reached with the provider's own credentials; nothing else is made.
 */
export class OpenshiftPodsProvider extends PodProvider<OpenshiftPodsProviderConfig> {
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
    const podName = `${label.name}-${node.id}`;
    const project = pool.name;
    const owner = { nodeId: node.id, provider: this.name, pool: pool.name, label: label.name };
    const created = await kube.createPod(project, podBody(label, label.name, podName, owner, label.imagePullSecrets ?? []));
    node.externalId = `${project}-${podName}`;
    node.interfaceIp = podName;
    await context.store();

    const pod = await waitForPodRunning(kube, project, podName, created, this.limits(this.options.podStartTimeoutMs, signal));
    const connection: PodConnection = {
      pod: podName,
      namespace: project,
      host: access.host,
      ca_crt: access.caCrt,
      skiptls: access.skipTls,
      token: await bearerToken(access.kubeConfig),
      user: WORKER_ACCOUNT,
    };
    node.pythonPath = label.pythonPath;
    node.shellType = label.shellType;
    node.connectionPort = connection;
    node.connectionType = 'kubectl';
    node.cloud = this.config.context;
    node.hostId = pod.spec?.nodeName ?? null;
    context.log.info('pod is ready', { node: node.id, pod: node.externalId });
  }

  protected override isQuotaFailure(error: unknown): boolean {
    return String((error as Error | undefined)?.message ?? error).toLowerCase().includes('exceeded quota');
  }

  protected async deleteResource(externalId: string): Promise<void> {
    const target = this.projectAndPod(externalId);
    if (!target) return;
    await PodProvider.gone(this.client.deletePod(...target));
  }

  protected async waitGone(externalId: string, signal: AbortSignal): Promise<void> {
    const target = this.projectAndPod(externalId);
    if (!target) return;
    await waitForPodGone(this.client, ...target, this.limits(this.options.deleteTimeoutMs, signal));
  }

  /**
   * Pods of the pools' projects named `<label>-<number>` for a label of this provider (9.0.0's
   * `listNodes`), unless their labels name another provider.
   */
  protected async listOwned(): Promise<OwnedResource[]> {
    const labels = new Set<string>();
    for (const pool of this.config.pools.values()) for (const label of pool.labels.keys()) labels.add(label);
    const owned: OwnedResource[] = [];
    for (const project of this.config.pools.keys()) {
      for (const pod of await this.client.listPods(project)) {
        const name = pod.metadata?.name ?? '';
        const nodeId = name.split('-').pop() ?? '';
        if (![...labels].some((label) => name.startsWith(`${label}-`)) || !/^\d+$/.test(nodeId)) continue;
        const provider = pod.metadata?.labels?.nodepool_provider_name;
        if (provider !== undefined && provider !== this.name) continue;
        if (pod.metadata?.deletionTimestamp) continue;
        owned.push({ externalId: `${project}-${name}`, nodeId });
      }
    }
    return owned;
  }

  /**
   * 9.0.0's `getProjectPodName`: the external ID is `<project>-<pod>`, the project a pool's name.
   * One of no pool configured now (the pool was removed) is logged and counts as deleted, as in
   * 9.0.0: there is no telling which project it is in.
   */
  private projectAndPod(externalId: string): [string, string] | undefined {
    for (const project of this.config.pools.keys()) {
      if (externalId.startsWith(`${project}-`)) return [project, externalId.slice(project.length + 1)];
    }
    this.log.warn('the pod is in no pool of this provider; forgetting it', { provider: this.name, externalId });
    return undefined;
  }
}
