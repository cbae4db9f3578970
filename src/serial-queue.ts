import { AsyncLocalStorage } from 'async_hooks';

/**
 * A FIFO lock for one SQLite connection. better-sqlite3 is a single connection: without it, a
 * statement of one caller would run inside another caller's open transaction (and be rolled back
 * with it), and two transactions would collide ("cannot start a transaction within a transaction").
 * Re-entrant: code already running under the lock (a transaction body, a repository method calling
 * another) runs directly.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly holder = new AsyncLocalStorage<true>();

  get isHeld(): boolean {
    return this.holder.getStore() === true;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.isHeld) return fn();
    const result = this.tail.then(() => this.holder.run(true, fn));
    // The next caller waits for this one to settle, whether it succeeded or not.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
