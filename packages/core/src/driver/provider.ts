import type { Node } from '../zk/node.js';
import type { NodeRequest } from '../zk/node-request.js';
import type { ImageUploadOptions } from './adapter.js';
import type { NodeRequestHandler } from './node-request-handler.js';
import type { ConfigPool } from './provider-config.js';
import type { QuotaInformation } from './quota-information.js';

/** A cloud image as a provider lists it (`nodepool alien-image-list`). */
export interface CloudImage {
  /** The cloud's image ID (what an upload record calls `external_id`). */
  readonly id: string;
  /** The cloud's image name. */
  readonly name: string;
}

/** Things the launcher tells a provider about, beyond the calls below. */
export interface ProviderNotifications {
  /**
   * A node of this provider was deleted: its cloud resources are gone and its record removed.
   * The static driver registers the host again here. Default: nothing.
   */
  nodeDeletedNotification?(node: Node): void;
}

/**
 * The runtime of one provider in one launcher. The launcher owns ZooKeeper, locks, the order
 * requests are handled in, quota, statistics and the deletion protocol; the provider owns the
 * cloud (or the hosts).
 */
export interface Provider extends ProviderNotifications {
  readonly name: string;
  /** Starts background work (connections, node registration). Called once, before anything else. */
  start(): Promise<void>;
  /** Stops background work; launches in progress are aborted through their signals. */
  stop(): Promise<void>;
  /** Whether nodes of `label` can be launched now (e.g. its cloud image exists). Default: yes. */
  labelReady?(label: string): boolean;
  /** A handler that fills `request` from `pool`. */
  getRequestHandler(pool: ConfigPool, request: NodeRequest): NodeRequestHandler;
  /**
   * Deletes the cloud resources of `node` (the launcher holds its lock and has marked it
   * `deleting`). Resolves when they are gone, a resource already gone included; rejects to have
   * the deletion retried later.
   */
  cleanupNode(node: Node): Promise<void>;
  /**
   * Periodic housekeeping (about once a minute): remove resources Nodepool created that no node
   * accounts for; the static driver re-syncs its hosts.
   */
  cleanupLeakedResources(): Promise<void>;
  /** The provider's own quota limits (from the cloud). Default: unlimited. */
  getQuotaLimits?(): Promise<QuotaInformation>;
  /** What one node of `label` uses. Default: one instance. */
  getQuotaForLabel?(label: string): QuotaInformation;
  /** Quota in use that Nodepool did not create. Default: none. */
  getUnmanagedQuotaUsed?(): Promise<QuotaInformation>;
  /**
   * Images in the cloud that Nodepool uploaded (they carry the `nodepool_build_id` metadata)
   * but ZooKeeper no longer accounts for: every such image whose ID is not in `knownIds`, the
   * cloud IDs of this provider's `ready` uploads. Called by `nodepool alien-image-list`, on a
   * provider that was created but not started, so it must not rely on background work; a
   * rejection is reported as a warning and the provider left out. Default: the provider has no
   * images to list (it is left out).
   */
  listAlienImages?(knownIds: ReadonlySet<string>): Promise<CloudImage[]>;
  /**
   * Uploads a built image (nodepool-builder); resolves the cloud's ID for the upload record.
   * Absent: the provider takes no diskimages.
   */
  uploadImage?(options: ImageUploadOptions): Promise<string>;
  /** Deletes an uploaded image by its cloud ID; one already gone counts as deleted. */
  deleteImage?(externalId: string): Promise<void>;
}
