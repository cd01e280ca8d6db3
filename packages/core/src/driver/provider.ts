import type { Node } from '../zk/node.js';
import type { NodeRequest } from '../zk/node-request.js';
import type { NodeRequestHandler } from './node-request-handler.js';
import type { ConfigPool } from './provider-config.js';
import type { QuotaInformation } from './quota-information.js';

/** Things the launcher tells a provider about, beyond the calls below. */
export interface ProviderNotifications {
  /** A node of this provider was deleted (its record is gone). Default: nothing. */
  nodeDeletedNotification?(node: Node): void;
}

/**
 * The runtime of one provider in one launcher: it launches and deletes nodes. The launcher
 * owns ZooKeeper, locks, request handling order and statistics; the provider owns the cloud.
 */
export interface Provider extends ProviderNotifications {
  readonly name: string;
  /** Starts background work (connections, caches). Called once before any other call. */
  start(): Promise<void>;
  /**
   * Stops background work. Launches in progress are abandoned at a safe point; their nodes are
   * reaped later. Safe to call more than once.
   */
  stop(): Promise<void>;
  /** Whether nodes of `label` can be launched now (e.g. its cloud image exists). Default: yes. */
  labelReady?(label: string): boolean;
  /**
   * Labels that can currently not be served and should be declined at once, rather than
   * waiting. Default: none.
   */
  errorLabels?(): Set<string>;
  /** A handler that fills `request` from `pool`; the launcher drives it (see NodeRequestHandler). */
  getRequestHandler(pool: ConfigPool, request: NodeRequest): NodeRequestHandler;
  /**
   * Starts deleting the cloud resources of `node` (the launcher holds its lock and has marked
   * it `deleting`). Resolves when they are gone; rejects to have the deletion retried later.
   */
  cleanupNode(node: Node): Promise<void>;
  /** Finds and removes resources Nodepool created but no node record accounts for. */
  cleanupLeakedResources(): Promise<void>;
  /** The provider's quota limits (e.g. from the cloud); default: unlimited. */
  getQuotaLimits?(): Promise<QuotaInformation>;
  /** What one node of `label` uses; default: one instance. */
  getQuotaForLabel?(label: string): QuotaInformation;
  /** Quota the provider uses that Nodepool did not create; default: none. */
  getUnmanagedQuotaUsed?(): Promise<QuotaInformation>;
  /** Whether the provider has nothing in flight (used when removing it). Default: yes. */
  idle?(): boolean;
}
