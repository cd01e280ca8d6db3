import { CreateFlag, OpCode } from './protocol/constants.js';
import type { JuteReader, JuteWriter } from './protocol/jute.js';
import type { Acl, Stat } from './protocol/records.js';
import { readStat, writeCreate } from './protocol/records.js';
import { errorForCode, ZooKeeperError } from './errors.js';

/** How a znode is created; the sequential modes append a 10-digit counter to the name. */
export type CreateMode =
  | 'persistent'
  | 'ephemeral'
  | 'persistent-sequential'
  | 'ephemeral-sequential'
  | 'container'
  | 'persistent-with-ttl'
  | 'persistent-sequential-with-ttl';

const createFlags: Record<CreateMode, number> = {
  persistent: CreateFlag.persistent,
  ephemeral: CreateFlag.ephemeral,
  'persistent-sequential': CreateFlag.persistentSequential,
  'ephemeral-sequential': CreateFlag.ephemeralSequential,
  container: CreateFlag.container,
  'persistent-with-ttl': CreateFlag.persistentWithTtl,
  'persistent-sequential-with-ttl': CreateFlag.persistentSequentialWithTtl,
};

export function isSequential(mode: CreateMode): boolean {
  return mode.includes('sequential');
}

/** Znode data: bytes, or a string sent as UTF-8. */
export type Data = Uint8Array | string;

export function toBytes(data: Data | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Anyone may do anything: ZooKeeper's `OPEN_ACL_UNSAFE`, and what kazoo and Nodepool use. */
export const OPEN_ACL_UNSAFE: readonly Acl[] = Object.freeze([{ perms: 31, scheme: 'world', id: 'anyone' }]);

/** One operation of a multi-operation transaction. Paths are relative to the chroot. */
export type Op =
  | { type: 'create'; path: string; data?: Data; mode?: CreateMode; acl?: readonly Acl[]; ttlMs?: number }
  | { type: 'delete'; path: string; version?: number }
  | { type: 'set'; path: string; data: Data; version?: number }
  | { type: 'check'; path: string; version: number };

/** The outcome of one operation of a committed transaction. */
export type OpResult =
  | { type: 'create'; path: string }
  | { type: 'delete' }
  | { type: 'set'; stat: Stat }
  | { type: 'check' };

/** A transaction failed: nothing in it was applied. `cause` is the failing operation's error. */
export class TransactionError extends ZooKeeperError {
  /** Index of the operation that failed. */
  readonly failedIndex: number;
  /** Per-operation error codes as the server reported them (0 = would have succeeded). */
  readonly codes: readonly number[];
  declare readonly cause: ZooKeeperError;

  constructor(failedIndex: number, codes: number[], cause: ZooKeeperError) {
    super(cause.code, cause.codeName, `transaction failed at operation ${failedIndex}: ${cause.message}`, undefined, { cause });
    this.failedIndex = failedIndex;
    this.codes = codes;
  }
}

/** The request type and body of a create, for a standalone request or inside a multi. */
export function createRequest(
  serverPath: string,
  options: { data?: Data; mode?: CreateMode; acl?: readonly Acl[]; ttlMs?: number },
  defaultAcl: readonly Acl[],
): { opCode: number; write: (writer: JuteWriter) => void } {
  const mode = options.mode ?? 'persistent';
  const withTtl = mode.endsWith('-with-ttl');
  if (withTtl !== (options.ttlMs !== undefined)) {
    throw new TypeError(withTtl ? `create mode ${mode} needs ttlMs` : `ttlMs is only allowed with a -with-ttl create mode`);
  }
  const opCode = mode === 'container' ? OpCode.createContainer : withTtl ? OpCode.createTTL : OpCode.create;
  const fields = {
    path: serverPath,
    data: toBytes(options.data),
    acl: options.acl ?? defaultAcl,
    flags: createFlags[mode],
    ...(withTtl ? { ttl: BigInt(options.ttlMs!) } : {}),
  };
  return { opCode, write: (writer) => writeCreate(writer, fields) };
}

/** The request type and body of any transaction operation. */
export function opRequest(
  op: Op,
  serverPath: string,
  defaultAcl: readonly Acl[],
): { opCode: number; write: (writer: JuteWriter) => void } {
  switch (op.type) {
    case 'create':
      return createRequest(serverPath, op, defaultAcl);
    case 'delete':
      return { opCode: OpCode.delete, write: (w) => w.string(serverPath).int(op.version ?? -1) };
    case 'set':
      return { opCode: OpCode.setData, write: (w) => w.string(serverPath).buffer_(toBytes(op.data)).int(op.version ?? -1) };
    case 'check':
      return { opCode: OpCode.check, write: (w) => w.string(serverPath).int(op.version) };
  }
}

/** Writes a MultiRequest body: each operation behind its header, then the end marker. */
export function writeMulti(writer: JuteWriter, requests: { opCode: number; write: (writer: JuteWriter) => void }[]): void {
  for (const request of requests) {
    writer.int(request.opCode).bool(false).int(-1);
    request.write(writer);
  }
  writer.int(-1).bool(true).int(-1);
}

/**
 * Reads a MultiResponse. Returns the results when every operation succeeded, otherwise throws
 * a TransactionError naming the first failing operation.
 */
export function readMulti(reader: JuteReader, ops: readonly Op[], toClientPath: (serverPath: string) => string): OpResult[] {
  const results: OpResult[] = [];
  const codes: number[] = [];
  for (;;) {
    const type = reader.int();
    const done = reader.bool();
    const err = reader.int();
    if (done) break;
    if (type === OpCode.error) {
      codes.push(reader.int());
      continue;
    }
    codes.push(err);
    switch (type) {
      case OpCode.create:
        results.push({ type: 'create', path: toClientPath(reader.string() ?? '') });
        break;
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        results.push({ type: 'create', path: toClientPath(reader.string() ?? '') });
        readStat(reader);
        break;
      case OpCode.setData:
        results.push({ type: 'set', stat: readStat(reader) });
        break;
      case OpCode.delete:
        results.push({ type: 'delete' });
        break;
      case OpCode.check:
        results.push({ type: 'check' });
        break;
      default:
        throw new TypeError(`unexpected operation type ${type} in a multi reply`);
    }
  }
  // Before the failing operation the server reports 0 (rolled back), after it -2.
  const failedIndex = codes.findIndex((code) => code !== 0 && code !== -2);
  if (failedIndex !== -1) {
    const op = ops[failedIndex];
    throw new TransactionError(failedIndex, codes, errorForCode(codes[failedIndex]!, op?.path));
  }
  return results;
}
