import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import type tls from 'node:tls';
import { Connection } from './connection.js';
import type { ServerAddress } from './connect-string.js';
import { formatServer, parseConnectString } from './connect-string.js';
import {
  ClientClosedError,
  ConnectionLossError,
  errorForCode,
  NoNodeError,
  NoWatcherError,
  NodeExistsError,
  SessionExpiredError,
  ZooKeeperError,
} from './errors.js';
import type { CreateMode, Data, Op, OpResult } from './operations.js';
import { createRequest, isSequential, OPEN_ACL_UNSAFE, opRequest, readMulti, toBytes, writeMulti } from './operations.js';
import { AddWatchModeCode, OpCode, SpecialXid, WatcherTypeCode } from './protocol/constants.js';
import { JuteReader, JuteWriter } from './protocol/jute.js';
import type { Acl, ReplyHeader, Stat } from './protocol/records.js';
import {
  decodeConnectResponse,
  encodeConnectRequest,
  readAcl,
  readReplyHeader,
  readStat,
  readWatcherEvent,
  writeCreate,
} from './protocol/records.js';
import { childPath, fromServerPath, normaliseChroot, parentPath, toServerPath, validatePath } from './paths.js';
import type { WatchEvent, WatchKind, WatchListener } from './watches.js';
import { eventTypeName, WatchRegistry } from './watches.js';

/** Where the client stands with its session. */
export type ConnectionState =
  /** No session yet (or a new one being established after expiry). */
  | 'connecting'
  /** Connected to a server, session established. */
  | 'connected'
  /** The connection was lost; the session may still be alive and the client is reconnecting. */
  | 'suspended'
  /** `close()` was called. */
  | 'closed';

/** Minimal logger; pass winston or anything with these four methods. */
export interface ZooKeeperLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ZooKeeperClientOptions {
  /**
   * Servers as a connect string, `host:port,host:port/chroot` (port defaults to 2181),
   * or as a list of addresses.
   */
  servers: string | readonly ServerAddress[];
  /** Chroot prefixed to every path; overrides one given in the connect string. */
  chroot?: string;
  /** Requested session timeout; the server clamps it to its own bounds. Default 10 000 ms. */
  sessionTimeoutMs?: number;
  /** TLS settings (`ca`, `cert`, `key`, …); when present every connection uses TLS. */
  tls?: tls.ConnectionOptions;
  /** Time allowed for one connection attempt, handshake included. Default: session timeout / number of servers. */
  connectTimeoutMs?: number;
  /**
   * A request made while disconnected waits this long for a connection before it fails with
   * ConnectionLossError. Default: the session timeout.
   */
  operationTimeoutMs?: number;
  /** ACL for created znodes when the caller gives none. Default: world:anyone, all permissions. */
  defaultAcl?: readonly Acl[];
  /** Try servers in random order (default true), as other ZooKeeper clients do to spread load. */
  shuffleServers?: boolean;
  logger?: ZooKeeperLogger;
}

/** Session identity, as reported in the `connected` and `reconnected` events. */
export interface SessionInfo {
  /** Session id as 16 hex digits, the way ZooKeeper's logs print it. */
  sessionId: string;
  /** Session timeout the server granted, in ms. */
  timeoutMs: number;
  /** The server the client is connected to, `host:port`. */
  server: string;
}

export interface ZooKeeperClientEvents {
  /** Every state change. */
  state: [ConnectionState];
  /** A new session was established (first connect, or after expiry). */
  connected: [SessionInfo];
  /** The connection was lost; the session may survive. */
  suspended: [];
  /** The connection came back within the same session; one-shot watches were restored. */
  reconnected: [SessionInfo];
  /**
   * The session expired: its ephemeral znodes and locks are gone. The client goes on to
   * establish a new session on its own and re-adds its persistent watches there.
   */
  expired: [];
  closed: [];
  /** A watch listener threw; the error is reported here rather than breaking the client. */
  error: [Error];
  /**
   * The reply to one of this client's own data writes (a `setData`, alone or in a `multi`)
   * arrived. Emitted as the reply is read, before the caller's promise settles, so in the order
   * the server sent it relative to watch notifications: a watch that fired for `path` before
   * this event fired for a change no later than this write.
   */
  dataWritten: [DataWrite];
}

/** One of the client's own data writes and how it ended (see the `dataWritten` event). */
export interface DataWrite {
  readonly path: string;
  /** The data written. */
  readonly data: Buffer;
  /** The znode's Stat after the write; undefined when the write failed. */
  readonly stat: Stat | undefined;
}

export interface WatchOption {
  /** Called once, on the next change of this kind. */
  watch?: WatchListener;
}

export interface CreateOptions {
  data?: Data;
  mode?: CreateMode;
  acl?: readonly Acl[];
  /** Time to live for the `-with-ttl` modes (the server must enable extended types). */
  ttlMs?: number;
  /** Create missing ancestors first (persistent, empty). */
  makeParents?: boolean;
}

