import { accessSync, constants } from 'fs';
import { dirname } from 'path';
import type { Logger } from 'typeorm';
import { ensureAdminUser, type AdminBootstrapLogger } from './bootstrap-admin';
import { createDataSource, type TrinityDataSource } from './data-source';
import { DatabaseUnavailableError, MigrationError, TransactionUsageError } from './errors';
import { DatabaseFacade } from './facade';
import type { RepositoryOptions } from './repository';
import { transactionRetries, type SqlExecutor, type TransactionOptions } from './sql/executor';
import type { PoolFigures } from './sql/postgres';
import { PostgresExecutor } from './sql/postgres';
import { optionNames, requireKnownKeys } from './model/validate';

/** Where the manager reports what it did at start-up (console-compatible). Never receives secrets. */
export interface ManagerLogger extends AdminBootstrapLogger {
  error?(message: string): void;
}

export interface OpenOptions {
  /** A DATABASE_URL; default: DATABASE_URL, else TRINITY_DB_PATH, else sqlite:///data/trinity.db. */
  url?: string;
  /** Apply pending migrations at start-up (default). With false, start-up fails while any is pending. */
  runMigrations?: boolean;
  /**
   * Start-up and operator messages. Without one nothing is printed to stdout; warnings that protect
   * the operator (a weak or missing ADMIN_PASSWORD) go to stderr.
   */
  logger?: ManagerLogger;
  /** Environment for ADMIN_USERNAME / ADMIN_PASSWORD (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Clock for the timestamps repositories write (tests pin it). */
  clock?: () => Date;
}

const OPEN_OPTIONS = optionNames<OpenOptions>({ url: true, runMigrations: true, logger: true, env: true, clock: true });

export interface HealthReport {
  driver: 'sqlite' | 'postgres';
  /** DATABASE_URL with the password masked. */
  url: string;
  /** `head`: the last applied migration (null before the first). */
  migrations: { head: string | null; applied: string[]; pending: string[] };
  /** PostgreSQL: the pool's connections (open, idle) and the callers waiting for one; SQLite: its one connection. */
  pool: PoolFigures;
}

/** Without a logger: silent on stdout, operator warnings on stderr. */
const DEFAULT_LOGGER: ManagerLogger = {
  info: () => undefined,
  warn: (message) => process.stderr.write(`trinity-db: warning: ${message}\n`),
};

/**
 * A SQLite file that is read-only or locked by another process is refused at open, not at the
 * first write: take the write lock once (waiting up to the busy timeout) and release it.
 */
async function assertWritable(dataSource: TrinityDataSource): Promise<void> {
  if (dataSource.config.driver !== 'sqlite') return;
  const file = dataSource.config.path;
  if (!dataSource.config.inMemory) {
    // access(2) also reports immutable files, which the lock probe below cannot see (locking does not write).
    for (const [path, what] of [[file, 'the database file is read-only'], [dirname(file), 'the database directory is not writable']]) {
      try {
        accessSync(path, constants.W_OK);
      } catch {
        throw new DatabaseUnavailableError(file, what);
      }
    }
  }
  // An empty transaction: BEGIN IMMEDIATE takes the write lock, COMMIT releases it.
  await dataSource.executor.transaction(async () => undefined);
}

/**
 * TypeORM's messages for the manager's logger: migration progress and warnings. Queries and query
 * errors are not forwarded (their parameters may hold secrets; errors reach the caller anyway).
 */
function typeormLoggerFor(logger: ManagerLogger): Logger {
  return {
    logQuery: () => undefined,
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: (message) => logger.info(message),
    log: (level, message) => (level === 'warn' ? logger.warn(String(message)) : logger.info(String(message))),
  };
}

/**
 * The single object the backend talks to: every facade method of the Python DatabaseManager
 * (see DatabaseFacade), the repositories as properties (`db.users`, `db.schedules`, ...), and the
 * lifecycle: open (migrate, bootstrap the admin), transaction, health, close.
 */
export class DatabaseManager extends DatabaseFacade {
  private constructor(
    readonly dataSource: TrinityDataSource,
    executor: SqlExecutor,
    repositoryOptions: RepositoryOptions,
  ) {
    super(executor, repositoryOptions);
  }

  /**
   * Builds the DataSource, runs pending migrations (or refuses to start while any is pending when
   * `runMigrations` is false), then ensures the admin account like the Python start-up.
   */
  static async open(options: OpenOptions = {}): Promise<DatabaseManager> {
    requireKnownKeys('options', options, OPEN_OPTIONS, 'DatabaseManager.open');
    const logger = options.logger ?? DEFAULT_LOGGER;
    const dataSource = createDataSource(options.url, { logger: typeormLoggerFor(logger) });
    await dataSource.initialize();
    try {
      await assertWritable(dataSource);
      if (options.runMigrations === false) {
        const pending = await dataSource.pendingMigrations();
        if (pending.length) {
          throw new MigrationError(
            `${dataSource.maskedUrl} has ${pending.length} pending migration(s): ${pending.join(', ')}; ` + 'run `npm run migration:run` (or open with runMigrations: true)',
          );
        }
      } else {
        const applied = await dataSource.runMigrations();
        if (applied.length) logger.info(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
      }
      await ensureAdminUser(dataSource.executor, options.env ?? process.env, logger, options.clock);
      return new DatabaseManager(dataSource, dataSource.executor, { clock: options.clock, logger });
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Runs `fn` with a manager whose every method runs in one transaction: committed when `fn`
   * resolves, rolled back as a whole when it throws. Called on a transaction's manager, a savepoint:
   * its failure undoes only its own writes. Inside `fn`, use the manager `fn` receives: this one
   * refuses calls from inside the callback while the transaction is open (docs/RELIABILITY.md).
   *
   * `{ retries: n }` runs `fn` again, up to n times with a jittered backoff, when the transaction
   * fails with a serialization failure or a deadlock (TransactionConflictError); `fn` must be safe to
   * repeat (its database work is rolled back, nothing else is). Only an outermost transaction can be
   * retried: a savepoint cannot (the conflict has aborted the whole transaction), so `retries` on a
   * transaction's manager is refused.
   */
  async transaction<T>(fn: (db: DatabaseManager) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (this.executor.inTransaction && transactionRetries(options) > 0) {
      throw new TransactionUsageError(
        'retries: a savepoint cannot be retried (a conflict aborts the whole transaction); pass { retries } to the outermost db.transaction(...)',
      );
    }
    return this.executor.transaction((tx) => fn(new DatabaseManager(this.dataSource, tx, this.repositoryOptions)), options);
  }

  async health(): Promise<HealthReport> {
    const [applied, pending] = await Promise.all([this.dataSource.appliedMigrations(), this.dataSource.pendingMigrations()]);
    const executor = this.dataSource.executor;
    return {
      driver: this.dataSource.driverName,
      url: this.dataSource.maskedUrl,
      migrations: { head: applied.length ? applied[applied.length - 1] : null, applied, pending },
      pool: executor instanceof PostgresExecutor ? executor.poolFigures() : { max: 1, total: 1, idle: 1, waiting: 0 },
    };
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
