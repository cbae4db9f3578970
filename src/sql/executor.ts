/**
 * The executor seam: the one path from a repository to a driver. A repository is built on an
 * executor and runs SQL only through it:
 * - the DataSource's executor (SqliteExecutor / PostgresExecutor) runs a statement on its own: on
 *   SQLite on the one connection, waiting while a transaction holds it; on PostgreSQL on the pool;
 * - `transaction(fn)` opens a transaction and hands `fn` an executor bound to it; on a transaction's
 *   executor it opens a savepoint. The transaction commits when `fn` resolves and rolls back when it
 *   throws; its executor refuses every statement afterwards.
 * Driver errors become the package's typed errors here (src/sql/driver-errors.ts), once.
 *
 * A transaction may be retried (`{ retries }`) when it fails with a serialization failure or a
 * deadlock (TransactionConflictError: PostgreSQL 40001 / 40P01): the callback runs again from the
 * start, after a jittered backoff. Only an outermost transaction is retried: inside one, the
 * conflict has aborted the whole transaction, so a savepoint ignores `retries` and the error
 * propagates to the outermost transaction, which retries if it was asked to.
 *
 * Two rules hold on both drivers, so that nothing runs in a transaction it does not belong to:
 * - while a transaction's callback runs, the executor the transaction was opened from (and any
 *   executor above it) refuses calls made from inside that callback: such a call would run outside
 *   the transaction on PostgreSQL and deadlock behind it on SQLite. The callback's async context is
 *   only consulted to refuse, never to grant access to a connection.
 * - a transaction's executor refuses calls once the transaction has ended.
 */
import { AsyncLocalStorage } from 'async_hooks';
import type { Driver } from '../dialect';
import { InputValidationError, TransactionConflictError, TransactionUsageError, type TrinityDbError } from '../errors';
import { translateDriverError, translateIfDriverError, type ErrorContext } from './driver-errors';
import type { FifoLock } from './fifo-lock';

export type Row = Record<string, unknown>;

export interface WriteResult {
  /** Rows matched by an UPDATE/DELETE, rows inserted by an INSERT. */
  affected: number;
}

export interface SqlExecutor {
  readonly driver: Driver;
  /** What errors name: the SQLite file, or the PostgreSQL URL with its password masked. */
  readonly target: string;
  /** True on an executor bound to a transaction (or a savepoint inside one). */
  readonly inTransaction: boolean;
  /** A statement with `?` placeholders; rows as the driver returns them (`INSERT ... RETURNING` too). */
  select<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** A statement with `?` placeholders; the number of rows it inserted, updated or deleted. */
  execute(sql: string, params?: readonly unknown[]): Promise<WriteResult>;
  /** Runs `fn` in a new transaction (a savepoint when this executor is bound to one). */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export interface TransactionOptions {
  /**
   * How many times to run `fn` again when the transaction fails with a serialization failure or a
   * deadlock (TransactionConflictError), after a jittered exponential backoff; 0 (the default) to
   * 10. `fn` must then be safe to repeat: everything it did in the database was rolled back, but
   * nothing else it did is undone. Ignored by a savepoint: only the outermost transaction retries.
   */
  retries?: number;
}

/** The most retries a transaction may ask for: a conflict that persists is not transient. */
export const MAX_TRANSACTION_RETRIES = 10;
const RETRY_BASE_DELAY_MS = 20;
const RETRY_MAX_DELAY_MS = 1000;

/** The retries a caller asked for, checked (an outermost transaction) or 0 (a savepoint). */
export function transactionRetries(options: TransactionOptions | undefined): number {
  const retries = options?.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_TRANSACTION_RETRIES) {
    throw new InputValidationError('retries', `expected an integer from 0 to ${MAX_TRANSACTION_RETRIES}, got ${String(retries)}`);
  }
  return retries;
}

/** "Full jitter": a random wait up to an exponentially growing cap, so conflicting callers spread out. */
function retryDelayMs(attempt: number): number {
  return Math.random() * Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** attempt);
}

/** The innermost transaction whose callback is running: consulted only to refuse misdirected calls. */
const runningCallback = new AsyncLocalStorage<TransactionExecutor>();

const NO_PARAMS: readonly unknown[] = [];

/** The shared rules of every executor; subclasses supply the driver calls. */
export abstract class ExecutorBase implements SqlExecutor {
  abstract readonly driver: Driver;
  abstract readonly inTransaction: boolean;
  /**
   * Held while a transaction (or savepoint) opened from this executor is open: statements of this
   * executor then wait for it. Null where a transaction never shares this executor's connection (a pool).
   */
  protected abstract readonly connectionLock: FifoLock | null;

  protected constructor(readonly target: string) {}

