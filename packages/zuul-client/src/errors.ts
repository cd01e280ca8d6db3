/** The request znode is gone (or empty) before reaching `fulfilled` or `failed`. */
export class NodeRequestGoneError extends Error {
  override name = 'NodeRequestGoneError';
  constructor(readonly requestId: string) {
    super(`Request ${requestId} no longer exists`);
  }
}

/** `waitForRequest` gave up; the request is left as it is. */
export class NodeRequestTimeoutError extends Error {
  override name = 'NodeRequestTimeoutError';
  constructor(
    readonly requestId: string,
    readonly timeoutMs: number,
    /** The state last seen, when the request could be read. */
    readonly lastState: string | undefined,
  ) {
    super(`Request ${requestId} was neither fulfilled nor failed within ${timeoutMs} ms${lastState ? ` (still ${lastState})` : ''}`);
  }
}

/**
 * Accepting a fulfilled request failed (Zuul's "Accepting nodes failed", a NODE_FAILURE build).
 * Every lock taken was released and the request deleted; `cause` says what went wrong.
 */
export class AcceptNodesError extends Error {
  override name = 'AcceptNodesError';
  constructor(
    readonly requestId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Accepting the nodes of request ${requestId} failed: ${reason}`, options);
  }
}
