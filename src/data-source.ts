import 'reflect-metadata';
import { realpathSync } from 'fs';
import path from 'path';
import Database from 'better-sqlite3';
import { DataSource, EntitySchema, MigrationExecutor, type QueryRunner, type DataSourceOptions, type EntitySchemaColumnOptions, type Logger, type LoggerOptions, type Migration, type MigrationInterface } from 'typeorm';
import { ensureSqliteDirectory, loadDatabaseConfig, parseDatabaseUrl, type DatabaseConfig, type PostgresConfig, type SqliteConfig } from './config';
import { columnOptionsFor, POSTGRES_TYPE_PARSERS, sqliteConnectionPragmas, type Driver } from './dialect';
import { registeredTables, type TableSpec } from './entity/columns';
import './entity';
import { DatabaseUnavailableError, MigrationError } from './errors';
import { MIGRATIONS } from './migration';
import { translateIfDriverError } from './sql/driver-errors';
import { PostgresExecutor, type PgPool } from './sql/postgres';
import { quoteIdentifier, sessionSettingsOf } from './sql/session-settings';
import { queryLogFor } from './sql/query-log';
import { SqliteExecutor, useImmediateTransactions, type SqliteConnection } from './sql/sqlite';
import { openSqliteReadOnly, prepareSqliteReadOnly } from './sqlite-read-only';

export type MigrationClass = new () => MigrationInterface;

export interface CreateDataSourceOptions {
  /** TypeORM logging (off by default). Query parameters may hold secrets: keep it off in production. */
  logging?: LoggerOptions;
  logger?: Logger;
  /** Replaces the driver's migration track (tests use it to add a failing migration). */
  migrations?: MigrationClass[];
  /**
   * Open for reading only: SQLite through src/sqlite-read-only.ts (no pragma that writes, nothing
   * created; the file must exist), PostgreSQL sessions with default_transaction_read_only. Running
   * or reverting migrations is refused.
   */
  readOnly?: boolean;
}

/** Name of TypeORM's bookkeeping table (the legacy `schema_migrations` table is left alone). */
export const MIGRATIONS_TABLE = 'typeorm_migrations';

/**
 * The PostgreSQL advisory lock that serialises migration runs across processes: the two-key form
 * `pg_advisory_xact_lock(PG_MIGRATION_LOCK_CLASS, hashtext(<schema>))` (an arbitrary class, the
 * schema the tables live in: the configured one, else current_schema()), so installs in two schemas
 * of one database migrate independently and two processes on one schema never at once.
 */
export const PG_MIGRATION_LOCK_CLASS = 730620578;

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
 * A DataSource that knows its trinity-db configuration, owns the executor every repository runs on,
 * and serialises migration runs across processes (PostgreSQL advisory lock; on SQLite an exclusive
 * lock on a sibling lock file).
 */
export class TrinityDataSource extends DataSource {
  readonly driverName: Driver;
  private rootExecutor: SqliteExecutor | PostgresExecutor | undefined;

  constructor(
    readonly config: DatabaseConfig,
    options: DataSourceOptions,
    /** Opened for reading only (see CreateDataSourceOptions.readOnly). */
    readonly readOnly = false,
  ) {
    super(options);
    this.driverName = config.driver;
  }

  get maskedUrl(): string {
    return this.config.maskedUrl;
  }

  /** What error messages name: the file for SQLite, the masked URL for PostgreSQL (never a password). */
  get target(): string {
    return this.config.driver === 'sqlite' ? this.config.path : this.config.maskedUrl;
  }

  /** The executor on this DataSource's connection (SQLite) or pool (PostgreSQL); repositories are built on it. */
  get executor(): SqliteExecutor | PostgresExecutor {
    if (!this.rootExecutor) {
      if (!this.isInitialized) throw new DatabaseUnavailableError(this.target, 'the DataSource is not initialized (call initialize() first)');
      this.rootExecutor = this.createExecutor();
    }
    return this.rootExecutor;
  }