  /** Why this executor cannot run anything right now (closed, ended), or undefined. */
  protected abstract unusableReason(): string | undefined;
  protected abstract runSelect<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  protected abstract runExecute(sql: string, params: readonly unknown[]): Promise<WriteResult>;
  /** Opens a transaction (or savepoint) under this executor; the lock is held by the caller. */
  protected abstract begin(): Promise<TransactionExecutor>;
  /** Commits `tx`; on failure rolls it back and throws the translated error. */
  protected abstract commit(tx: TransactionExecutor): Promise<void>;
  /** Rolls `tx` back; never throws (a connection that cannot roll back is discarded). */
  protected abstract rollback(tx: TransactionExecutor): Promise<void>;
  /** What this executor's errors name (and, on PostgreSQL, the pool figures a pool timeout reports). */
  protected abstract readonly errorContext: ErrorContext;

  select<T = Row>(sql: string, params: readonly unknown[] = NO_PARAMS): Promise<T[]> {
    const refused = this.refusal(params);
    if (refused) return Promise.reject(refused);
    const lock = this.connectionLock;
    return lock?.isHeld ? lock.run(() => this.runSelect<T>(sql, params)) : this.runSelect<T>(sql, params);
  }

  execute(sql: string, params: readonly unknown[] = NO_PARAMS): Promise<WriteResult> {
    const refused = this.refusal(params);
    if (refused) return Promise.reject(refused);
    const lock = this.connectionLock;
    return lock?.isHeld ? lock.run(() => this.runExecute(sql, params)) : this.runExecute(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const refused = this.refusal(NO_PARAMS);
    if (refused) throw refused;
    const retries = transactionRetries(options);
    if (this.inTransaction || retries === 0) return this.runTransaction(fn);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.runTransaction(fn);
      } catch (error) {
        if (!(error instanceof TransactionConflictError) || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
        const closed = this.refusal(NO_PARAMS);
        if (closed) throw closed;
      }
    }
  }

  private async runTransaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const lock = this.connectionLock;
    if (lock) await lock.acquire();
    let tx: TransactionExecutor;
    try {
      tx = await this.begin();
    } catch (error) {
      lock?.release();
      throw translateDriverError(this.driver, error, this.errorContext);
    }
    let result: T;
    try {
      result = await runningCallback.run(tx, () => fn(tx));
    } catch (error) {
      tx.end();
      await this.rollback(tx);
      lock?.release();
      throw error;
    }
    tx.end();
    try {
      await this.commit(tx);
    } finally {
      lock?.release();
    }
    return result;
  }

  /**
   * Runs TypeORM-level work (migrations, schema reads) with exclusive use of the connection where
   * the connection is shared (SQLite); directly where it is not (a pool).
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const refused = this.refusal(NO_PARAMS);
    if (refused) throw refused;
    try {
      return await (this.connectionLock ? this.connectionLock.run(work) : work());
    } catch (error) {
      // TypeORM's errors wrap the driver's; errors of the work itself (a failing migration) pass unchanged.
      throw translateIfDriverError(this.driver, error, this.errorContext);
    }
  }

  private refusal(params: readonly unknown[]): TrinityDbError | undefined {
    const unusable = this.unusableReason();
    if (unusable) return new TransactionUsageError(unusable);
    for (let scope: ExecutorBase | undefined = runningCallback.getStore(); scope instanceof TransactionExecutor; scope = scope.parent) {
      if (scope.parent === this && !scope.ended) {
        return new TransactionUsageError(
          'called on the database handle a transaction was opened from, inside that transaction\'s callback: ' +
            'use the handle the callback receives (db.transaction(async (tx) => tx.method(...))), or make the call after the transaction has ended',
        );
      }
    }
    for (let i = 0; i < params.length; i++) {
      const value = params[i];
      // The drivers would store U+FFFD in place of a lone surrogate: refuse instead of altering the text.
      if (typeof value === 'string' && !value.isWellFormed()) {
        return new InputValidationError('parameter', 'contains an unpaired UTF-16 surrogate, which cannot be stored as UTF-8 text');
      }
    }
    return undefined;
  }
}

/** An executor bound to one open transaction or savepoint. */
export abstract class TransactionExecutor extends ExecutorBase {
  readonly inTransaction = true;
  private hasEnded = false;

  protected constructor(
    target: string,
    /** The executor this transaction was opened from. */
    readonly parent: ExecutorBase,
    /** 1 for a transaction, 2+ for savepoints inside it. */
    readonly depth: number,
  ) {
    super(target);
  }

  get ended(): boolean {
    return this.hasEnded;
  }

  /** Marks the transaction ended: every later call on this executor is refused. */
  end(): void {
    this.hasEnded = true;
  }

  protected unusableReason(): string | undefined {
    if (this.hasEnded) {
      return 'this transaction has already ended (committed or rolled back): a tx must not be used after its callback has settled; use the database handle instead';
    }
    return undefined;
  }

  /** The savepoint name of this executor (depth >= 2). */
  protected get savepointName(): string {
    return `trinity_savepoint_${this.depth}`;
  }
}
