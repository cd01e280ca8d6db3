import type { Instance, Logger, StateMachine } from '@nodepool/core';
import type { BackingNodeRecord } from './backing-node-record.js';
import { BackingNodeFailedError, type BackingNodes } from './backing-nodes.js';
import type { MetastaticLabelConfig } from './config.js';
import { metastaticInstance } from './instance.js';

export type MetastaticCreateState = 'start' | 'requesting backing node' | 'complete';

export interface MetastaticCreateStateMachineOptions {
  readonly backing: BackingNodes;
  readonly label: MetastaticLabelConfig;
  /** Nodepool's metadata of the node; its `nodepool_node_id` is the node and the machine's external ID. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly log: Logger;
  /** Longest wait for a change of our requests before looking again. Default 1 s. */
  readonly pollMs?: number;
}

/**
 * Gives one metastatic node a slot: of a backing node already held (done at once), or of one
 * requested now, waiting — on changes of the requests in ZooKeeper, not by spinning — until that
 * request is fulfilled and the backing node claimed. A failed request fails the attempt; the kit
 * then unwinds it (the delete machine frees the slot) and tries again.
 */
export class MetastaticCreateStateMachine implements StateMachine<Instance> {
  state: MetastaticCreateState = 'start';
  externalId: string | undefined;
  private record: BackingNodeRecord | undefined;
  private slot = -1;
  private result: Instance | undefined;
  private readonly nodeId: string;

  constructor(private readonly options: MetastaticCreateStateMachineOptions) {
    this.nodeId = options.metadata.nodepool_node_id ?? '';
  }

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<Instance | undefined> {
    const { backing } = this.options;
    if (this.state === 'start') {
      ({ record: this.record, slot: this.slot } = await backing.allocate(this.options.label, this.nodeId));
      // The node is its own external ID: a failure from here on frees the slot.
      this.externalId = this.nodeId;
      this.state = this.record.nodeId === null ? 'requesting backing node' : 'complete';
    }

    if (this.state === 'requesting backing node') {
      const revision = await backing.requestRevision();
      await backing.checkRequests();
      if (this.record!.failed) throw new BackingNodeFailedError('Backing node failed');
      if (this.record!.nodeId === null) {
        await backing.requestChange(revision, this.options.pollMs ?? 1_000);
        return undefined;
      }
      this.state = 'complete';
    }

    if (this.state === 'complete' && !this.result) {
      const node = await backing.backingNode(this.record!);
      this.options.log.debug('node has a slot on its backing node', { backingNode: node.id, slot: this.slot });
      this.result = metastaticInstance(node, this.slot, this.nodeId, this.options.metadata);
    }
    return this.result;
  }
}
