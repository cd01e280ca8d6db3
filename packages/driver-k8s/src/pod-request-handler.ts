import type { LaunchContext, Node, NodeRequest, NodeRequestHandler } from '@nodepool/core';
import type { PodPoolConfig } from './config/index.js';
import { labelQuota } from './label-quota.js';
import type { PodLabel, PodProvider } from './pod-provider.js';

/**
 * A pool's part in one request for the three drivers: each new node is launched by the
 * provider (9.0.0's NodeLauncher thread, here a promise). Quota, declining and fulfilment are the
 * launcher's.
 */
export class PodRequestHandler implements NodeRequestHandler {
  constructor(
    private readonly provider: PodProvider,
    private readonly pool: PodPoolConfig<PodLabel>,
    private readonly request: NodeRequest,
  ) {}

  /** The node's `resources` from its own pool's label (a label may differ between pools). */
  setNodeMetadata(node: Node): void {
    const label = this.pool.labels.get(node.type[0] ?? '');
    if (label) node.resources = labelQuota(label).toJson();
  }

  async launch(node: Node, context: LaunchContext): Promise<void> {
    const label = this.pool.labels.get(node.type[0] ?? '');
    if (!label) throw new Error(`label ${node.type[0]} is not in pool ${this.pool.name} (request ${this.request.id})`);
    await this.provider.launch(node, this.pool, label, context);
  }
}
