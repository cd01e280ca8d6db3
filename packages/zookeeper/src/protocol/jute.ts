/**
 * Jute, ZooKeeper's binary record encoding: big-endian integers, length-prefixed
 * buffers, strings and vectors, with -1 as the length of a null value.
 */

/** Appends jute-encoded fields to a growing buffer. */
export class JuteWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(initialSize = 256) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  int(value: number): this {
    this.reserve(4).writeInt32BE(value, this.offset);
    this.offset += 4;
    return this;
  }

  long(value: bigint): this {
    this.reserve(8).writeBigInt64BE(value, this.offset);
    this.offset += 8;
    return this;
  }

  bool(value: boolean): this {
    this.reserve(1)[this.offset] = value ? 1 : 0;
    this.offset += 1;
    return this;
  }

  buffer_(value: Uint8Array | null): this {
    if (value === null) return this.int(-1);
    this.int(value.length);
    this.reserve(value.length).set(value, this.offset);
    this.offset += value.length;
    return this;
  }

  string(value: string | null): this {
    if (value === null) return this.int(-1);
    const length = Buffer.byteLength(value);
    this.int(length);
    this.reserve(length).write(value, this.offset, 'utf8');
    this.offset += length;
    return this;
  }

  vector<T>(items: readonly T[] | null, writeItem: (writer: this, item: T) => void): this {
    if (items === null) return this.int(-1);
    this.int(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  stringVector(items: readonly string[] | null): this {
    return this.vector(items, (writer, item) => writer.string(item));
  }

  /** The bytes written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  /**
   * A writer for one wire frame: it starts with a 4-byte length placeholder that
   * `sealFrame()` fills in, so the frame is never copied.
   */
  static forFrame(initialSize = 256): JuteWriter {
    return new JuteWriter(initialSize).int(0);
  }

  /** Completes a frame begun with `forFrame()` and returns it. */
  sealFrame(): Buffer {
    this.buffer.writeInt32BE(this.offset - 4, 0);
    return this.bytes();
  }

  private reserve(size: number): Buffer {
    if (this.offset + size > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + size));
      this.buffer.copy(grown, 0, 0, this.offset);
      this.buffer = grown;
    }
    return this.buffer;
  }
}

/** Thrown when a reply is shorter than the records it should hold. */
export class JuteDecodeError extends Error {
  override name = 'JuteDecodeError';
}

/** Reads jute-encoded fields from one received frame. */
export class JuteReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  int(): number {
    this.need(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  long(): bigint {
    this.need(8);
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /** A 64-bit value known to fit a double exactly (epoch milliseconds). */
  longAsNumber(): number {
    return Number(this.long());
  }

  bool(): boolean {
    this.need(1);
    return this.buffer[this.offset++] !== 0;
  }

  buffer_(): Buffer | null {
    const length = this.int();
    if (length < 0) return null;
    this.need(length);
    // A copy, so a caller keeping the data does not pin the whole receive buffer.
    const value = Buffer.from(this.buffer.subarray(this.offset, this.offset + length));
    this.offset += length;
    return value;
  }

  string(): string | null {
    const length = this.int();
    if (length < 0) return null;
    this.need(length);
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  vector<T>(readItem: (reader: this) => T): T[] | null {
    const count = this.int();
    if (count < 0) return null;
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(readItem(this));
    return items;
  }

  stringVector(): string[] {
    return this.vector((reader) => reader.string() ?? '') ?? [];
  }

  private need(size: number): void {
    if (this.offset + size > this.buffer.length) {
      throw new JuteDecodeError(
        `reply truncated: needed ${size} more bytes at offset ${this.offset} of ${this.buffer.length}`,
      );
    }
  }
}
