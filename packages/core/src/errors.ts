/**
 * Errors that mean something to Nodepool's shared machinery. Drivers throw them (from their
 * cloud client) so that core reacts the way the original does.
 */

/** Base class: `name` is the subclass name, and `cause` is kept. */
export class NodepoolError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The thing to delete is already gone: deletion counts as done. */
export class NotFoundError extends NodepoolError {}

/**
 * The cloud refused for quota reasons. A launch failing with it is aborted, not failed: the
 * node is released, the pool pauses and the quota cache is refreshed, and the request is
 * retried later.
 */
export class QuotaError extends NodepoolError {}

/** A launch failed; `statsdKey` names the failure in `nodepool.launch.*.error.<key>` metrics. */
export class LaunchError extends NodepoolError {
  readonly statsdKey: string = 'error.unknown';
}

/** The instance reached an error state in the cloud. */
export class LaunchStatusError extends LaunchError {
  override readonly statsdKey = 'error.status';
}

/** The instance never got a usable address. */
export class LaunchNetworkError extends LaunchError {
  override readonly statsdKey = 'error.network';
}

/** The SSH host key scan failed. */
export class LaunchKeyscanError extends LaunchError {
  override readonly statsdKey = 'error.keyscan';
}

/** The launch took longer than `launch-timeout` or `boot-timeout`. */
export class LaunchTimeoutError extends LaunchError {
  override readonly statsdKey = 'error.timeout';
}

/** The metric key of any error a launch ended with. */
export function launchErrorKey(error: unknown): string {
  if (error instanceof LaunchError) return error.statsdKey;
  if (error instanceof QuotaError) return 'error.quota';
  return 'error.unknown';
}
