export { AcceptNodesError, NodeRequestGoneError, NodeRequestTimeoutError } from './errors.js';
export { NodeSet, type AcceptedNode } from './node-set.js';
export {
  NODE_ROOT,
  REQUEST_LOCK_ROOT,
  REQUEST_ROOT,
  nodeLockPath,
  nodePath,
  requestLockPath,
  requestPath,
  epochSeconds,
  parseRecord,
  type NodeRecord,
  type NodeRequestRecord,
  type RequestState,
  type ZuulRequestDocument,
  type ZuulRequestorData,
} from './records.js';
export {
  ZuulClient,
  type AcceptNodesOptions,
  type HoldNodesOptions,
  type JobResult,
  type JobResultName,
  type JobTimings,
  type RequestNodesOptions,
  type RequestRef,
  type ReturnNodesResult,
  type RunJobOptions,
  type SubmittedRequest,
  type UseNodesOptions,
  type WaitForRequestOptions,
  type ZuulClientOptions,
} from './zuul-client.js';