  private createExecutor(): SqliteExecutor | PostgresExecutor {
    const log = queryLogFor(this.options, this.logger);
    // The driver handles are public fields of TypeORM's drivers; this is the one place that reads them.
    const handle = (this.driver as unknown as { databaseConnection?: SqliteConnection; master?: PgPool });
    if (this.config.driver === 'sqlite') return new SqliteExecutor(handle.databaseConnection!, this.target, log);
    return new PostgresExecutor(handle.master!, this.target, this.config.pool.acquireTimeoutMs, sessionSettingsOf(this.config, this.readOnly), log);
  }

  /** TypeORM's DataSource.transaction, with exclusive use of the SQLite connection while it runs. */
  override transaction: DataSource['transaction'] = ((...args: unknown[]) =>
    this.executor.exclusive(() => (DataSource.prototype.transaction as (...a: unknown[]) => Promise<unknown>).apply(this, args))) as DataSource['transaction'];

  override async initialize(): Promise<this> {
    if (this.config.driver === 'sqlite' && !this.config.inMemory) {
      // Read-only: refuse a missing or non-SQLite file before TypeORM would create its directory.
      if (this.readOnly) prepareSqliteReadOnly(this.config.path).cleanup();
      else ensureSqliteDirectory(this.config);
    }
    try {
      await super.initialize();
    } catch (error) {
      throw translateIfDriverError(this.driverName, error, { target: this.target });
    }
    if (this.config.driver === 'sqlite') {
      useImmediateTransactions(this.driver.createQueryRunner('master'));
      (this.executor as SqliteExecutor).resetConnectionSettings();
    }
    return this;
  }

  override async destroy(): Promise<void> {
    this.rootExecutor?.close();
    this.rootExecutor = undefined;
    await super.destroy();
  }

  /**
   * Pending migrations, under the cross-process lock, on one connection, in one transaction: a run
   * commits as a whole or leaves the database as it was. On PostgreSQL the lock is
   * `pg_advisory_xact_lock` inside that transaction (released at COMMIT or ROLLBACK, and it works
   * through a transaction pooler), with the timeouts lifted and the schema's search_path set by
   * `SET LOCAL` (nothing outlives the transaction); on SQLite an exclusive lock on
   * `<file>-migrations.lock`.
   */
  override async runMigrations(options?: Parameters<DataSource['runMigrations']>[0]): Promise<Migration[]> {
    this.refuseWhenReadOnly('run migrations');
    return this.underMigrationLock((runner) => {
      const executor = new MigrationExecutor(this, runner);
      executor.transaction = options?.transaction ?? 'each';
      executor.fake = options?.fake ?? false;
      return executor.executePendingMigrations();
    });
  }

  /** Reverting takes the same cross-process lock as running. */
  override async undoLastMigration(options?: Parameters<DataSource['undoLastMigration']>[0]): Promise<void> {
    this.refuseWhenReadOnly('revert a migration');
    return this.underMigrationLock((runner) => {
      const executor = new MigrationExecutor(this, runner);
      executor.transaction = options?.transaction ?? 'all';
      executor.fake = options?.fake ?? false;
      return executor.undoLastMigration();
    });
  }

  /**
   * The applied migrations (the names in typeorm_migrations, in order), or null when that table is
   * absent (never migrated, or a legacy file). Unlike TypeORM's MigrationExecutor, never creates it.
   */
  async appliedMigrationNames(): Promise<string[] | null> {
    return this.executor.exclusive(async () => {
      const runner = this.createQueryRunner();
      try {
        if (!(await runner.hasTable(MIGRATIONS_TABLE))) return null;
        // Qualified: TypeORM's own connections carry no search_path (no startup parameters).
        const schema = this.config.driver === 'postgres' ? this.config.schema : undefined;
        const table = schema === undefined ? this.driver.escape(MIGRATIONS_TABLE) : `${this.driver.escape(schema)}.${this.driver.escape(MIGRATIONS_TABLE)}`;
        const rows: { name: string }[] = await runner.query(`SELECT name FROM ${table} ORDER BY id`);
        return rows.map((row) => row.name);
      } finally {
        await runner.release();
      }
    });
  }

