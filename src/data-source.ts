import 'reflect-metadata';
import Database from 'better-sqlite3';
import { DataSource, EntitySchema, type QueryRunner, type DataSourceOptions, type EntitySchemaColumnOptions, type Logger, type LoggerOptions, type Migration, type MigrationInterface } from 'typeorm';
import { ensureSqliteDirectory, loadDatabaseConfig, parseDatabaseUrl, type DatabaseConfig, type PostgresConfig, type SqliteConfig } from './config';
import { columnOptionsFor, POSTGRES_TYPE_PARSERS, sqliteConnectionPragmas, translateDriverError, type Driver } from './dialect';
import { registeredTables, type TableSpec } from './entity/columns';
import './entity';
import { MIGRATIONS } from './migration';
import { SerialQueue } from './serial-queue';

export type MigrationClass = new () => MigrationInterface;

export interface CreateDataSourceOptions {
  /** TypeORM logging (off by default). Query parameters may hold secrets: keep it off in production. */
  logging?: LoggerOptions;
  logger?: Logger;
  /** Replaces the driver's migration track (tests use it to add a failing migration). */
  migrations?: MigrationClass[];
}

const IMMEDIATE = Symbol('trinity-db.immediate-transactions');

/** Name of TypeORM's bookkeeping table (the legacy `schema_migrations` table is left alone). */
export const MIGRATIONS_TABLE = 'typeorm_migrations';

/** Arbitrary constant: the PostgreSQL advisory lock that serialises migration runs across processes. */
export const PG_MIGRATION_LOCK_KEY = '7306205781400813345';

/** How long a SQLite start-up waits for another process's migration run (file DBs only). */
const SQLITE_MIGRATION_LOCK_WAIT_MS = 15 * 60_000;

/** Turns the entity registry into EntitySchemas for one driver; the targets stay the decorated classes. */
export function buildEntitySchemas(driver: Driver, tables: TableSpec[] = registeredTables()): EntitySchema[] {
  return tables.map((table) => {
    const propertyOf = (column: string) => table.columns.find((c) => c.name === column)!.propertyName;
    const columns: Record<string, EntitySchemaColumnOptions> = {};
    for (const column of table.columns) columns[column.propertyName] = columnOptionsFor(driver, column);
    return new EntitySchema({
      name: table.target.name,
      target: table.target,
      tableName: table.tableName,
      columns,
      uniques: table.uniques.map((cols) => ({ columns: cols.map(propertyOf) })),
      indices: table.indexes.map((index) => ({ name: index.name, columns: index.columns.map(propertyOf) })),
    });
  });
}

/**
 * A DataSource that knows its trinity-db configuration and serialises migration runs across
 * processes (PostgreSQL advisory lock; on SQLite an exclusive lock on a sibling lock file).
 */
export class TrinityDataSource extends DataSource {
  readonly driverName: Driver;
  /** Serialises work on the single SQLite connection (unused on PostgreSQL, which has a pool). */
  private readonly sqliteQueue = new SerialQueue();

  constructor(
    readonly config: DatabaseConfig,
    options: DataSourceOptions,
  ) {
    super(options);
    this.driverName = config.driver;
  }

  get maskedUrl(): string {
    return this.config.maskedUrl;
  }

  /**
   * Runs `fn` with exclusive use of the connection on SQLite (FIFO, re-entrant); directly on PostgreSQL.
   * Repositories run every method through it, so no statement lands in another caller's transaction.
   */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    return this.driverName === 'sqlite' ? this.sqliteQueue.run(fn) : fn();
  }

  /** DataSource.transaction, serialised on SQLite so concurrent transactions queue instead of colliding. */
  override transaction: DataSource['transaction'] = ((...args: unknown[]) =>
    this.serialize(() => (DataSource.prototype.transaction as (...a: unknown[]) => Promise<unknown>).apply(this, args))) as DataSource['transaction'];

  /** What error messages name: the file for SQLite, the masked URL for PostgreSQL (never a password). */
  get target(): string {
    return this.config.driver === 'sqlite' ? this.config.path : this.config.maskedUrl;
  }

  override async initialize(): Promise<this> {
    if (this.config.driver === 'sqlite') ensureSqliteDirectory(this.config);
    try {
      await super.initialize();
    } catch (error) {
      throw translateDriverError(error, this.target);
    }
    this.restoreSqliteForeignKeyMode();
    this.useImmediateSqliteTransactions();
    return this;
  }

  /**
   * TypeORM opens SQLite transactions with a deferred BEGIN: a transaction that reads and then writes
   * fails at once with SQLITE_BUSY when another process wrote in between (the busy timeout cannot
   * help). BEGIN IMMEDIATE takes the write lock up front, waiting up to the busy timeout.
   */
  private useImmediateSqliteTransactions(): void {
    if (this.config.driver !== 'sqlite') return;
    const runner = this.driver.createQueryRunner('master') as QueryRunner & { [IMMEDIATE]?: true };
    if (runner[IMMEDIATE]) return;
    const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
    (runner as { query: unknown }).query = (sql: string, ...rest: unknown[]) => query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest);
    runner[IMMEDIATE] = true;
  }

  override async runMigrations(options?: Parameters<DataSource['runMigrations']>[0]): Promise<Migration[]> {
    return this.underMigrationLock(() => super.runMigrations({ transaction: 'each', ...options }));
  }

  /** Reverting takes the same cross-process lock as running. */
  override async undoLastMigration(options?: Parameters<DataSource['undoLastMigration']>[0]): Promise<void> {
    return this.underMigrationLock(() => super.undoLastMigration(options));
  }

  /** Runs migration work under the cross-process lock, then puts SQLite's foreign-key mode back. */
  private async underMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquireMigrationLock();
    try {
      return await this.serialize(work);
    } finally {
      this.restoreSqliteForeignKeyMode();
      await release();
    }
  }

  /**
   * The TypeORM CLI switches query logging on through setOptions. Query parameters may hold secrets
   * (tokens, hashes), so query logging is dropped; schema, migration and error logs stay.
   */
  override setOptions(options: Partial<DataSourceOptions>): this {
    if (!('logging' in options)) return super.setOptions(options);
    return super.setOptions({ ...options, logging: withoutQueryLogging(options.logging) } as Partial<DataSourceOptions>);
  }

  /** TypeORM switches SQLite foreign keys on at connect and after migrations; the legacy schema needs them off. */
  private restoreSqliteForeignKeyMode(): void {
    if (this.config.driver !== 'sqlite' || !this.isInitialized) return;
    const connection = (this.driver as unknown as { databaseConnection: Database.Database }).databaseConnection;
    connection.pragma('foreign_keys = OFF');
  }

  private async acquireMigrationLock(): Promise<() => Promise<void>> {
    if (this.config.driver === 'postgres') {
      const runner = this.createQueryRunner();
      await runner.connect();
      try {
        await runner.query('SET statement_timeout = 0');
        await runner.query('SELECT pg_advisory_lock($1)', [PG_MIGRATION_LOCK_KEY]);
      } catch (error) {
        await runner.release();
        throw error;
      }
      return async () => {
        try {
          await runner.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATION_LOCK_KEY]);
        } finally {
          await runner.release();
        }
      };
    }
    return lockSqliteMigrations(this.config);
  }
}

