import { accessSync, constants } from 'fs';
import { dirname } from 'path';
import type { EntityManager, Logger } from 'typeorm';
import { MigrationExecutor } from 'typeorm';
import { ensureAdminUser, type AdminBootstrapLogger } from './bootstrap-admin';
import { createDataSource, type TrinityDataSource } from './data-source';
import { translateDriverError } from './dialect';
import { DatabaseUnavailableError, MigrationError } from './errors';
import { DatabaseFacade } from './facade';
import { createRepositories, type Repositories } from './repository';
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
  migrations: { applied: string[]; pending: string[] };
  pool: { max: number; total: number; idle: number; waiting: number };
}

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
  try {
    await dataSource.serialize(async () => {
      await dataSource.query('BEGIN IMMEDIATE');
      await dataSource.query('ROLLBACK');
    });
  } catch (error) {
    throw translateDriverError(error, dataSource.target);
  }
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

const SILENT: ManagerLogger = { info: () => undefined, warn: () => undefined };

/**
 * The single object the backend talks to: every facade method of the Python DatabaseManager
 * (see DatabaseFacade), the repositories as properties (`db.users`, `db.schedules`, ...), and the
 * lifecycle: open (migrate, bootstrap the admin), transaction, health, close.
 */
export class DatabaseManager extends DatabaseFacade {
  private constructor(
    readonly dataSource: TrinityDataSource,
    readonly entityManager: EntityManager,
    private readonly clock: (() => Date) | undefined,
    repositories: Repositories,
  ) {
    super(repositories);
  }

  /**
   * Builds the DataSource, runs pending migrations (or refuses to start while any is pending when
   * `runMigrations` is false), then ensures the admin account like the Python start-up.
   */
  static async open(options: OpenOptions = {}): Promise<DatabaseManager> {
    requireKnownKeys('options', options, OPEN_OPTIONS, 'DatabaseManager.open');
    const logger = options.logger ?? SILENT;
    const dataSource = createDataSource(options.url, options.logger ? { logger: typeormLoggerFor(options.logger) } : {});
    await dataSource.initialize();
    try {
      await assertWritable(dataSource);
      if (options.runMigrations === false) {
        const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
        if (pending.length) {
          throw new MigrationError(
            `${dataSource.maskedUrl} has ${pending.length} pending migration(s): ${pending.map((m) => m.name).join(', ')}; ` +
              'run `npm run migration:run` (or open with runMigrations: true)',
          );
        }
      } else {
        const applied = await dataSource.runMigrations();
        if (applied.length) logger.info(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
      }
      const manager = new DatabaseManager(dataSource, dataSource.manager, options.clock, createRepositories(dataSource.manager, { clock: options.clock }));
      await dataSource.serialize(() => ensureAdminUser(dataSource.manager, options.env ?? process.env, logger, options.clock));
      return manager;
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Runs `fn` with a manager whose every method runs in one transaction: committed when `fn`
   * resolves, rolled back as a whole when it throws. Nested calls join the outer transaction.
   */
  async transaction<T>(fn: (db: DatabaseManager) => Promise<T>): Promise<T> {
    if (this.entityManager.queryRunner?.isTransactionActive) return fn(this);
    return this.dataSource
      .transaction((tx) => fn(new DatabaseManager(this.dataSource, tx, this.clock, createRepositories(tx, { clock: this.clock }))))
      .catch((error: unknown) => {
        throw translateDriverError(error, this.dataSource.target);
      });
  }

  async health(): Promise<HealthReport> {
    const executor = new MigrationExecutor(this.dataSource);
    const [executed, pending] = await this.dataSource
      .serialize(async () => [await executor.getExecutedMigrations(), await executor.getPendingMigrations()])
      .catch((error: unknown) => {
        throw translateDriverError(error, this.dataSource.target);
      });
    return {
      driver: this.dataSource.driverName,
      url: this.dataSource.maskedUrl,
      migrations: { applied: executed.map((m) => m.name), pending: pending.map((m) => m.name) },
      pool: this.poolFigures(),
    };
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private poolFigures(): HealthReport['pool'] {
    if (this.dataSource.driverName === 'sqlite') return { max: 1, total: 1, idle: 1, waiting: 0 };
    const pool = (this.dataSource.driver as unknown as { master: { totalCount: number; idleCount: number; waitingCount: number; options: { max: number } } }).master;
    return { max: pool.options.max, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }
}
