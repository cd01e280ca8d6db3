/**
 * The last `capacity` items pushed, oldest first; pushing onto a full buffer drops the oldest.
 * Its memory is bounded by the capacity and the size of the items, never by how long it runs.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  /** Where the next item goes. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be a positive integer, not ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The newest item, if any. */
  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.next - 1 + this.capacity) % this.capacity];
  }

  /** The items, oldest first (a copy). */
  toArray(): T[] {
    const start = (this.next - this.count + this.capacity) % this.capacity;
    const result: T[] = [];
    for (let i = 0; i < this.count; i++) result.push(this.items[(start + i) % this.capacity] as T);
    return result;
  }
}
