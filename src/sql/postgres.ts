/**
 * PostgreSQL executors on the DataSource's `pg` pool. A statement outside a transaction is one
 * `pool.query` (an unnamed statement: nothing is prepared by name, so nothing leaks to another client
 * behind a transaction pooler). A transaction checks one client out for its whole life: BEGIN, the
 * callback's statements, COMMIT or ROLLBACK, then the client goes back (or is discarded when it broke).
 */
import { TransactionAbortedError, type TrinityDbError } from '../errors';
import { placeholders } from '../dialect';
import { translateDriverError, type ErrorContext } from './driver-errors';
import { ExecutorBase, TransactionExecutor, type WriteResult } from './executor';
import { FifoLock } from './fifo-lock';
import type { QueryLog } from './query-log';

interface PgResult {
  rows: unknown[];
  rowCount: number | null;
  /** The command tag: COMMIT of an aborted transaction answers ROLLBACK, without an error. */
  command: string;
}

interface PgClient {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  release(destroy?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of a `pg` Pool the executors use. */
export interface PgPool {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  connect(): Promise<PgClient>;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { max: number };
}

export interface PoolFigures {
  max: number;
  total: number;
  idle: number;
  waiting: number;
}

const TEXT_CACHE_CAP = 1000;
/** `?` -> `$n` rewrites by SQL text, shared by every executor (bounded: dynamic SQL exists). */
const pgTexts = new Map<string, string>();

function pgText(sql: string): string {
  let text = pgTexts.get(sql);
  if (text === undefined) {
    if (pgTexts.size >= TEXT_CACHE_CAP) pgTexts.clear();
    text = placeholders('postgres', sql);
    pgTexts.set(sql, text);
  }
  return text;
}

/** What both PostgreSQL executors share: error context and logging. */
class PgSession {
  readonly errorContext: ErrorContext;

  constructor(
    readonly pool: PgPool,
    readonly target: string,
    acquireTimeoutMs: number,
    readonly log: QueryLog | null,
  ) {
    this.errorContext = { target, pool: { max: pool.options.max, acquireTimeoutMs, isFull: () => pool.totalCount >= pool.options.max } };
  }

  translate(error: unknown): TrinityDbError {
    return translateDriverError('postgres', error, this.errorContext);
  }

  run(on: Pick<PgClient, 'query'>, sql: string, params: readonly unknown[]): Promise<PgResult> {
    const text = pgText(sql);
    this.log?.query(text);
    // (text, values), not a config object: pg copies a config object property by property per query.
    return on.query(text, params as unknown[]).catch((error: unknown) => {
      const translated = this.translate(error);
      this.log?.error(translated, text);
      throw translated;
    });
  }
}

/** One checked-out client for the life of a transaction. */
class PgConnection {
  private broken: Error | undefined;
  private readonly onError = (error: Error) => {
    // A checked-out client that loses its server emits 'error'; without a listener Node would crash the process.
    this.broken = error;
  };

  constructor(readonly client: PgClient) {
    client.on('error', this.onError);
  }

  /** Back to the pool, or discarded when it broke (or `failure` says it may be in an unknown state). */
  release(failure?: unknown): void {
    this.client.removeListener('error', this.onError);
    const reason = this.broken ?? (failure instanceof Error ? failure : failure === undefined ? undefined : new Error('discarded'));
    this.client.release(reason ?? false);
  }
}

/** The DataSource's PostgreSQL executor: statements on the pool, transactions on a checked-out client. */
export class PostgresExecutor extends ExecutorBase {
  readonly driver = 'postgres' as const;
  readonly inTransaction = false;
  protected readonly connectionLock = null;
  private readonly session: PgSession;
  private closed = false;

  constructor(pool: PgPool, target: string, acquireTimeoutMs: number, log: QueryLog | null) {
    super(target);
    this.session = new PgSession(pool, target, acquireTimeoutMs, log);
  }

  close(): void {
    this.closed = true;
  }

  poolFigures(): PoolFigures {
    const pool = this.session.pool;
    return { max: pool.options.max, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }

  protected unusableReason(): string | undefined {
    return this.closed ? 'the database has been closed (DatabaseManager.close() or DataSource.destroy())' : undefined;
  }

  protected async runSelect<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.session.run(this.session.pool, sql, params)).rows as T[];
  }

  protected async runExecute(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    return { affected: (await this.session.run(this.session.pool, sql, params)).rowCount ?? 0 };
  }

  protected async begin(): Promise<TransactionExecutor> {
    const connection = new PgConnection(await this.session.pool.connect());
    try {
      await this.session.run(connection.client, 'BEGIN', []);
    } catch (error) {
      connection.release(error);
      throw error;
    }
    return new PostgresTransactionExecutor(this.session, connection, this, 1);
  }

  protected async commit(tx: TransactionExecutor): Promise<void> {
    const { connection } = tx as PostgresTransactionExecutor;
    let committed: PgResult;
    try {
      committed = await this.session.run(connection.client, 'COMMIT', []);
    } catch (error) {
      // The server has rolled back (or the connection is gone): either way this client is done.
      connection.release(error);
      throw error;
    }
    connection.release();
    // A statement failed earlier and the callback caught its error: the server rolled everything back.
    if (committed.command === 'ROLLBACK') throw new TransactionAbortedError(this.target);
  }

  protected async rollback(tx: TransactionExecutor): Promise<void> {
    const { connection } = tx as PostgresTransactionExecutor;
    try {
      await this.session.run(connection.client, 'ROLLBACK', []);
      connection.release();
    } catch (error) {
      connection.release(error);
    }
  }

  protected get errorContext(): ErrorContext {
    return this.session.errorContext;
  }
}

/** An executor bound to a PostgreSQL transaction (depth 1) or a savepoint inside it (depth 2+). */
class PostgresTransactionExecutor extends TransactionExecutor {
  readonly driver = 'postgres' as const;
  /** Savepoints share the transaction's client: statements of the outer level wait while one is open. */
  protected readonly connectionLock = new FifoLock();

  constructor(
    private readonly session: PgSession,
    readonly connection: PgConnection,
    parent: ExecutorBase,
    depth: number,
  ) {
    super(session.target, parent, depth);
  }

  protected async runSelect<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.session.run(this.connection.client, sql, params)).rows as T[];
  }

  protected async runExecute(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    return { affected: (await this.session.run(this.connection.client, sql, params)).rowCount ?? 0 };
  }

  protected async begin(): Promise<TransactionExecutor> {
    const savepoint = new PostgresTransactionExecutor(this.session, this.connection, this, this.depth + 1);
    await this.session.run(this.connection.client, `SAVEPOINT ${savepoint.savepointName}`, []);
    return savepoint;
  }

  protected async commit(tx: TransactionExecutor): Promise<void> {
    const name = (tx as PostgresTransactionExecutor).savepointName;
    try {
      await this.session.run(this.connection.client, `RELEASE SAVEPOINT ${name}`, []);
    } catch (error) {
      await this.rollback(tx);
      throw error;
    }
  }

  protected async rollback(tx: TransactionExecutor): Promise<void> {
    const name = (tx as PostgresTransactionExecutor).savepointName;
    // A failure here (a dead connection) surfaces at the outer COMMIT, which then fails as well.
    await this.session
      .run(this.connection.client, `ROLLBACK TO SAVEPOINT ${name}`, [])
      .then(() => this.session.run(this.connection.client, `RELEASE SAVEPOINT ${name}`, []))
      .catch(() => undefined);
  }

  protected get errorContext(): ErrorContext {
    return this.session.errorContext;
  }
}
