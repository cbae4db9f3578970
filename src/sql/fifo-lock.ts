/** Resolved once, shared: acquiring a free lock allocates nothing. */
const ACQUIRED: Promise<void> = Promise.resolve();

/**
 * A first-in, first-out mutex. `acquire()` resolves in call order; `release()` hands the lock straight
 * to the next waiter, so a caller arriving while others wait queues behind them. Nothing about the
 * holder is inferred: whoever acquired it must release it.
 */
export class FifoLock {
  private held = false;
  private waiters: (() => void)[] = [];
  private head = 0;

  get isHeld(): boolean {
    return this.held;
  }

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return ACQUIRED;
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    if (this.head < this.waiters.length) {
      const next = this.waiters[this.head++];
      if (this.head === this.waiters.length) {
        this.waiters = [];
        this.head = 0;
      }
      next();
      return;
    }
    this.held = false;
  }

  /** Runs `fn` holding the lock; releases it when `fn` settles. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
