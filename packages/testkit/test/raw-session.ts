// Just enough of the ZooKeeper wire protocol to open (or resume) a session, for tests that check
// that sessions survive a server restart. The real client lives in @nodepool/zookeeper.
import { connect, type Socket } from 'node:net';

/** A session as the server granted it; `socket` stays open and so keeps the session alive. */
export interface RawSession {
  sessionId: bigint;
  password: Buffer;
  /** Negotiated timeout; 0 means the server refused to resume the session (it expired). */
  timeoutMs: number;
  socket: Socket;
}

/** Sends a ConnectRequest and resolves with the ConnectResponse. */
export function openRawSession(
  port: number,
  options: { timeoutMs: number; sessionId?: bigint; password?: Buffer },
): Promise<RawSession> {
  const password = options.password ?? Buffer.alloc(16);
  // int protocolVersion, long lastZxidSeen, int timeOut, long sessionId, buffer passwd, bool readOnly
  const body = Buffer.alloc(4 + 8 + 4 + 8 + 4 + password.length + 1);
  let offset = body.writeInt32BE(0, 0);
  offset = body.writeBigInt64BE(0n, offset);
  offset = body.writeInt32BE(options.timeoutMs, offset);
  offset = body.writeBigInt64BE(options.sessionId ?? 0n, offset);
  offset = body.writeInt32BE(password.length, offset);
  offset += password.copy(body, offset);
  body.writeUInt8(0, offset);
  const frame = Buffer.concat([Buffer.alloc(4), body]);
  frame.writeInt32BE(body.length, 0);

  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(frame));
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.off('data', onData);
      socket.off('error', reject);
      // int protocolVersion, int timeOut, long sessionId, buffer passwd
      const timeoutMs = received.readInt32BE(8);
      const sessionId = received.readBigInt64BE(12);
      const passwordLength = received.readInt32BE(20);
      socket.on('error', () => {});
      resolve({ sessionId, timeoutMs, password: received.subarray(24, 24 + passwordLength), socket });
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}
