/**
 * One error class per ZooKeeper error code, so callers can write
 * `if (error instanceof NoNodeError)` instead of comparing numbers.
 */

/** Any error reported by the ZooKeeper server or by this client's session handling. */
export class ZooKeeperError extends Error {
  /** The numeric ZooKeeper error code (`KeeperException.Code`). */
  readonly code: number;
  /** The symbolic name of the code, e.g. `NONODE`. */
  readonly codeName: string;
  /** The path of the request that failed, when there is one. */
  readonly path: string | undefined;

  constructor(code: number, codeName: string, description: string, path?: string, options?: ErrorOptions) {
    super(path === undefined ? description : `${description}: ${path}`, options);
    this.name = new.target.name;
    this.code = code;
    this.codeName = codeName;
    this.path = path;
  }
}

/** A typed error class; its static `code` is the ZooKeeper code it stands for. */
type ErrorClass = (new (path?: string, options?: ErrorOptions) => ZooKeeperError) & { readonly code: number };

function defineError(code: number, codeName: string, description: string): ErrorClass {
  return class extends ZooKeeperError {
    static readonly code = code;
    constructor(path?: string, options?: ErrorOptions) {
      super(code, codeName, description, path, options);
    }
  };
}

// Each class is named explicitly (not inferred) so `error.name` and stack traces read well.
export class SystemError extends defineError(-1, 'SYSTEMERROR', 'system error') {}
export class RuntimeInconsistencyError extends defineError(-2, 'RUNTIMEINCONSISTENCY', 'runtime inconsistency') {}
export class DataInconsistencyError extends defineError(-3, 'DATAINCONSISTENCY', 'data inconsistency') {}
export class ConnectionLossError extends defineError(-4, 'CONNECTIONLOSS', 'connection lost') {}
export class MarshallingError extends defineError(-5, 'MARSHALLINGERROR', 'error while marshalling or unmarshalling data') {}
export class UnimplementedError extends defineError(-6, 'UNIMPLEMENTED', 'operation is unimplemented') {}
export class OperationTimeoutError extends defineError(-7, 'OPERATIONTIMEOUT', 'operation timeout') {}
export class BadArgumentsError extends defineError(-8, 'BADARGUMENTS', 'invalid arguments') {}
export class UnknownSessionError extends defineError(-12, 'UNKNOWNSESSION', 'unknown session') {}
export class NewConfigNoQuorumError extends defineError(-13, 'NEWCONFIGNOQUORUM', 'no quorum of new config is connected') {}
export class ReconfigInProgressError extends defineError(-14, 'RECONFIGINPROGRESS', 'another reconfiguration is in progress') {}
export class ApiError extends defineError(-100, 'APIERROR', 'API error') {}
export class NoNodeError extends defineError(-101, 'NONODE', 'no node') {}
export class NoAuthError extends defineError(-102, 'NOAUTH', 'not authenticated') {}
export class BadVersionError extends defineError(-103, 'BADVERSION', 'bad version') {}
export class NoChildrenForEphemeralsError extends defineError(-108, 'NOCHILDRENFOREPHEMERALS', 'ephemeral nodes may not have children') {}
export class NodeExistsError extends defineError(-110, 'NODEEXISTS', 'node exists') {}
export class NotEmptyError extends defineError(-111, 'NOTEMPTY', 'directory not empty') {}
export class SessionExpiredError extends defineError(-112, 'SESSIONEXPIRED', 'session expired') {}
export class InvalidCallbackError extends defineError(-113, 'INVALIDCALLBACK', 'invalid callback') {}
export class InvalidAclError extends defineError(-114, 'INVALIDACL', 'invalid ACL') {}
export class AuthFailedError extends defineError(-115, 'AUTHFAILED', 'authentication failed') {}
export class SessionMovedError extends defineError(-118, 'SESSIONMOVED', 'session moved to another server') {}
export class NotReadOnlyError extends defineError(-119, 'NOTREADONLY', 'not a read-only call') {}
export class EphemeralOnLocalSessionError extends defineError(-120, 'EPHEMERALONLOCALSESSION', 'ephemeral node on local session') {}
export class NoWatcherError extends defineError(-121, 'NOWATCHER', 'no such watcher') {}
export class RequestTimeoutError extends defineError(-122, 'REQUESTTIMEOUT', 'request timeout') {}
export class ReconfigDisabledError extends defineError(-123, 'RECONFIGDISABLED', 'reconfig is disabled') {}
export class SessionClosedRequireSaslAuthError extends defineError(-124, 'SESSIONCLOSEDREQUIRESASLAUTH', 'session closed because client failed to authenticate') {}
export class QuotaExceededError extends defineError(-125, 'QUOTAEXCEEDED', 'quota has exceeded') {}
export class ThrottledError extends defineError(-127, 'THROTTLEDOP', 'operation was throttled') {}

/** Raised on calls made after `close()`; not a server code. */
export class ClientClosedError extends ZooKeeperError {
  constructor(path?: string) {
    super(-1000, 'CLIENTCLOSED', 'the client has been closed', path);
  }
}

const byCode = new Map<number, ErrorClass>(
  [
    SystemError, RuntimeInconsistencyError, DataInconsistencyError, ConnectionLossError,
    MarshallingError, UnimplementedError, OperationTimeoutError, BadArgumentsError,
    UnknownSessionError, NewConfigNoQuorumError, ReconfigInProgressError, ApiError, NoNodeError,
    NoAuthError, BadVersionError, NoChildrenForEphemeralsError, NodeExistsError, NotEmptyError,
    SessionExpiredError, InvalidCallbackError, InvalidAclError, AuthFailedError,
    SessionMovedError, NotReadOnlyError, EphemeralOnLocalSessionError, NoWatcherError,
    RequestTimeoutError, ReconfigDisabledError, SessionClosedRequireSaslAuthError,
    QuotaExceededError, ThrottledError,
  ].map((errorClass) => [errorClass.code, errorClass]),
);

/** The typed error for a server error code; unknown codes become a plain ZooKeeperError. */
export function errorForCode(code: number, path?: string): ZooKeeperError {
  const ErrorClass = byCode.get(code);
  if (ErrorClass) return new ErrorClass(path);
  return new ZooKeeperError(code, `UNKNOWN(${code})`, `unknown ZooKeeper error ${code}`, path);
}

/**
 * Whether a request failed for a passing reason, within a session that may still live: the
 * connection was lost (a write's outcome is then unknown: it may have been applied), or the
 * server asked the client to come back later. Such a request may be retried once connected.
 */
export function isTransientError(error: unknown): boolean {
  return (
    (error instanceof ConnectionLossError && !(error instanceof ClientClosedError)) ||
    error instanceof OperationTimeoutError ||
    error instanceof RequestTimeoutError ||
    error instanceof SessionMovedError ||
    error instanceof ThrottledError
  );
}
