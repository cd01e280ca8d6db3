export { ImageCache, NodeCache, RequestCache, type ImageFlag } from './caches.js';
export { Component, type ComponentState } from './component.js';
export { ComponentRegistration, ComponentRegistry } from './component-registry.js';
export { Election } from './election.js';
export { ImageBuild, ImageUpload, BUILD_STATES, UPLOAD_STATES, type BuildState, type UploadState } from './image-records.js';
export { parseRecordJson, stringifyRecordJson, RecordFormatError } from './json.js';
export {
  KazooLock,
  LockCancelledError,
  LockTargetGoneError,
  LockTimeoutError,
  isContender,
  sortContenders,
  type AcquireOptions,
  type LockOptions,
} from './lock.js';
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
export { LockUnavailableError, NodepoolZooKeeper, RecordConflictError, RecordGoneError } from './nodepool-zookeeper.js';
export * from './paths.js';
export { TreeCache, type CacheChange, type PathRole, type TreeCacheOptions } from './tree-cache.js';
