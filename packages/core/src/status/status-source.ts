import type { Component } from '../zk/component.js';
import type { ImageBuild, ImageUpload } from '../zk/image-records.js';
import type { Node } from '../zk/node.js';
import type { NodeRequest } from '../zk/node-request.js';

/** A manual build request of an image (its `request-build` flag). */
export interface BuildRequestInfo {
  /** False once a builder seems to be working on it (see `readBuildRequest`). */
  readonly pending: boolean;
  /** Epoch seconds the flag was created. */
  readonly createdTime: number;
}

/**
 * Where the listings read Nodepool's records. The CLI reads ZooKeeper directly (as the
 * original's CLI does, with caching off); the launcher's web API reads its caches. Records are
 * shared: treat them as read-only.
 */
export interface StatusSource {
  /** Every node record (empty and corrupt znodes left out), in any order. */
  nodes(): Promise<Node[]>;
  /** One node, or undefined when it does not exist. */
  node(id: string): Promise<Node | undefined>;
  /** Whether the node's lock has a contender. Must not create the lock directory. */
  isNodeLocked(id: string): Promise<boolean>;
  /** Every node request, in any order. */
  requests(): Promise<NodeRequest[]>;
  /** Names of the children of `/nodepool/images`, sorted. */
  imageNames(): Promise<string[]>;
  /** The builds of an image, in any order. */
  builds(image: string): Promise<ImageBuild[]>;
  /** Every upload of an image (all builds, all providers), in any order. */
  uploads(image: string): Promise<ImageUpload[]>;
  isImagePaused(image: string): Promise<boolean>;
  buildRequest(image: string): Promise<BuildRequestInfo | undefined>;
  /** Registered pool components. */
  poolComponents(): Promise<Component[]>;
  /** Registered launcher components. */
  launcherComponents(): Promise<Component[]>;
  /**
   * Calls `onChange` after every change to the records above, until the returned function is
   * called. Only sources that follow ZooKeeper (the launcher's caches) offer it; the dashboard
   * pushes updates when it does, and otherwise only on its heartbeat. Calls come in bursts, one
   * per changed znode: coalesce them.
   */
  watch?(onChange: () => void): () => void;
}
