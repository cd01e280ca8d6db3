export { ZooKeeperClient, Transaction, ZooKeeperConnectError } from './client.js';
export type {
  ConnectionState,
  CreateOptions,
  DataWrite,
  SessionInfo,
  WatchOption,
  ZooKeeperClientEvents,
  ZooKeeperClientOptions,
  ZooKeeperLogger,
} from './client.js';
export { parseConnectString, formatServer, DEFAULT_PORT } from './connect-string.js';
export type { ServerAddress } from './connect-string.js';
export { OPEN_ACL_UNSAFE, TransactionError } from './operations.js';
export type { CreateMode, Data, Op, OpResult } from './operations.js';
export type { Acl, Stat } from './protocol/records.js';
export { Perms } from './protocol/constants.js';
export type { WatchEvent, WatchEventType, WatchListener } from './watches.js';
export { childPath, parentPath, validatePath } from './paths.js';
export * from './errors.js';
export {
  KazooLock,
  LockCancelledError,
  LockTargetGoneError,
  LockTimeoutError,
  isContender,
  sortContenders,
  type AcquireOptions,
  type LockOptions,
  type ReleaseOptions,
} from './recipes/kazoo-lock.js';
