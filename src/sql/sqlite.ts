/**
 * SQLite executors on the one better-sqlite3 connection of a DataSource. better-sqlite3 runs each
 * statement synchronously, so a statement alone never interleaves with another; what needs a lock
 * is a transaction, which spans awaits. The FIFO lock is taken once for the whole of a transaction
 * (at BEGIN IMMEDIATE, released after COMMIT or ROLLBACK); a statement outside a transaction runs at
 * once when the lock is free and queues behind the transaction otherwise. Prepared statements are
 * cached per SQL text.
 */
import { DatabaseQueryError, TransactionAbortedError, type TrinityDbError } from '../errors';
import { translateDriverError, type ErrorContext } from './driver-errors';
import { ExecutorBase, TransactionExecutor, type WriteResult } from './executor';
import { FifoLock } from './fifo-lock';
import type { QueryLog } from './query-log';

interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}

/** The part of a better-sqlite3 Database the executors use. */
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  pragma(source: string): unknown;
  readonly inTransaction: boolean;
}

/** Prepared statements by SQL text, cleared when the cache grows past its cap (dynamic SQL). */
class StatementCache {
  private static readonly CAP = 1000;
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly connection: SqliteConnection) {}

  get(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= StatementCache.CAP) this.statements.clear();
      statement = this.connection.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** What both SQLite executors share: the connection, its statements, error translation. */
class SqliteSession {
  readonly statements: StatementCache;
  /**
   * A statement of the open transaction failed: like PostgreSQL, the transaction then accepts
   * nothing but a rollback (to a savepoint taken before the failure, or of the whole).
   */
  aborted = false;

  constructor(
    readonly connection: SqliteConnection,
    readonly target: string,
    readonly log: QueryLog | null,
  ) {
    this.statements = new StatementCache(connection);
    this.errorContext = { target };
  }

  readonly errorContext: ErrorContext;

  translate(error: unknown): TrinityDbError {
    return translateDriverError('sqlite', error, this.errorContext);
  }

  select<T>(sql: string, params: readonly unknown[], inTransaction: boolean): Promise<T[]> {
    if (inTransaction && this.aborted) return Promise.reject(new TransactionAbortedError(this.target));
    this.log?.query(sql);
    try {
      const statement = this.statements.get(sql);
      if (statement.reader) return Promise.resolve(statement.all(...bind(params)) as T[]);
      statement.run(...bind(params));
      return Promise.resolve([]);
    } catch (error) {
      return Promise.reject(this.failed(error, sql, inTransaction));
    }
  }

  execute(sql: string, params: readonly unknown[], inTransaction: boolean): Promise<WriteResult> {
    if (inTransaction && this.aborted) return Promise.reject(new TransactionAbortedError(this.target));
    this.log?.query(sql);
    try {
      const statement = this.statements.get(sql);
      if (statement.reader) {
        // A statement that returns rows (e.g. `UPDATE ... RETURNING`) reports no changes, as TypeORM did.
        statement.all(...bind(params));
        return Promise.resolve({ affected: 0 });
      }
      return Promise.resolve({ affected: statement.run(...bind(params)).changes });
    } catch (error) {
      return Promise.reject(this.failed(error, sql, inTransaction));
    }
  }

  /** Runs a transaction-control statement; throws the translated error. */
  control(sql: string): void {
    this.log?.query(sql);
    try {
      this.statements.get(sql).run();
    } catch (error) {
      throw this.failed(error, sql, false);
    }
  }

  /** Rolls back to `sql`'s target; if even that fails the connection's own state decides (SQLite may have rolled back already). */
  rollback(statements: string[]): void {
    for (const sql of statements) {
      if (!this.connection.inTransaction) return;
      try {
        this.control(sql);
      } catch {
        // Nothing more can be done on this connection for this transaction; the next BEGIN starts clean
        // only if SQLite has ended it, which `inTransaction` tells the next caller.
      }
    }
  }

  /** SQLite ended the transaction by itself after an error (a full disk, an I/O error) that the callback caught. */
  autoRolledBack(): TrinityDbError {
    return new DatabaseQueryError(this.target, 'SQLITE_ABORT', 'SQLite rolled the transaction back after an earlier error; nothing of it was stored');
  }

  private failed(error: unknown, sql: string, inTransaction: boolean): TrinityDbError {
    if (inTransaction) this.aborted = true;
    const translated = this.translate(error);
    this.log?.error(translated, sql);
    return translated;
  }
}

/** Booleans bind as 0/1, as TypeORM binds them; everything else as given. */
function bind(params: readonly unknown[]): unknown[] {
  for (let i = 0; i < params.length; i++) {
    if (typeof params[i] === 'boolean') return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  }
  return params as unknown[];
}

/** The DataSource's SQLite executor: statements outside a transaction, and the transaction lock. */
export class SqliteExecutor extends ExecutorBase {
  readonly driver = 'sqlite' as const;
  readonly inTransaction = false;
  protected readonly connectionLock = new FifoLock();
  private readonly session: SqliteSession;
  private closed = false;

