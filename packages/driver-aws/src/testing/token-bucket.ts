/** A token bucket: `rate` tokens a second, holding at most a second's worth (at least one). */
export class TokenBucket {
  private tokens: number;
  private readonly capacity: number;

  constructor(
    readonly rate: number,
    private last: number,
  ) {
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
  }

  /** Takes a token if there is one; false when the request is to be throttled. */
  take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