/** How often the client pings, checks the connection and expires waiting requests. */
const TICK_MS = 100;
/** A tick this much later than due means the process itself was stalled. */
const STALL_MS = 1_000;

interface PendingRequest {
  xid: number;
  frame: Buffer;
  /** Called with the reply; resolves or rejects the caller's promise. */
  complete(header: ReplyHeader, reader: JuteReader): void;
  fail(error: Error): void;
  /** For requests waiting for a connection: when to give up. */
  deadline: number;
}

interface ConnectionWaiter {
  resolve(info: SessionInfo): void;
  reject(error: Error): void;
}

/** A data write awaiting its reply, tracked for `isWritingData` and the `dataWritten` event. */
interface TrackedWrite {
  readonly path: string;
  readonly data: Buffer;
}

const NO_PASSWORD = Buffer.alloc(16);
/** The same bytes as a Buffer, without copying. */
const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
const EMPTY = new Uint8Array(0);
/** SetWatches2 requests are split so that no frame approaches the server's 1 MiB limit. */
const SET_WATCHES_CHUNK_BYTES = 128 * 1024;

/**
 * A ZooKeeper client: one session over one connection at a time, many requests in flight,
 * replies matched in order. Promise API; every server error is a typed `ZooKeeperError`.
 *
 * The session survives connection loss: the client moves to another server (or waits for the
 * same one to return) and restores its watches. If the server declares the session expired, the
 * client reports `expired` and starts a new session by itself.
 */
export class ZooKeeperClient extends EventEmitter<ZooKeeperClientEvents> {
  readonly chroot: string;
  private readonly servers: ServerAddress[];
  private readonly requestedTimeoutMs: number;
  private readonly tlsOptions: tls.ConnectionOptions | undefined;
  private readonly explicitConnectTimeoutMs: number | undefined;
  private readonly explicitOperationTimeoutMs: number | undefined;
  private readonly defaultAcl: readonly Acl[];
  private readonly log: ZooKeeperLogger | undefined;
  private readonly watches: WatchRegistry;

  private currentState: ConnectionState = 'connecting';
  private sid = 0n;
  private sessionPassword: Buffer = NO_PASSWORD;
  private negotiatedTimeoutMs = 0;
  private lastZxidSeen = 0n;
  private nextXid = 1;
  private serverIndex = 0;
  private connection: Connection | undefined;
  /** Sent, awaiting a reply, in send order. */
  private inFlight: PendingRequest[] = [];
  /** Waiting for a connection. */
  private waiting: PendingRequest[] = [];
  /** Paths with data writes sent and not yet answered, and how many. */
  private readonly dataWritesInFlight = new Map<string, number>();
  private lastSendAt = 0;
  private lastReceiveAt = 0;
  private lastTickAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private closeRequested = false;
  /** Callers of `whenConnected` waiting for a connection. */
  private readonly connectionWaiters = new Set<ConnectionWaiter>();
  /** Why the latest connection attempt failed, for the error `connect()` reports. */
  private lastAttemptError: string | undefined;

  constructor(options: ZooKeeperClientOptions) {
    super();
    const parsed =
      typeof options.servers === 'string'
        ? parseConnectString(options.servers)
        : { servers: [...options.servers], chroot: '' };
    if (parsed.servers.length === 0) throw new TypeError('ZooKeeperClient needs at least one server');
    this.chroot = options.chroot === undefined ? parsed.chroot : normaliseChroot(options.chroot);
    this.servers = options.shuffleServers === false ? parsed.servers : shuffle(parsed.servers);
    this.requestedTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.tlsOptions = options.tls;
    this.explicitConnectTimeoutMs = options.connectTimeoutMs;
    this.explicitOperationTimeoutMs = options.operationTimeoutMs;
    this.defaultAcl = options.defaultAcl ?? OPEN_ACL_UNSAFE;
    this.log = options.logger;
    this.watches = new WatchRegistry((error, event) => {
      this.log?.error('watch listener failed', { path: event.path, type: event.type, error: String(error) });
      if (this.listenerCount('error') > 0) this.emit('error', error instanceof Error ? error : new Error(String(error)));
    });
  }

  // ---- session ---------------------------------------------------------------------------

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The current session, or undefined before the first connection (and while disconnected). */
  get session(): SessionInfo | undefined {
    if (this.sid === 0n || !this.connection) return undefined;
    return this.sessionInfo(this.connection.server);
  }

  /**
   * The id of the session this client holds (16 hex digits), also while the connection is lost
   * (`suspended`) and the session may still live on the server. Undefined before the first
   * session and from expiry until a new session is established. Ephemeral znodes created under
   * one id are gone once it changes.
   */
  get sessionId(): string | undefined {
    return this.sid === 0n ? undefined : hex(this.sid);
  }

