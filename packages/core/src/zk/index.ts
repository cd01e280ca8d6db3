export { ImageCache, NodeCache, RequestCache, type ImageFlag } from './caches.js';
export { Component, type ComponentState } from './component.js';
export { ComponentRegistration, ComponentRegistry } from './component-registry.js';
export { Election } from './election.js';
export { ImageBuild, ImageUpload, BUILD_STATES, UPLOAD_STATES, type BuildState, type UploadState } from './image-records.js';
export { parseRecordJson, stringifyRecordJson, RecordFormatError } from './json.js';
// The kazoo-compatible lock recipe lives in the general client library; re-exported for drivers.
export {
  KazooLock,
  LockCancelledError,
  LockTargetGoneError,
  LockTimeoutError,
  isContender,
  sortContenders,
  type AcquireOptions,
  type LockOptions,
} from '@nodepool/zookeeper';
export { Node, NODE_STATES, isNodeState, type ConnectionPort, type NodeState } from './node.js';
export {
  NodeRequest,
  REQUEST_STATES,
  MIN_READY_PRIORITY,
  MIN_READY_REQUESTOR,
  compareRequests,
  declinedByEveryPool,
  orderNodesForRequest,
  parseRequestId,
  type RequestState,
} from './node-request.js';
export {
  LockLostError,
  LockUnavailableError,
  NodepoolZooKeeper,
  RecordConflictError,
  RecordGoneError,
  SessionLostError,
  type HeldLock,
  type NodepoolZooKeeperOptions,
} from './nodepool-zookeeper.js';
export type { AuditReport } from './lock-audit.js';
export * from './paths.js';
export { TreeCache, type CacheChange, type PathRole, type TreeCacheOptions } from './tree-cache.js';
export {
  connectToZooKeeper,
  zooKeeperClientFor,
  zooKeeperConnectString,
  zooKeeperTlsOptions,
  type ConnectToZooKeeperOptions,
  type ZooKeeperSettings,
} from './connect.js';
export { exportImageData, importImageData, type ImageData } from './image-data.js';