  constructor(connection: SqliteConnection, target: string, log: QueryLog | null) {
    super(target);
    this.session = new SqliteSession(connection, target, log);
  }

  /**
   * TypeORM switches foreign keys on at connect and after migrations; the legacy schema needs them
   * off (legacy rows violate the declared ones, and the Python layer never enforced them).
   */
  resetConnectionSettings(): void {
    this.session.connection.pragma('foreign_keys = OFF');
  }

  /** Called when the DataSource is destroyed: later calls fail with a typed error, not a driver TypeError. */
  close(): void {
    this.closed = true;
  }

  protected unusableReason(): string | undefined {
    return this.closed ? 'the database has been closed (DatabaseManager.close() or DataSource.destroy())' : undefined;
  }

  protected runSelect<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.session.select<T>(sql, params, false);
  }

  protected runExecute(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    return this.session.execute(sql, params, false);
  }

  protected async begin(): Promise<TransactionExecutor> {
    // IMMEDIATE takes the write lock up front (waiting up to the busy timeout for another process):
    // a deferred BEGIN fails a read-then-write transaction at once when another process wrote in between.
    this.session.control('BEGIN IMMEDIATE');
    this.session.aborted = false;
    return new SqliteTransactionExecutor(this.session, this, 1);
  }

  protected async commit(): Promise<void> {
    if (!this.session.connection.inTransaction) throw this.session.autoRolledBack();
    if (this.session.aborted) {
      this.session.rollback(['ROLLBACK']);
      throw new TransactionAbortedError(this.target);
    }
    try {
      this.session.control('COMMIT');
    } catch (error) {
      this.session.rollback(['ROLLBACK']);
      throw error;
    }
  }

  protected async rollback(): Promise<void> {
    this.session.rollback(['ROLLBACK']);
  }

  protected get errorContext(): ErrorContext {
    return this.session.errorContext;
  }
}

/** An executor bound to a SQLite transaction (depth 1) or a savepoint inside it (depth 2+). */
class SqliteTransactionExecutor extends TransactionExecutor {
  readonly driver = 'sqlite' as const;
  protected readonly connectionLock = new FifoLock();

  constructor(
    private readonly session: SqliteSession,
    parent: ExecutorBase,
    depth: number,
  ) {
    super(session.target, parent, depth);
  }

  protected unusableReason(): string | undefined {
    const ended = super.unusableReason();
    if (ended) return ended;
    // SQLite ends a transaction by itself after some errors (a full disk, an I/O error): what follows
    // would run outside any transaction, so nothing more may run in this one.
    if (!this.session.connection.inTransaction) return 'SQLite rolled this transaction back after an earlier error; nothing of it was stored';
    return undefined;
  }

  protected runSelect<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.session.select<T>(sql, params, true);
  }

  protected runExecute(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    return this.session.execute(sql, params, true);
  }

  protected async begin(): Promise<TransactionExecutor> {
    if (this.session.aborted) throw new TransactionAbortedError(this.target);
    const savepoint = new SqliteTransactionExecutor(this.session, this, this.depth + 1);
    this.session.control(`SAVEPOINT ${savepoint.savepointName}`);
    return savepoint;
  }

  protected async commit(tx: TransactionExecutor): Promise<void> {
    const name = (tx as SqliteTransactionExecutor).savepointName;
    if (!this.session.connection.inTransaction) throw this.session.autoRolledBack();
    if (this.session.aborted) {
      await this.rollback(tx);
      throw new TransactionAbortedError(this.target);
    }
    try {
      this.session.control(`RELEASE ${name}`);
    } catch (error) {
      this.session.rollback([`ROLLBACK TO ${name}`, `RELEASE ${name}`]);
      throw error;
    }
  }

  protected async rollback(tx: TransactionExecutor): Promise<void> {
    const name = (tx as SqliteTransactionExecutor).savepointName;
    this.session.rollback([`ROLLBACK TO ${name}`, `RELEASE ${name}`]);
    // Back to the state before the savepoint, which was not aborted (nothing runs in an aborted one).
    if (this.session.connection.inTransaction) this.session.aborted = false;
  }

  protected get errorContext(): ErrorContext {
    return this.session.errorContext;
  }
}

const IMMEDIATE = Symbol('trinity-db.immediate-transactions');

/**
 * TypeORM's own SQLite transactions (migration runs) start with a deferred BEGIN, which fails a
 * read-then-write transaction at once when another process wrote in between; make them IMMEDIATE,
 * as the executors' transactions are. `runner` is the DataSource's one SQLite query runner.
 */
export function useImmediateTransactions(runner: { query(sql: string, ...rest: unknown[]): Promise<unknown> }): void {
  const marked = runner as typeof runner & { [IMMEDIATE]?: true };
  if (marked[IMMEDIATE]) return;
  const query = runner.query.bind(runner);
  runner.query = (sql: string, ...rest: unknown[]) => query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest);
  marked[IMMEDIATE] = true;
}