  /** The highest zxid this client has seen in a reply. */
  get lastZxid(): bigint {
    return this.lastZxidSeen;
  }

  /** The servers, in the order the client tries them, as `host:port`. */
  get serverList(): string[] {
    return this.servers.map(formatServer);
  }

  /**
   * Starts the client and resolves once a session is established. Rejects, and closes the
   * client, if no server accepted a session within `timeoutMs` (default: twice the session
   * timeout); the error names every server tried.
   */
  async connect(timeoutMs = Math.max(2 * this.requestedTimeoutMs, 5_000)): Promise<SessionInfo> {
    if (this.closeRequested) throw new ClientClosedError();
    if (this.currentState === 'connected' && this.session) return this.session;
    this.running ??= this.run();
    return new Promise<SessionInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new ZooKeeperConnectError(this.serverList, timeoutMs, this.lastAttemptError));
        void this.close();
      }, timeoutMs);
      const onConnected = (info: SessionInfo): void => {
        cleanup();
        resolve(info);
      };
      const onClosed = (): void => {
        cleanup();
        reject(new ClientClosedError());
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('connected', onConnected);
        this.off('reconnected', onConnected);
        this.off('closed', onClosed);
      };
      this.on('connected', onConnected);
      this.on('reconnected', onConnected);
      this.on('closed', onClosed);
    });
  }

  /**
   * Ends the session (its ephemeral znodes disappear at once) and the connection.
   * Pending requests fail with ClientClosedError. Safe to call more than once.
   */
  async close(): Promise<void> {
    if (this.closeRequested) {
      await this.running;
      return;
    }
    this.closeRequested = true;
    const connection = this.connection;
    if (connection?.isOpen && this.currentState === 'connected') {
      const closing = this.submit(OpCode.closeSession, undefined, () => undefined, () => undefined);
      await Promise.race([closing.catch(() => undefined), delay(Math.min(2_000, this.negotiatedTimeoutMs || 2_000))]);
    }
    connection?.close();
    this.wakeUp?.();
    await this.running;
    this.failAll(this.waiting.splice(0), new ClientClosedError());
    const waiters = [...this.connectionWaiters];
    this.connectionWaiters.clear();
    for (const waiter of waiters) waiter.reject(new ClientClosedError());
    this.watches.dropOneShot();
    this.watches.clear();
    this.setState('closed');
    this.emit('closed');
  }

  /**
   * Resolves with the session once the client is connected: at once if it is, otherwise when it
   * has reconnected, within the same session (`reconnected`) or, after expiry, a new one
   * (`connected`); compare `sessionId`s to tell. Never gives up on its own: rejects with
   * ClientClosedError when the client is closed first, or with the signal's reason.
   */
  whenConnected(options: { signal?: AbortSignal } = {}): Promise<SessionInfo> {
    const { signal } = options;
    if (this.closeRequested) return Promise.reject(new ClientClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    const current = this.currentState === 'connected' ? this.session : undefined;
    if (current) return Promise.resolve(current);
    // One set of waiters rather than listeners per call: an outage may hold thousands of them.
    return new Promise<SessionInfo>((resolve, reject) => {
      const onAbort = (): void => {
        this.connectionWaiters.delete(waiter);
        reject(signal?.reason);
      };
      const waiter: ConnectionWaiter = {
        resolve: (info) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(info);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.connectionWaiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---- operations ------------------------------------------------------------------------

  /** Creates a znode and returns its path (with the sequence number for sequential modes). */
  async create(path: string, options: CreateOptions = {}): Promise<string> {
    const mode = options.mode ?? 'persistent';
    validatePath(path, isSequential(mode));
    const request = createRequest(this.serverPath(path), options, this.defaultAcl);
    const send = (): Promise<string> =>
      this.submit(request.opCode, path, request.write, (reader) => {
        const created = reader.string() ?? '';
        return this.clientPath(created);
      });
    if (!options.makeParents) return send();
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      await this.mkdirp(parentPath(path));
      return send();
    }
  }

  /**
   * Makes sure a path exists, creating each missing component as an empty persistent znode
   * (the chroot's own components included). Existing components are left alone.
   */
  async mkdirp(path: string): Promise<void> {
    validatePath(path);
    await this.mkdirpServerPath(this.serverPath(path));
  }

  private async mkdirpServerPath(serverPath: string): Promise<void> {
    if (serverPath === '/') return;
    const create = (): Promise<unknown> =>
      this.submit(OpCode.create, serverPath, (w) => writeCreate(w, { path: serverPath, data: EMPTY, acl: this.defaultAcl, flags: 0 }), () => undefined);
    try {
      await create();
    } catch (error) {
      if (error instanceof NodeExistsError) return;
      if (!(error instanceof NoNodeError)) throw error;
      await this.mkdirpServerPath(parentPath(serverPath));
      try {
        await create();
      } catch (retryError) {
        if (!(retryError instanceof NodeExistsError)) throw retryError;
      }
    }
  }

  /** Deletes a znode; with `version`, only if its data version still matches. */
  async delete(path: string, version = -1): Promise<void> {
    validatePath(path);
    await this.submit(OpCode.delete, path, (w) => w.string(this.serverPath(path)).int(version), () => undefined);
  }

  /**
   * Deletes a znode and everything below it. Znodes that vanish meanwhile are fine; a child
   * created concurrently makes the delete retry that level.
   */
  async deleteRecursive(path: string): Promise<void> {
    validatePath(path);
    for (let attempt = 0; ; attempt++) {
      let children: string[];
      try {
        ({ children } = await this.getChildren(path));
      } catch (error) {
        if (error instanceof NoNodeError) return;
        throw error;
      }
      await Promise.all(children.map((child) => this.deleteRecursive(childPath(path, child))));
      try {
        await this.delete(path);
        return;
      } catch (error) {
        if (error instanceof NoNodeError) return;
        if (error instanceof ZooKeeperError && error.codeName === 'NOTEMPTY' && attempt < 10) continue;
        throw error;
      }
    }
  }

  /**
   * The znode's Stat, or null if it does not exist. A `watch` fires on creation, data change or
   * deletion, whether or not the znode existed.
   */
  async exists(path: string, options: WatchOption = {}): Promise<Stat | null> {
    validatePath(path);
    const watch = options.watch;
    return this.submitRaw(
      OpCode.exists,
      (w) => w.string(this.serverPath(path)).bool(watch !== undefined),
      (header, reader) => {
        if (header.err === 0) {
          if (watch) this.watches.add('data', path, watch);
          return readStat(reader);
        }
        if (header.err === NoNodeError.code) {
          if (watch) this.watches.add('exist', path, watch);
          return null;
        }
        throw errorForCode(header.err, path);
      },
    );
  }

  /** The znode's data and Stat. A `watch` fires on the next data change or deletion. */
  async getData(path: string, options: WatchOption = {}): Promise<{ data: Buffer; stat: Stat }> {
    validatePath(path);
    const watch = options.watch;
    return this.submit(
      OpCode.getData,
      path,
      (w) => w.string(this.serverPath(path)).bool(watch !== undefined),
      (reader) => {
        if (watch) this.watches.add('data', path, watch);
        return { data: reader.buffer_() ?? Buffer.alloc(0), stat: readStat(reader) };
      },
    );
  }

  /** Replaces the znode's data; with `version`, only if it still matches. Returns the new Stat. */
  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    validatePath(path);
    const bytes = asBuffer(toBytes(data));
    return this.submitRaw(
      OpCode.setData,
      (w) => w.string(this.serverPath(path)).buffer_(bytes).int(version),
      (header, reader) => {
        if (header.err !== 0) throw errorForCode(header.err, path);
        return readStat(reader);
      },
      { writes: [{ path, data: bytes }], statsOf: (stat) => [stat] },
    );
  }

  /**
   * The znode's child names (unsorted, as the server returns them) and its Stat.
   * A `watch` fires when a child is created or deleted, or the znode itself is deleted.
   */
  async getChildren(path: string, options: WatchOption = {}): Promise<{ children: string[]; stat: Stat }> {
    validatePath(path);
    const watch = options.watch;
    return this.submit(
      OpCode.getChildren2,
      path,
      (w) => w.string(this.serverPath(path)).bool(watch !== undefined),
      (reader) => {
        if (watch) this.watches.add('children', path, watch);
        return { children: reader.stringVector(), stat: readStat(reader) };
      },
    );
  }

  /**
   * Paths of every ephemeral znode this client's session owns whose path starts with
   * `prefix` (a plain string prefix: `/a/b` also matches `/a/bc`), as the server that answers
   * knows them (ZooKeeper 3.6 and later). Paths outside the chroot are left out.
   */
  async getEphemerals(prefix = '/'): Promise<string[]> {
    // A prefix, not a path: `/a/` (children of /a only) is fine.
    validatePath(prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
    const serverPrefix = this.serverPath(prefix);
    return this.submit(OpCode.getEphemerals, prefix, (w) => w.string(serverPrefix), (reader) =>
      reader.stringVector().flatMap((serverPath) => {
        const path = fromServerPath(this.chroot, serverPath);
        // The server matches plain string prefixes: keep to what the chroot'd prefix asked for.
        return path !== undefined && path.startsWith(prefix) ? [path] : [];
      }),
    );
  }

  /** The znode's ACL and Stat. */
  async getAcl(path: string): Promise<{ acl: Acl[]; stat: Stat }> {
    validatePath(path);
    return this.submit(OpCode.getACL, path, (w) => w.string(this.serverPath(path)), (reader) => ({
      acl: reader.vector(readAcl) ?? [],
      stat: readStat(reader),
    }));
  }

  /**
   * Waits until the server this client talks to has caught up with the leader for `path`,
   * so a following read sees every write acknowledged before the sync.
   */
  async sync(path = '/'): Promise<void> {
    validatePath(path);
    await this.submit(OpCode.sync, path, (w) => w.string(this.serverPath(path)), () => undefined);
  }

  /**
   * Applies every operation or none. Resolves with one result per operation; on failure
   * rejects with a TransactionError naming the failing operation (its `cause` is the typed error).
   */
  async multi(ops: readonly Op[]): Promise<OpResult[]> {
    const requests = ops.map((op) => {
      validatePath(op.path, op.type === 'create' && isSequential(op.mode ?? 'persistent'));
      return opRequest(op, this.serverPath(op.path), this.defaultAcl);
    });
    const writes = ops.flatMap((op) => (op.type === 'set' ? [{ path: op.path, data: asBuffer(toBytes(op.data)) }] : []));
    return this.submitRaw(
      OpCode.multi,
      (w) => writeMulti(w, requests),
      (header, reader) => {
        // A multi that failed as a whole (rather than per operation) carries no results.
        if (header.err !== 0 && reader.remaining === 0) throw errorForCode(header.err);
        return readMulti(reader, ops, (serverPath) => this.clientPath(serverPath));
      },
      writes.length === 0
        ? undefined
        : { writes, statsOf: (results) => results.flatMap((result) => (result.type === 'set' ? [result.stat] : [])) },
    );
  }

  /**
   * Whether a data write of this client's to `path` (a `setData`, alone or in a `multi`) has
   * been sent and its reply has not arrived yet. See the `dataWritten` event.
   */
  isWritingData(path: string): boolean {
    return this.dataWritesInFlight.has(path);
  }

  /** A fluent transaction: `client.transaction().create(…).setData(…).commit()`. */
  transaction(): Transaction {
    return new Transaction(this);
  }

  /**
   * Adds a persistent watch: `listener` is called for every change until removed, not once.
   * With `recursive`, it covers the znode and every descendant (creation, deletion and data
   * changes; child-list changes are implied by creations and deletions).
   *
   * Persistent watches belong to the client: they are restored after a reconnect and re-added on
   * a new session after expiry. Changes made while disconnected are not replayed by the server:
   * listen for `reconnected` and `connected` to resynchronise.
   *
   * ZooKeeper before 3.9 keeps one watch mode per path and session, so do not also set one-shot
   * watches on the exact path of a persistent watch (paths below a recursive watch are fine).
   */
  async addWatch(path: string, listener: WatchListener, options: { recursive?: boolean } = {}): Promise<void> {
    validatePath(path);
    const kind: WatchKind = options.recursive ? 'persistent-recursive' : 'persistent';
    await this.sendAddWatch(path, kind === 'persistent-recursive');
    this.watches.add(kind, path, listener);
  }

  /**
   * Removes watches of one kind on a path: one listener, or all of that kind when `listener`
   * is omitted. `data` covers watches set by both getData and exists. The server-side watch is
   * dropped once no listener of the kind remains. Rejects with NoWatcherError if nothing matched.
   */
  async removeWatches(path: string, kind: 'data' | 'children' | 'persistent' | 'persistent-recursive' | 'any', listener?: WatchListener): Promise<void> {
    validatePath(path);
    const kinds: WatchKind[] =
      kind === 'any' ? ['data', 'exist', 'children', 'persistent', 'persistent-recursive'] : kind === 'data' ? ['data', 'exist'] : [kind];
    let removed = false;
    for (const each of kinds) removed = this.watches.remove(each, path, listener) || removed;
    if (!removed) throw new NoWatcherError(path);
    const remaining = kinds.some((each) => this.watches.has(each, path));
    if (remaining || this.currentState !== 'connected') return;
    // ZooKeeper 3.8 only knows children/data/any; persistent watches go with "any".
    const serverType =
      kind === 'data' ? WatcherTypeCode.data : kind === 'children' ? WatcherTypeCode.children : WatcherTypeCode.any;
    try {
      await this.submit(OpCode.removeWatches, path, (w) => w.string(this.serverPath(path)).int(serverType), () => undefined);
    } catch (error) {
      if (!(error instanceof NoWatcherError)) throw error;
    }
  }

  // ---- request plumbing ------------------------------------------------------------------

  /** Sends a request whose reply body is read only on success. */
  private submit<T>(opCode: number, path: string | undefined, write: (w: JuteWriter) => void, read: (reader: JuteReader) => T): Promise<T> {
    return this.submitRaw(opCode, write, (header, reader) => {
      if (header.err !== 0) throw errorForCode(header.err, path);
      return read(reader);
    });
  }

  /**
   * Sends a request; `read` sees the reply header and decides what an error code means.
   * `tracked` names the data writes in it, reported by `dataWritten` with the Stats that
   * `statsOf` finds in a successful result.
   */
  private submitRaw<T>(
    opCode: number,
    write: (w: JuteWriter) => void,
    read: (header: ReplyHeader, reader: JuteReader) => T,
    tracked?: { writes: readonly TrackedWrite[]; statsOf: (result: T) => readonly Stat[] },
  ): Promise<T> {
    if (this.closeRequested && opCode !== OpCode.closeSession) return Promise.reject(new ClientClosedError());
    return new Promise<T>((resolve, reject) => {
      const xid = this.allocateXid();
      const writer = JuteWriter.forFrame().int(xid).int(opCode);
      write(writer);
      if (tracked) this.startTracking(tracked.writes);
      const request: PendingRequest = {
        xid,
        frame: writer.sealFrame(),
        complete: (header, reader) => {
          let result: T;
          try {
            result = read(header, reader);
          } catch (error) {
            if (tracked) this.endTracking(tracked.writes, []);
            reject(error);
            return;
          }
          if (tracked) this.endTracking(tracked.writes, tracked.statsOf(result));
          resolve(result);
        },
        fail: (error) => {
          if (tracked) this.endTracking(tracked.writes, []);
          reject(error);
        },
        deadline: Date.now() + this.operationTimeoutMs,
      };
      if (this.currentState === 'connected' && this.connection?.isOpen) this.send(request);
      else this.waiting.push(request);
    });
  }

  private startTracking(writes: readonly TrackedWrite[]): void {
    for (const { path } of writes) this.dataWritesInFlight.set(path, (this.dataWritesInFlight.get(path) ?? 0) + 1);
  }

  /** The reply came (or the request failed): `stats` holds one Stat per write on success. */
  private endTracking(writes: readonly TrackedWrite[], stats: readonly Stat[]): void {
    writes.forEach(({ path, data }, index) => {
      const left = (this.dataWritesInFlight.get(path) ?? 1) - 1;
      if (left === 0) this.dataWritesInFlight.delete(path);
      else this.dataWritesInFlight.set(path, left);
      if (this.listenerCount('dataWritten') > 0) this.emit('dataWritten', { path, data, stat: stats[index] });
    });
  }

  private send(request: PendingRequest): void {
    this.inFlight.push(request);
    this.connection!.write(request.frame);
    this.lastSendAt = Date.now();
  }

  private allocateXid(): number {
    const xid = this.nextXid;
    this.nextXid = xid >= 0x7fff_fff0 ? 1 : xid + 1;
    return xid;
  }

  private sendAddWatch(path: string, recursive: boolean): Promise<void> {
    const mode = recursive ? AddWatchModeCode.persistentRecursive : AddWatchModeCode.persistent;
    return this.submit(OpCode.addWatch, path, (w) => w.string(this.serverPath(path)).int(mode), () => undefined);
  }

  private serverPath(path: string): string {
    return toServerPath(this.chroot, path);
  }

  private clientPath(serverPath: string): string {
    return fromServerPath(this.chroot, serverPath) ?? serverPath;
  }

  // ---- connection loop -------------------------------------------------------------------

  private get operationTimeoutMs(): number {
    return this.explicitOperationTimeoutMs ?? (this.negotiatedTimeoutMs || this.requestedTimeoutMs);
  }

  private get connectTimeoutMs(): number {
    return this.explicitConnectTimeoutMs ?? Math.max(1_000, Math.floor(this.requestedTimeoutMs / this.servers.length));
  }

  private async run(): Promise<void> {
    this.lastTickAt = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    let failuresInARow = 0;
    try {
      while (!this.closeRequested) {
        const server = this.servers[this.serverIndex % this.servers.length]!;
        this.serverIndex++;
        try {
          await this.runConnection(server);
          failuresInARow = 0;
        } catch (error) {
          failuresInARow++;
          this.lastAttemptError = `${formatServer(server)}: ${error instanceof Error ? error.message : String(error)}`;
          this.log?.debug('ZooKeeper connection attempt failed', { server: formatServer(server), error: this.lastAttemptError });
        }
        if (this.closeRequested) break;
        // Spread reconnects out; back off a little more once every server has failed.
        const pause = failuresInARow === 0 ? 0 : failuresInARow % this.servers.length === 0 ? randomInt(200, 1_000) : randomInt(10, 100);
        if (pause > 0) await this.sleep(pause);
      }
    } finally {
      clearInterval(this.timer);
    }
  }

  /** One connection's life: handshake, then serve until it closes. Throws if it never got going. */
  private async runConnection(server: ServerAddress): Promise<void> {
    const connection = await Connection.open(server, this.tlsOptions, this.connectTimeoutMs);
    if (this.closeRequested) {
      connection.close();
      return;
    }
    const response = await this.handshake(connection);
    if (!connection.isOpen) throw new Error('connection closed right after the handshake');
    if (response.timeOut <= 0) {
      connection.close();
      this.onSessionExpired();
      return;
    }
    const isNewSession = this.sid === 0n;
    this.sid = response.sessionId;
    this.sessionPassword = response.passwd;
    this.negotiatedTimeoutMs = response.timeOut;
    this.connection = connection;
    this.lastReceiveAt = this.lastSendAt = Date.now();
    const closed = new Promise<Error | undefined>((resolve) => connection.once('close', resolve));
    connection.on('frame', (frame) => this.onFrame(connection, frame));

    if (isNewSession) {
      // Persistent watches outlive sessions: put them back before anything else is sent.
      for (const { path, recursive } of this.watches.persistentPaths()) {
        const xid = this.allocateXid();
        const writer = JuteWriter.forFrame().int(xid).int(OpCode.addWatch);
        writer.string(this.serverPath(path)).int(recursive ? AddWatchModeCode.persistentRecursive : AddWatchModeCode.persistent);
        this.send(this.fireAndForget(xid, writer, `re-adding watch on ${path}`));
      }
    } else {
      this.restoreWatches(connection);
    }
    this.setState('connected');
    const info = this.sessionInfo(server);
    this.log?.info(isNewSession ? 'ZooKeeper session established' : 'ZooKeeper session resumed', { ...info });
    for (const request of this.waiting.splice(0)) this.send(request);
    this.emit(isNewSession ? 'connected' : 'reconnected', info);
    const waiters = [...this.connectionWaiters];
    this.connectionWaiters.clear();
    for (const waiter of waiters) waiter.resolve(info);

    const reason = await closed;
    if (this.connection === connection) this.connection = undefined;
    this.failAll(this.inFlight.splice(0), new ConnectionLossError(undefined, reason ? { cause: reason } : undefined));
    if (!this.closeRequested && this.currentState === 'connected') {
      this.log?.warn('ZooKeeper connection lost', { server: formatServer(server), reason: reason?.message });
      this.setState('suspended');
      this.emit('suspended');
    }
  }

  private handshake(connection: Connection): Promise<{ timeOut: number; sessionId: bigint; passwd: Buffer }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        connection.close();
        reject(new Error(`no handshake reply within ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      const onFrame = (frame: Buffer): void => {
        cleanup();
        try {
          resolve(decodeConnectResponse(frame));
        } catch (error) {
          connection.close();
          reject(error);
        }
      };
      const onClose = (reason: Error | undefined): void => {
        cleanup();
        // A server that is not serving, or has seen fewer transactions than we have, hangs up.
        reject(reason ?? new Error('connection closed during handshake'));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        connection.off('frame', onFrame);
        connection.off('close', onClose);
      };
      connection.on('frame', onFrame);
      connection.on('close', onClose);
      connection.write(
        encodeConnectRequest({
          lastZxidSeen: this.lastZxidSeen,
          timeOut: this.requestedTimeoutMs,
          sessionId: this.sid,
          passwd: this.sessionPassword,
        }),
      );
    });
  }

  private onSessionExpired(): void {
    this.log?.warn('ZooKeeper session expired', { sessionId: hex(this.sid) });
    this.sid = 0n;
    this.sessionPassword = NO_PASSWORD;
    this.failAll(this.waiting.splice(0), new SessionExpiredError());
    this.watches.dropOneShot();
    this.setState('connecting');
    this.emit('expired');
  }

  /** Re-registers one-shot and persistent watches after reconnecting within the session. */
  private restoreWatches(connection: Connection): void {
    const snapshot = this.watches.snapshot();
    const lists = [snapshot.data, snapshot.exist, snapshot.children, snapshot.persistent, snapshot.persistentRecursive].map(
      (paths) => paths.map((path) => this.serverPath(path)),
    );
    if (lists.every((paths) => paths.length === 0)) return;
    // Fill chunks list by list, in SetWatches2 field order, keeping each under the size budget.
    const chunks: string[][][] = [];
    let current: string[][] = lists.map(() => []);
    let size = 0;
    lists.forEach((paths, listIndex) => {
      for (const path of paths) {
        const cost = Buffer.byteLength(path) + 4;
        if (size + cost > SET_WATCHES_CHUNK_BYTES && size > 0) {
          chunks.push(current);
          current = lists.map(() => []);
          size = 0;
        }
        current[listIndex]!.push(path);
        size += cost;
      }
    });
    chunks.push(current);
    for (const chunk of chunks) {
      const writer = JuteWriter.forFrame().int(SpecialXid.setWatches).int(OpCode.setWatches2).long(this.lastZxidSeen);
      for (const paths of chunk) writer.stringVector(paths);
      connection.write(writer.sealFrame());
    }
  }

  /** A request whose reply nobody awaits; failures are only logged. */
  private fireAndForget(xid: number, writer: JuteWriter, what: string): PendingRequest {
    return {
      xid,
      frame: writer.sealFrame(),
      complete: (header) => {
        if (header.err !== 0) this.log?.error(`failed ${what}`, { code: header.err });
      },
      fail: () => undefined,
      deadline: Number.POSITIVE_INFINITY,
    };
  }

  private onFrame(connection: Connection, frame: Buffer): void {
    this.lastReceiveAt = Date.now();
    let header: ReplyHeader;
    const reader = new JuteReader(frame);
    try {
      header = readReplyHeader(reader);
    } catch (error) {
      connection.close(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    switch (header.xid) {
      case SpecialXid.ping:
        return;
      case SpecialXid.notification:
        this.onNotification(reader);
        return;
      case SpecialXid.setWatches:
        if (header.err !== 0) this.log?.error('restoring watches failed', { code: header.err });
        return;
      case SpecialXid.auth:
        if (header.err !== 0) this.log?.error('authentication failed', { code: header.err });
        return;
    }
    const request = this.inFlight.shift();
    if (!request || request.xid !== header.xid) {
      connection.close(new Error(`reply xid ${header.xid} does not match request xid ${request?.xid}`));
      if (request) request.fail(new ConnectionLossError());
      return;
    }
    if (header.zxid > this.lastZxidSeen) this.lastZxidSeen = header.zxid;
    request.complete(header, reader);
  }

  private onNotification(reader: JuteReader): void {
    const record = readWatcherEvent(reader);
    const type = eventTypeName(record.type);
    if (!type) return; // state-only events (type None) carry nothing a watch needs
    const path = fromServerPath(this.chroot, record.path);
    if (path === undefined) return;
    const event: WatchEvent = { type, path };
    this.watches.dispatch(event);
  }

  /** Every 100 ms: pings, dead-connection detection, and requests that waited too long. */
  private tick(): void {
    const now = Date.now();
    const stalledMs = now - this.lastTickAt - TICK_MS;
    this.lastTickAt = now;
    if (stalledMs > STALL_MS) {
      // This process was not running (a busy machine, a long synchronous task): replies that
      // came meanwhile wait unread in the socket. Count against the server, and against
      // waiting requests, only the time we were listening.
      this.lastReceiveAt += stalledMs;
      for (const request of this.waiting) request.deadline += stalledMs;
    }
    const connection = this.connection;
    if (connection?.isOpen && this.currentState === 'connected') {
      const readTimeout = (this.negotiatedTimeoutMs * 2) / 3;
      if (now - this.lastReceiveAt > readTimeout) {
        connection.close(new Error(`no reply from ${formatServer(connection.server)} for ${now - this.lastReceiveAt} ms`));
      } else if (now - this.lastSendAt >= readTimeout / 2) {
        connection.write(JuteWriter.forFrame(16).int(SpecialXid.ping).int(OpCode.ping).sealFrame());
        this.lastSendAt = now;
      }
    }
    if (this.waiting.length > 0) {
      const expired = this.waiting.filter((request) => request.deadline <= now);
      if (expired.length > 0) {
        this.waiting = this.waiting.filter((request) => request.deadline > now);
        this.failAll(expired, new ConnectionLossError(undefined, { cause: new Error('no connection to ZooKeeper within the operation timeout') }));
      }
    }
  }

  private failAll(requests: PendingRequest[], error: Error): void {
    for (const request of requests) request.fail(error);
  }

  private setState(state: ConnectionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }

  private sessionInfo(server: ServerAddress): SessionInfo {
    return { sessionId: hex(this.sid), timeoutMs: this.negotiatedTimeoutMs, server: formatServer(server) };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = (): void => done();
      this.wakeUp = wake;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

/** No server accepted a session in time; the message names every server tried. */
export class ZooKeeperConnectError extends ConnectionLossError {
  readonly servers: readonly string[];

  constructor(servers: string[], timeoutMs: number, lastError: string | undefined) {
    super();
    this.message = `could not connect to ZooKeeper within ${timeoutMs} ms (tried ${servers.join(', ')})${
      lastError ? `; last error: ${lastError}` : ''
    }`;
    this.servers = servers;
  }
}

/** Collects operations and commits them as one multi request. */
export class Transaction {
  private readonly ops: Op[] = [];

  constructor(private readonly client: ZooKeeperClient) {}

  create(path: string, options: Omit<CreateOptions, 'makeParents'> = {}): this {
    this.ops.push({ type: 'create', path, ...options });
    return this;
  }

  delete(path: string, version = -1): this {
    this.ops.push({ type: 'delete', path, version });
    return this;
  }

  setData(path: string, data: Data, version = -1): this {
    this.ops.push({ type: 'set', path, data, version });
    return this;
  }

  /** Fails the transaction unless the znode's data version is `version`. */
  check(path: string, version: number): this {
    this.ops.push({ type: 'check', path, version });
    return this;
  }

  commit(): Promise<OpResult[]> {
    return this.client.multi(this.ops);
  }
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function hex(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16).padStart(16, '0');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
