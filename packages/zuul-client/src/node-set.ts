import type { KazooLock } from '@nodepool/zookeeper';
import type { NodeRecord } from './records.js';

/** One node of an accepted node set. */
export interface AcceptedNode {
  /** The node ID, e.g. `0000000042`. */
  readonly id: string;
  /** The label of the request slot this node fills (`node_types[i]`). */
  readonly label: string;
  /**
   * The record as last read or written by the client, every key kept. Writes are built from it,
   * as Zuul's in-memory `Node` is (its `state` decides what `returnNodes` does).
   */
  record: NodeRecord;
  /** Our lock on `/nodepool/nodes/<id>/lock`, held from acceptance until return. */
  readonly lock: KazooLock;
}

/**
 * The nodes of a fulfilled request that a {@link ZuulClient} accepted: locked, in the order of
 * the request's `node_types`. Pass it to `useNodes`, `returnNodes` or `holdNodes`.
 */
export class NodeSet {
  constructor(
    /** The request the nodes were allocated to (already deleted). */
    readonly requestId: string,
    readonly nodes: readonly AcceptedNode[],
  ) {}

  get nodeIds(): string[] {
    return this.nodes.map((node) => node.id);
  }

  /** Whether every node is still locked by us (false once returned, or after a session loss). */
  get locked(): boolean {
    return this.nodes.every((node) => node.lock.isAcquired);
  }
}
