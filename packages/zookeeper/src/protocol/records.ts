import { JuteReader, JuteWriter } from './jute.js';

/** Metadata of a znode, as the server reports it. */
export interface Stat {
  /** zxid of the transaction that created the znode. */
  czxid: bigint;
  /** zxid of the transaction that last modified the znode's data. */
  mzxid: bigint;
  /** Creation time, epoch milliseconds. */
  ctime: number;
  /** Last data modification time, epoch milliseconds. */
  mtime: number;
  /** Data version: the version to pass to setData/delete for a conditional update. */
  version: number;
  /** Child version: counts child creations and deletions; also feeds sequential names. */
  cversion: number;
  /** ACL version. */
  aversion: number;
  /** Session id of the owner for an ephemeral znode, `0n` otherwise. */
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  /** zxid of the last change to the znode's children. */
  pzxid: bigint;
}

/** An access control entry: permission bits (see `Perms`) granted to an identity. */
export interface Acl {
  perms: number;
  scheme: string;
  id: string;
}

export function readStat(reader: JuteReader): Stat {
  return {
    czxid: reader.long(),
    mzxid: reader.long(),
    ctime: reader.longAsNumber(),
    mtime: reader.longAsNumber(),
    version: reader.int(),
    cversion: reader.int(),
    aversion: reader.int(),
    ephemeralOwner: reader.long(),
    dataLength: reader.int(),
    numChildren: reader.int(),
    pzxid: reader.long(),
  };
}

export function readAcl(reader: JuteReader): Acl {
  return { perms: reader.int(), scheme: reader.string() ?? '', id: reader.string() ?? '' };
}

export function writeAcl(writer: JuteWriter, acl: Acl): void {
  writer.int(acl.perms).string(acl.scheme).string(acl.id);
}

/** Fields of a CreateRequest (and of CreateTTLRequest when `ttl` is set). */
export interface CreateFields {
  path: string;
  data: Uint8Array;
  acl: readonly Acl[];
  flags: number;
  ttl?: bigint;
}

export function writeCreate(writer: JuteWriter, fields: CreateFields): void {
  writer.string(fields.path).buffer_(fields.data).vector(fields.acl, writeAcl).int(fields.flags);
  if (fields.ttl !== undefined) writer.long(fields.ttl);
}

export interface ConnectRequest {
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
}

export function encodeConnectRequest(request: ConnectRequest): Buffer {
  return JuteWriter.forFrame(64)
    .int(0) // protocol version
    .long(request.lastZxidSeen)
    .int(request.timeOut)
    .long(request.sessionId)
    .buffer_(request.passwd)
    .bool(false) // read-only: this client only wants read-write sessions
    .sealFrame();
}

export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
}

export function decodeConnectResponse(frame: Buffer): ConnectResponse {
  const reader = new JuteReader(frame);
  return {
    protocolVersion: reader.int(),
    timeOut: reader.int(),
    sessionId: reader.long(),
    passwd: reader.buffer_() ?? Buffer.alloc(0),
    // A trailing read-only flag may follow; it does not concern a read-write client.
  };
}

export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

export function readReplyHeader(reader: JuteReader): ReplyHeader {
  return { xid: reader.int(), zxid: reader.long(), err: reader.int() };
}

export interface WatcherEventRecord {
  type: number;
  state: number;
  path: string;
}

export function readWatcherEvent(reader: JuteReader): WatcherEventRecord {
  return { type: reader.int(), state: reader.int(), path: reader.string() ?? '' };
}
