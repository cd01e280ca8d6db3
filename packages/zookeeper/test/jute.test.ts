import test from 'ava';
import { JuteDecodeError, JuteReader, JuteWriter } from '../src/protocol/jute.js';
import { encodeConnectRequest } from '../src/protocol/records.js';

test('round-trips every jute field type, nulls included', (t) => {
  const writer = new JuteWriter(4)
    .int(-42)
    .long(-(2n ** 62n))
    .bool(true)
    .buffer_(Buffer.from([1, 2, 3]))
    .buffer_(null)
    .string('zöé')
    .string(null)
    .stringVector(['a', 'bc'])
    .stringVector(null);
  const reader = new JuteReader(writer.bytes());
  t.is(reader.int(), -42);
  t.is(reader.long(), -(2n ** 62n));
  t.true(reader.bool());
  t.deepEqual([...reader.buffer_()!], [1, 2, 3]);
  t.is(reader.buffer_(), null);
  t.is(reader.string(), 'zöé');
  t.is(reader.string(), null);
  t.deepEqual(reader.stringVector(), ['a', 'bc']);
  t.deepEqual(reader.stringVector(), []);
  t.is(reader.remaining, 0);
});

test('encodes big-endian with 4-byte lengths, as the server reads them', (t) => {
  const bytes = new JuteWriter().int(1).string('ab').bytes();
  t.deepEqual([...bytes], [0, 0, 0, 1, 0, 0, 0, 2, 0x61, 0x62]);
});

test('a frame carries its own length and is not copied', (t) => {
  const frame = JuteWriter.forFrame().int(7).int(8).sealFrame();
  t.deepEqual([...frame], [0, 0, 0, 8, 0, 0, 0, 7, 0, 0, 0, 8]);
});

test('the connect request has the layout of ZooKeeper 3.5+', (t) => {
  const frame = encodeConnectRequest({ lastZxidSeen: 5n, timeOut: 10_000, sessionId: 0n, passwd: Buffer.alloc(16) });
  // length, protocol version, last zxid, timeout, session id, password (len + 16), read-only flag
  t.is(frame.readInt32BE(0), frame.length - 4);
  t.is(frame.length, 4 + 4 + 8 + 4 + 8 + 4 + 16 + 1);
  t.is(frame.readBigInt64BE(8), 5n);
  t.is(frame.readInt32BE(16), 10_000);
});

test('a truncated reply is a decode error, not garbage', (t) => {
  const reader = new JuteReader(Buffer.from([0, 0, 0, 9, 1, 2]));
  t.throws(() => reader.string(), { instanceOf: JuteDecodeError });
});