  /** Names of the applied migrations, oldest first ([] when none is). */
  async appliedMigrations(): Promise<string[]> {
    return (await this.appliedMigrationNames()) ?? [];
  }

  /** Names of the migrations of this driver's track that are not applied yet. */
  async pendingMigrations(): Promise<string[]> {
    const applied = new Set(await this.appliedMigrations());
    return this.migrationNames().filter((name) => !applied.has(name));
  }

  /**
   * TypeORM's `migration:show`, without creating the migrations table: logs `[X] name` / `[ ] name`
   * through the schema-build log and returns whether any migration is pending.
   */
  override async showMigrations(): Promise<boolean> {
    const applied = (await this.appliedMigrationNames()) ?? [];
    let pending = false;
    for (const name of this.migrationNames()) {
      if (applied.includes(name)) {
        this.logger.logSchemaBuild(`[X] ${applied.indexOf(name) + 1} ${name}`);
      } else {
        pending = true;
        this.logger.logSchemaBuild(`[ ] ${name}`);
      }
    }
    return pending;
  }

  /** The names of this driver's migration track, in order. */
  private migrationNames(): string[] {
    return this.migrations.map((migration) => migration.name ?? migration.constructor.name);
  }

  private refuseWhenReadOnly(what: string): void {
    if (this.readOnly) throw new MigrationError(`cannot ${what} on ${this.target}: it was opened read-only`);
  }

  /**
   * The TypeORM CLI switches query logging on through setOptions. Query parameters may hold secrets
   * (tokens, hashes), so query logging is dropped; schema, migration and error logs stay.
   */
  override setOptions(options: Partial<DataSourceOptions>): this {
    if (!('logging' in options)) return super.setOptions(options);
    return super.setOptions({ ...options, logging: withoutQueryLogging(options.logging) } as Partial<DataSourceOptions>);
  }

  private async underMigrationLock<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const executor = this.executor;
    return executor.exclusive(async () => {
      const runner = this.createQueryRunner();
      try {
        if (this.config.driver === 'postgres') {
          const { schema } = this.config;
          return await inMigrationTransaction(runner, () => lockPostgresMigrations(runner, schema), work);
        }
        return await underSqliteMigrationLock(this.config, () => inMigrationTransaction(runner, async () => undefined, work));
      } finally {
        if (executor instanceof SqliteExecutor) executor.resetConnectionSettings();
        await runner.release();
      }
    });
  }
}

/**
 * Runs `work` in one transaction on `runner` (TypeORM's MigrationExecutor joins a transaction it
 * finds open), after `lock`; commits when `work` resolves, rolls back when it throws.
 */
async function inMigrationTransaction<T>(runner: QueryRunner, lock: () => Promise<void>, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  await runner.startTransaction();
  try {
    await lock();
    const result = await work(runner);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  }
}

/**
 * The PostgreSQL migration lock, inside the run's transaction; with a schema of its own, the schema
 * is created when missing and is where every unqualified name of the migrations lands.
 */
async function lockPostgresMigrations(runner: QueryRunner, schema: string | undefined): Promise<void> {
  // Waiting for another process's run, and the migrations themselves, take as long as they take.
  await runner.query(`SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0`);
  // Locked before the schema is created: two first runs on a new schema must not both create it.
  await runner.query(`SELECT pg_advisory_xact_lock($1, hashtext(COALESCE($2, current_schema(), '')))`, [PG_MIGRATION_LOCK_CLASS, schema ?? null]);
  if (schema !== undefined) {
    // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists.
    const [{ present }] = await runner.query('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS present', [schema]);
    if (!present) await runner.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    await runner.query(`SET LOCAL search_path = ${quoteIdentifier(schema)}`);
  }
}

const ALL_LOG_LEVELS = ['error', 'schema', 'warn', 'info', 'log', 'migration'] as const;

function withoutQueryLogging(logging: LoggerOptions | undefined): LoggerOptions | undefined {
  if (logging === true || logging === 'all') return [...ALL_LOG_LEVELS];
  if (Array.isArray(logging)) return logging.filter((level) => level !== 'query');
  return logging;
}

