/**
 * Runs its callers one at a time, in the order they came. Allocating slots, claiming backing
 * nodes and releasing them interleave at every ZooKeeper call; this keeps each one whole, as the
 * original's allocation lock does between its threads.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}
