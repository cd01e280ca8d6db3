import type { Node, NodeRequest, NodeRequestHandler } from '@nodepool/core';
import type { StaticPoolConfig } from './config.js';

/** The provider side the handler needs. */
export interface LivenessChecker {
  /** Whether a ready node's host still answers; deregisters the host's ready nodes when not. */
  checkNodeLiveness(node: Node): Promise<boolean>;
}

/**
 * A static pool's part in filling a request. It has no `launch`: static hosts cannot be
 * created, so the launcher only hands out the ready nodes the provider registered, and waits
 * (paused) until one is free. Before a ready node is handed out its host is checked.
 */
export class StaticRequestHandler implements NodeRequestHandler {
  constructor(
    private readonly provider: LivenessChecker,
    private readonly pool: StaticPoolConfig,
    private readonly request: NodeRequest,
  ) {}

  /**
   * A request for more nodes of a label than the pool has slots for could never be served;
   * decline it rather than wait forever.
   */
  getDeclinedReasons(): string[] {
    const wanted = new Map<string, number>();
    for (const label of this.request.nodeTypes) wanted.set(label, (wanted.get(label) ?? 0) + 1);
    const slots = (labels: (label: string) => boolean): number =>
      this.pool.nodes.filter((host) => host.labels.some(labels)).reduce((sum, host) => sum + host.maxParallelJobs, 0);
    const reasons: string[] = [];
    for (const [label, count] of wanted) {
      if (slots((each) => each === label) < count) reasons.push(`not enough static nodes with label ${label}`);
    }
    if (reasons.length === 0 && slots((label) => wanted.has(label)) < this.request.nodeTypes.length) {
      reasons.push('not enough static nodes for the whole node set');
    }
    return reasons;
  }

  /** The original's `checkNodeLiveness`: the host must answer on its port within its `timeout`. */
  checkReusableNode(node: Node): Promise<boolean> {
    return this.provider.checkNodeLiveness(node);
  }
}
