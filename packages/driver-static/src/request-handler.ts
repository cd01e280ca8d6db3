import type { Node, NodeRequestHandler } from '@nodepool/core';

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
  constructor(private readonly provider: LivenessChecker) {}

  /** The original's `checkNodeLiveness`: the host must answer on its port within its `timeout`. */
  checkReusableNode(node: Node): Promise<boolean> {
    return this.provider.checkNodeLiveness(node);
  }
}
