import { LaunchError, NodepoolError } from '@nodepool/core';

/**
 * A launch step failed in a way the driver detected itself (no token, a pod that did not start):
 * 9.0.0's `LaunchNodepoolException`, counted as `error.nodepool`.
 */
export class K8sLaunchError extends LaunchError {
  override readonly statsdKey = 'error.nodepool';
}

/** The API server answered with an error: its HTTP code, and the `Status` reason and message. */
export class KubeApiError extends NodepoolError {
  constructor(
    readonly code: number,
    /** The Status `reason` (`NotFound`, `AlreadyExists`, …), when the answer had one. */
    readonly reason: string | undefined,
    message: string,
    /** `Retry-After`, in seconds, of a 429. */
    readonly retryAfterS?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The kubeconfig (or the in-cluster configuration) could not be loaded. */
export class KubeConfigError extends NodepoolError {}

/** Whether `error` is the API server saying the object does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.code === 404;
}
