import type { Logger } from '../log.js';
import type { Node } from '../zk/node.js';

/** Notifications a handler receives from the launcher. */
export interface NodeRequestHandlerNotifications {
  /** A ready node was reused for the request instead of launching one. Default: nothing. */
  nodeReusedNotification?(node: Node): void;
}

/** What the launcher gives a launch. */
export interface LaunchContext {
  /**
   * Writes the node's current fields to ZooKeeper (the node stays locked). Call it whenever
   * something Zuul or an operator should see changed: the cloud ID, the addresses.
   */
  store(): Promise<void>;
  /** Aborted when the launch must stop: the request vanished, or the launcher is stopping. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * Tells where the launch is (`nodepool request-explain` shows it): the attempt and, while a
   * machine runs, its state. Optional to call; cheap, so call it at every change.
   */
  progress?(report: LaunchProgress): void;
}

/** Where a launch is, for `LaunchContext.progress`. */
export interface LaunchProgress {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Attempts allowed (`launch-retries`). */
  readonly attempts: number;
  /** What it waits for now, e.g. the create machine's state `"waiting for server"`. */
  readonly state?: string | undefined;
}

/**
 * The driver's part in filling one node request from one pool. The launcher does the generic
 * work — locking, accepting, declining, reusing ready nodes, quota, fulfilment order — and calls
 * the handler for what only the driver knows. A handler is created per request and pool and
 * dropped when the request is done.
 */
export interface NodeRequestHandler extends NodeRequestHandlerNotifications {
  /**
   * Reasons to decline at once, beyond the generic ones (unknown label, image not ready, over
   * quota); an empty list means the pool can try. Default: none.
   */
  getDeclinedReasons?(): string[];
  /**
   * Whether a ready node may be reused for this request (still reachable, same AZ as the rest of
   * the set, …). Called with the node locked. Default: yes.
   */
  checkReusableNode?(node: Node): boolean | Promise<boolean>;
  /**
   * Fills driver-specific fields of a new node (image, zone, username, …) before it is first
   * stored, so they cost no write of their own. Should not throw: keep a failure for `launch`
   * to report, so the node fails the usual way. Default: nothing.
   */
  setNodeMetadata?(node: Node): void | Promise<void>;
  /**
   * Launches `node` (locked, state `building`, already stored). Resolves once the node is ready
   * to use, with its addresses and host keys filled in; the launcher then marks it `ready`.
   * Rejects if the launch failed for good (after the driver's own retries): with a `QuotaError`
   * the node is aborted and the request retried later, with anything else the node fails.
   *
   * Absent for drivers that cannot create nodes (static): such pools only hand out ready nodes
   * and wait, paused, until one is free.
   */
  launch?(node: Node, context: LaunchContext): Promise<void>;
}
