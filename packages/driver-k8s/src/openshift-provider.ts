import type { KubeAccess } from './client/kube-access.js';
import { KubeClient } from './client/kube-client.js';
import { OpenshiftClient } from './client/openshift-client.js';
import type { OpenshiftProviderConfig } from './config/index.js';
import { waitForPodRunning, waitForProjectGone } from './object-waits.js';
import { podBody } from './pod-body.js';
import { PodProvider, type LaunchAttempt, type OwnedResource } from './pod-provider.js';
import { prepareProject, requestProject } from './project-setup.js';

/**
 * The `openshift` driver's runtime: a node is a project `<pool>-<node id>`, made by a
 * ProjectRequest, with a `zuul-worker` service account as its admin (label type `project`), or
 * that plus one pod (type `pod`).
 */
export class OpenshiftProvider extends PodProvider<OpenshiftProviderConfig> {
  private kube: KubeClient | undefined;
  private openshift: OpenshiftClient | undefined;

  protected get contextName(): string | null {
    return this.config.context;
  }

  protected async connect(access: KubeAccess): Promise<void> {
    this.kube = await KubeClient.connect(access.kubeConfig, this.calls);
    this.openshift = new OpenshiftClient(access.kubeConfig, this.calls);
  }

  private get clients(): { kube: KubeClient; openshift: OpenshiftClient } {
    if (!this.kube || !this.openshift) throw new Error(`provider ${this.name} is not connected`);
    return { kube: this.kube, openshift: this.openshift };
  }

  protected async launchAttempt({ node, pool, label, context, signal }: LaunchAttempt, access: KubeAccess): Promise<void> {
    const { kube, openshift } = this.clients;
    const project = `${pool.name}-${node.id}`;
    const owner = { nodeId: node.id, provider: this.name, pool: pool.name, label: label.name };
    await requestProject(openshift, project, label, owner);
    node.externalId = project;
    await context.store();

    const connection = await prepareProject({ kube, openshift, access, tokenTimeoutMs: this.options.tokenTimeoutMs, pollMs: this.options.pollMs, signal }, project);
    if (label.type === 'pod') {
      const created = await kube.createPod(project, podBody(label, label.name, label.name, owner, label.imagePullSecrets ?? []));
      // As 9.0.0: the pod's node is not recorded (host_id stays empty) for this driver.
      await waitForPodRunning(kube, project, label.name, created, this.limits(this.options.podStartTimeoutMs, signal));
      connection.pod = label.name;
      node.connectionType = 'kubectl';
      node.interfaceIp = label.name;
    } else {
      node.connectionType = 'project';
    }
    node.pythonPath = label.pythonPath;
    node.shellType = label.shellType;
    node.connectionPort = connection;
    node.cloud = this.config.context;
    context.log.info('resource is ready', { node: node.id, project });
  }

  protected override isQuotaFailure(error: unknown): boolean {
    return String((error as Error | undefined)?.message ?? error).toLowerCase().includes('exceeded quota');
  }

  protected async deleteResource(externalId: string): Promise<void> {
    await PodProvider.gone(this.clients.openshift.deleteProject(externalId));
  }

  protected async waitGone(externalId: string, signal: AbortSignal): Promise<void> {
    await waitForProjectGone(this.clients.openshift, externalId, this.limits(this.options.deleteTimeoutMs, signal));
  }

  /**
   * Projects named `<pool>-<number>` for a pool of this provider (9.0.0's `listNodes`; project
   * requests do not pass their labels on), unless a label names another provider.
   */
  protected async listOwned(): Promise<OwnedResource[]> {
    const pools = [...this.config.pools.keys()];
    const owned: OwnedResource[] = [];
    for (const project of await this.clients.openshift.listProjects()) {
      const name = project.metadata.name;
      const nodeId = name.split('-').pop() ?? '';
      if (!pools.some((pool) => name.startsWith(`${pool}-`)) || !/^\d+$/.test(nodeId)) continue;
      const provider = project.metadata.labels?.nodepool_provider_name;
      if (provider !== undefined && provider !== this.name) continue;
      if (project.status?.phase === 'Terminating' || project.metadata.deletionTimestamp) continue;
      owned.push({ externalId: name, nodeId });
    }
    return owned;
  }
}
