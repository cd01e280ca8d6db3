import type { Node } from '../zk/node.js';

/** Notifications a handler receives from the launcher. */
export interface NodeRequestHandlerNotifications {
  /** A ready node was reused for the request instead of launching one. Default: nothing. */
  nodeReusedNotification?(node: Node): void;
}

/**
 * Fills one node request from one pool. The launcher does the generic work — locking, accepting,
 * declining, reusing ready nodes, quota, fulfilment order — and calls the handler for what only
 * the driver knows. A handler is created per request and discarded when the request is done.
 */
export interface NodeRequestHandler extends NodeRequestHandlerNotifications {
  /**
   * Reasons to decline at once beyond the generic ones (unknown label, image not ready, over
   * quota); an empty list means the pool can try. Default: none.
   */
  getDeclinedReasons?(): string[];
  /** Whether a ready node may be reused for this request (e.g. same AZ as the rest). Default: yes. */
  checkReusableNode?(node: Node): boolean;
  /** Fills driver-specific fields of a new node before it is first stored. Default: nothing. */
  setNodeMetadata?(node: Node): void;
  /**
   * Starts launching `node` (locked, state `building`). The launcher stores the node whenever
   * the handler changes it and calls `launchesComplete` to learn when all are done.
   */
  launch(node: Node): void;
  /**
   * Whether every launch has finished; each launched node is then `ready`, `failed` or
   * `aborted`. Called repeatedly; must not block.
   */
  launchesComplete(): boolean;
  /** Stops launches in progress (the request vanished or the launcher stops). Default: nothing. */
  abort?(): void;
}
