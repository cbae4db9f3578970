/**
 * PostgreSQL executors on the DataSource's `pg` pool. A statement outside a transaction checks a
 * client out for one round trip: the session settings (src/sql/session-settings.ts) and the
 * statement, as unnamed statements in one implicit transaction (nothing is prepared by name and no
 * setting outlives the statement, so nothing leaks to another client behind a transaction pooler).
 * A transaction checks one client out for its whole life: `BEGIN; SET LOCAL ...`, the callback's
 * statements, COMMIT or ROLLBACK, then the client goes back (or is discarded when it broke).
 */
import { Query } from 'pg';
import { TransactionAbortedError, type TrinityDbError } from '../errors';
import { placeholders } from '../dialect';
import { translateDriverError, type ErrorContext } from './driver-errors';
import { ExecutorBase, TransactionExecutor, type WriteResult } from './executor';
import { FifoLock } from './fifo-lock';
import type { QueryLog } from './query-log';
import { beginStatement, statementPrelude, type SessionSettings } from './session-settings';

interface PgResult {
  rows: unknown[];
  rowCount: number | null;
  /** The command tag: COMMIT of an aborted transaction answers ROLLBACK, without an error. */
  command: string;
}

interface QueryConfig {
  text: string;
  values?: unknown[];
}

interface PgClient {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  query<T extends StatementWithSettings>(submittable: T): T;
  release(destroy?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of a `pg` Pool the executors use. */
export interface PgPool {
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

/** The pg internals a StatementWithSettings drives (see pg/lib/query.js; pg is pinned). */
interface PgWire {
  parse(config: { text: string; name?: string; types?: unknown[] }): void;
  bind(config: { portal?: string; statement?: string; values?: unknown[]; valueMapper?: (value: unknown) => unknown }): void;
  execute(config: { portal?: string; rows?: number }): void;
}

type QueryInternals = Query & {
  prepare(connection: PgWire): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: PgWire): void;
};

/**
 * One statement behind its settings prelude, in one round trip: Parse/Bind/Execute of the prelude
 * (`set_config(..., true)`), then pg's own Parse/Bind/Describe/Execute of the statement, then one
 * Sync. Up to Sync the server runs both in one implicit transaction: the settings hold for the
 * statement (the statement timeout restarts with its first message) and are gone after it. The
 * prelude's row and command tag are not part of the result.
 */
export class StatementWithSettings extends (Query as unknown as new (config: QueryConfig & { queryMode: 'extended' }) => QueryInternals) {
  private preludePending = false;

  constructor(
    private readonly prelude: string,
    config: QueryConfig,
  ) {
    // Extended protocol even without parameters: the simple protocol would commit the prelude alone.
    super({ ...config, queryMode: 'extended' });
  }

  /** Resolves with the statement's result (pg calls `callback` at ReadyForQuery or on an error). */
  readonly result = new Promise<PgResult>((resolve, reject) => {
    (this as unknown as { callback: (error: Error | null, result: PgResult) => void }).callback = (error, result) => (error ? reject(error) : resolve(result));
  });

  prepare(connection: PgWire): void {
    connection.parse({ text: this.prelude });
    connection.bind({ values: [] });
    connection.execute({});
    this.preludePending = true;
    super.prepare(connection);
  }

  handleDataRow(message: unknown): void {
    if (!this.preludePending) super.handleDataRow(message);
  }

  handleCommandComplete(message: unknown, connection: PgWire): void {
    if (this.preludePending) this.preludePending = false;
    else super.handleCommandComplete(message, connection);
  }
}

/** Something statements run on: the pool (a client per statement) or a transaction's connection. */
interface StatementTarget {
  query(config: QueryConfig): Promise<PgResult>;
}

/** What both PostgreSQL executors share: error context, session settings and logging. */
class PgSession {
  readonly errorContext: ErrorContext;
  /** Statements outside a transaction: a client for one round trip, the settings ahead of the statement. */
  readonly onPool: StatementTarget;
  readonly beginText: string;

  constructor(
    readonly pool: PgPool,
    readonly target: string,
    acquireTimeoutMs: number,
    settings: SessionSettings,
    readonly log: QueryLog | null,
  ) {
    this.errorContext = { target, pool: { max: pool.options.max, acquireTimeoutMs, isFull: () => pool.totalCount >= pool.options.max } };
    this.beginText = beginStatement(settings);
    const prelude = statementPrelude(settings);
    this.onPool = {
      query: async (config) => {
        const connection = new PgConnection(await pool.connect());
        let failure: unknown;
        try {
          return await (prelude === null ? connection.client.query(config.text, config.values) : connection.client.query(new StatementWithSettings(prelude, config)).result);
        } catch (error) {
          failure = error;
          throw error;
        } finally {
          connection.release(failure === undefined || isStatementError(failure) ? undefined : failure);
        }
      },
    };
  }

  translate(error: unknown): TrinityDbError {
    return translateDriverError('postgres', error, this.errorContext);
  }

  run(on: StatementTarget, sql: string, params: readonly unknown[]): Promise<PgResult> {
    const text = pgText(sql);
    this.log?.query(text);
    return on.query({ text, values: params as unknown[] }).catch((error: unknown) => {
      const translated = this.translate(error);
      this.log?.error(translated, text);
      throw translated;
    });
  }
}

/**
 * An error the server reported for a statement (severity ERROR): the connection is still in sync
 * and usable. Anything else (FATAL, a socket error, a timeout) may leave it in an unknown state.
 */
function isStatementError(error: unknown): boolean {
  return (error as { severity?: unknown } | null)?.severity === 'ERROR';
}

/** One checked-out client: for one statement, or for the life of a transaction. */
class PgConnection implements StatementTarget {
  private broken: Error | undefined;
  private readonly onError = (error: Error) => {
    // A checked-out client that loses its server emits 'error'; without a listener Node would crash
    // the process. The server's reason (e.g. the idle-in-transaction timeout) is kept for the next call.
    this.broken = error;
  };

  constructor(readonly client: PgClient) {
    client.on('error', this.onError);
  }

  query(config: QueryConfig): Promise<PgResult> {
    // (text, values), not the config object: pg copies a config object property by property per query.
    return this.broken ? Promise.reject(this.broken) : this.client.query(config.text, config.values);
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

  constructor(pool: PgPool, target: string, acquireTimeoutMs: number, settings: SessionSettings, log: QueryLog | null) {
    super(target);
    this.session = new PgSession(pool, target, acquireTimeoutMs, settings, log);
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
    return (await this.session.run(this.session.onPool, sql, params)).rows as T[];
  }

  protected async runExecute(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    return { affected: (await this.session.run(this.session.onPool, sql, params)).rowCount ?? 0 };
  }

  protected async begin(): Promise<TransactionExecutor> {
    const connection = new PgConnection(await this.session.pool.connect());
    try {
      await this.session.run(connection, this.session.beginText, []);
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
      committed = await this.session.run(connection, 'COMMIT', []);
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
      await this.session.run(connection, 'ROLLBACK', []);
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
    return (await this.session.run(this.connection, sql, params)).rows as T[];
  }

  protected async runExecute(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    return { affected: (await this.session.run(this.connection, sql, params)).rowCount ?? 0 };
  }

  protected async begin(): Promise<TransactionExecutor> {
    const savepoint = new PostgresTransactionExecutor(this.session, this.connection, this, this.depth + 1);
    await this.session.run(this.connection, `SAVEPOINT ${savepoint.savepointName}`, []);
    return savepoint;
  }

  protected async commit(tx: TransactionExecutor): Promise<void> {
    const name = (tx as PostgresTransactionExecutor).savepointName;
    try {
      await this.session.run(this.connection, `RELEASE SAVEPOINT ${name}`, []);
    } catch (error) {
      await this.rollback(tx);
      throw error;
    }
  }

  protected async rollback(tx: TransactionExecutor): Promise<void> {
    const name = (tx as PostgresTransactionExecutor).savepointName;
    // A failure here (a dead connection) surfaces at the outer COMMIT, which then fails as well.
    await this.session
      .run(this.connection, `ROLLBACK TO SAVEPOINT ${name}`, [])
      .then(() => this.session.run(this.connection, `RELEASE SAVEPOINT ${name}`, []))
      .catch(() => undefined);
  }

  protected get errorContext(): ErrorContext {
    return this.session.errorContext;
  }
}