const ALL_LOG_LEVELS = ['error', 'schema', 'warn', 'info', 'log', 'migration'] as const;

function withoutQueryLogging(logging: LoggerOptions | undefined): LoggerOptions | undefined {
  if (logging === true || logging === 'all') return [...ALL_LOG_LEVELS];
  if (Array.isArray(logging)) return logging.filter((level) => level !== 'query');
  return logging;
}

/** The sibling file whose exclusive lock serialises SQLite migration runs across processes. */
export function sqliteMigrationLockPath(databasePath: string): string {
  return `${databasePath}-migrations.lock`;
}

const inProcessSqliteLocks = new Map<string, Promise<void>>();

/**
 * Serialises SQLite migration runs on one database file: in this process with a promise chain
 * (better-sqlite3 waits synchronously, so two waiters in one process would block each other),
 * across processes with BEGIN EXCLUSIVE on `<file>-migrations.lock`, which the OS releases if the
 * holder dies. The lock file is never deleted: a waiter may hold it open.
 */
async function lockSqliteMigrations(config: SqliteConfig): Promise<() => Promise<void>> {
  if (config.inMemory) return async () => undefined;
  const previous = inProcessSqliteLocks.get(config.path) ?? Promise.resolve();
  let releaseInProcess!: () => void;
  const current = new Promise<void>((resolve) => (releaseInProcess = resolve));
  const chained = previous.then(() => current);
  inProcessSqliteLocks.set(config.path, chained);
  await previous;
  let lockDb: Database.Database | undefined;
  try {
    lockDb = new Database(sqliteMigrationLockPath(config.path), { timeout: SQLITE_MIGRATION_LOCK_WAIT_MS });
    lockDb.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lockDb?.close();
    releaseInProcess();
    throw error;
  }
  return async () => {
    try {
      lockDb!.exec('COMMIT');
      lockDb!.close();
    } finally {
      releaseInProcess();
      if (inProcessSqliteLocks.get(config.path) === chained) inProcessSqliteLocks.delete(config.path);
    }
  };
}

function sqliteOptions(config: SqliteConfig): DataSourceOptions {
  return {
    type: 'better-sqlite3',
    database: config.path,
    timeout: config.busyTimeoutMs,
    prepareDatabase: (db: Database.Database) => {
      for (const pragma of sqliteConnectionPragmas(config)) db.pragma(pragma);
    },
  };
}

function postgresOptions(config: PostgresConfig): DataSourceOptions {
  return {
    type: 'postgres',
    host: config.host,
    port: config.port,
    database: config.database,
    username: config.user,
    password: config.password,
    ssl: config.ssl,
    applicationName: config.applicationName,
    connectTimeoutMS: config.connectTimeoutMs,
    poolSize: config.pool.max,
    extra: {
      max: config.pool.max,
      min: config.pool.min,
      connectionTimeoutMillis: config.pool.acquireTimeoutMs,
      idleTimeoutMillis: config.pool.idleTimeoutMs,
      ...(config.statementTimeoutMs > 0 ? { statement_timeout: config.statementTimeoutMs } : {}),
      // Naive timestamp strings are UTC everywhere in Trinity.
      options: '-c TimeZone=UTC',
      types: POSTGRES_TYPE_PARSERS,
    },
  };
}

/**
 * Builds (does not connect) a DataSource for a DATABASE_URL, a parsed config, or, by default,
 * the environment (DATABASE_URL, TRINITY_DB_PATH, or sqlite:///data/trinity.db). Column kinds and
 * the migration track are resolved for that driver here, never at import time.
 */
export function createDataSource(target?: string | DatabaseConfig, options: CreateDataSourceOptions = {}): TrinityDataSource {
  const config =
    target === undefined ? loadDatabaseConfig() : typeof target === 'string' ? parseDatabaseUrl(target, process.env, 'argument') : target;
  const driverOptions = config.driver === 'sqlite' ? sqliteOptions(config) : postgresOptions(config);
  return new TrinityDataSource(config, {
    ...driverOptions,
    entities: buildEntitySchemas(config.driver),
    migrations: options.migrations ?? MIGRATIONS[config.driver],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: options.logging ?? false,
    logger: options.logger,
  } as DataSourceOptions);
}