/**
 * The sibling file whose exclusive lock serialises SQLite migration runs across processes: next to
 * the real file, so that every path naming it (a symlink, `..`, a relative path) shares one lock.
 */
export function sqliteMigrationLockPath(databasePath: string): string {
  return `${resolvedDatabasePath(databasePath)}-migrations.lock`;
}

/** The file a path names: its realpath when it exists, else the realpath of its directory plus its name. */
function resolvedDatabasePath(databasePath: string): string {
  const absolute = path.resolve(databasePath);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return path.join(realpathSync(path.dirname(absolute)), path.basename(absolute));
    } catch {
      return absolute;
    }
  }
}

const inProcessSqliteLocks = new Map<string, Promise<void>>();

/**
 * Serialises SQLite migration runs on one database file: in this process with a promise chain
 * (better-sqlite3 waits synchronously, so two waiters in one process would block each other),
 * across processes with BEGIN EXCLUSIVE on `<file>-migrations.lock`, which the OS releases if the
 * holder dies. The lock file is never deleted: a waiter may hold it open.
 */
async function underSqliteMigrationLock<T>(config: SqliteConfig, work: () => Promise<T>): Promise<T> {
  const release = await lockSqliteMigrations(config);
  try {
    return await work();
  } finally {
    await release();
  }
}

async function lockSqliteMigrations(config: SqliteConfig): Promise<() => Promise<void>> {
  if (config.inMemory) return async () => undefined;
  const lockPath = sqliteMigrationLockPath(config.path);
  const previous = inProcessSqliteLocks.get(lockPath) ?? Promise.resolve();
  let releaseInProcess!: () => void;
  const current = new Promise<void>((resolve) => (releaseInProcess = resolve));
  const chained = previous.then(() => current);
  inProcessSqliteLocks.set(lockPath, chained);
  await previous;
  let lockDb: Database.Database | undefined;
  try {
    lockDb = new Database(lockPath, { timeout: SQLITE_MIGRATION_LOCK_WAIT_MS });
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
      if (inProcessSqliteLocks.get(lockPath) === chained) inProcessSqliteLocks.delete(lockPath);
    }
  };
}

/**
 * better-sqlite3 as TypeORM's `driver` for a read-only DataSource: the connection opens through
 * openSqliteReadOnly (TypeORM calls `new driver(path, options)`).
 */
function readOnlySqliteDriver(): unknown {
  return function ReadOnlySqlite(file: string, options: { timeout?: number }) {
    return openSqliteReadOnly(file, { timeout: options.timeout });
  };
}

function sqliteOptions(config: SqliteConfig, readOnly: boolean): DataSourceOptions {
  if (readOnly) {
    return {
      type: 'better-sqlite3',
      database: config.path,
      readonly: true,
      fileMustExist: true,
      timeout: config.busyTimeoutMs,
      driver: readOnlySqliteDriver(),
    } as DataSourceOptions;
  }
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
    // TypeORM qualifies its own names (the migrations table, entity metadata) with it.
    ...(config.schema !== undefined ? { schema: config.schema } : {}),
    // No startup parameters besides user, database and application_name (a transaction pooler
    // refuses `options`): the timeouts and search_path are applied per statement and per
    // transaction by the executor (src/sql/session-settings.ts).
    extra: {
      max: config.pool.max,
      min: config.pool.min,
      connectionTimeoutMillis: config.pool.acquireTimeoutMs,
      idleTimeoutMillis: config.pool.idleTimeoutMs,
      // Eventually detects a peer that vanished without closing the socket, so a dead pooled
      // connection is dropped (first probe after 10 s idle; the OS's probe interval and count).
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
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
  const readOnly = options.readOnly === true;
  const driverOptions = config.driver === 'sqlite' ? sqliteOptions(config, readOnly) : postgresOptions(config);
  return new TrinityDataSource(config, {
    ...driverOptions,
    entities: buildEntitySchemas(config.driver),
    migrations: options.migrations ?? MIGRATIONS[config.driver],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: options.logging ?? false,
    logger: options.logger,
  } as DataSourceOptions, readOnly);
}
