/**
 * A counting semaphore: at most `limit` tasks run at once, the rest wait in arrival order.
 * Hand-written because it is a dozen lines and the collector needs nothing more (no per-key
 * limits); IAM's throttling is handled by the SDK's adaptive retry, not here.
 */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a whole number >= 1, got ${limit}`);
  }

  /** `urgent` tasks go to the front of the queue (the next ListUsers page, so the total is known early). */
  async run<T>(task: () => Promise<T>, urgent = false): Promise<T> {
    if (this.running < this.limit) this.running += 1;
    // A finishing task hands its slot straight to the waiter, so `running` never overshoots.
    else await new Promise<void>((resolve) => (urgent ? this.waiting.unshift(resolve) : this.waiting.push(resolve)));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.running -= 1;
      else next();
    }
  }
}
