import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import type { TrinityDataSource } from '../data-source';
import { COLUMN_KINDS, codecFor, placeholders, sqlFragments, translateDriverError, type Codec, type Driver, type SqlFragments } from '../dialect';
import { writeClock } from '../codec/clock';
import { tableSpecOf } from '../entity/columns';
import { InputValidationError } from '../errors';

export interface RepositoryOptions {
  /** The clock for timestamps the repository writes (tests pin it). */
  clock?: () => Date;
}

export interface WriteResult {
  /** Rows matched by an UPDATE/DELETE, rows inserted by an INSERT. */
  affected: number;
}

const WRAPPED = Symbol('trinity-db.wrapped');

/**
 * Base of every repository: a plain class on an EntityManager, so that a transaction can hand it a
 * transactional manager (`new UserRepository(txManager)`).
 *
 * Every async method of a subclass is wrapped once per instance so that
 * - on SQLite it runs under the DataSource's FIFO lock (one connection: nothing may run inside
 *   another caller's transaction), and
 * - constraint violations surface as UniqueConstraintError / NotNullConstraintError with the
 *   legacy SQLite wording on both drivers.
 */
export abstract class BaseRepository {
  protected readonly driver: Driver;
  /** SQL fragments spelled differently per driver (byte-order collation, ASCII LOWER, time values). */
  protected readonly sql: SqlFragments;
  protected readonly now: () => Date;

  constructor(
    protected readonly manager: EntityManager,
    options: RepositoryOptions = {},
  ) {
    this.driver = manager.connection.options.type === 'postgres' ? 'postgres' : 'sqlite';
    this.sql = sqlFragments(this.driver);
    this.now = options.clock ?? writeClock;
    wrapPublicMethods(this, manager.connection as TrinityDataSource);
  }

  protected repo<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
    return this.manager.getRepository(entity);
  }

  /**
   * Runs `fn` in one transaction: the caller's, when this repository was built on a transactional
   * manager, else a new one (serialised on SQLite).
   */
  protected async transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.manager.queryRunner?.isTransactionActive) return fn(this.manager);
    return this.manager.connection.transaction(fn);
  }

  /** Raw SELECT with `?` placeholders; rows come back as the driver returns them (decode with `decode`). */
  protected async select<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const fast = this.manager.queryRunner ? undefined : fastExecutor(this.manager.connection);
    if (fast) return fast.select(sql, params) as Promise<T[]>;
    const result = await this.manager.query(placeholders(this.driver, sql), params);
    // TypeORM's pg driver answers UPDATE/DELETE ... RETURNING with [rows, rowCount]; rows are objects, never arrays.
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0];
    return result;
  }

  /** Raw INSERT/UPDATE/DELETE with `?` placeholders; returns the affected row count on both drivers. */
  protected async execute(sql: string, params: unknown[] = []): Promise<WriteResult> {
    const ownRunner = !this.manager.queryRunner;
    const fast = ownRunner ? fastExecutor(this.manager.connection) : undefined;
    if (fast) return fast.execute(sql, params);
    const runner: QueryRunner = this.manager.queryRunner ?? this.manager.connection.createQueryRunner();
    try {
      const result = await runner.query(placeholders(this.driver, sql), params, true);
      return { affected: result.affected ?? 0 };
    } finally {
      if (ownRunner) await runner.release();
    }
  }

  /**
   * Appends `LIMIT ?` (and `OFFSET ?` when given) to a SELECT, with their parameters. A negative limit
   * means no limit, as SQLite's LIMIT -1 did for the Python layer; PostgreSQL rejects a negative LIMIT,
   * so the clause is left out (or made `sql.noLimit` when an OFFSET follows).
   */
  protected withLimit(sql: string, params: unknown[], limit: number, offset?: number): [string, unknown[]] {
    if (offset === undefined) return limit < 0 ? [sql, params] : [`${sql} LIMIT ?`, [...params, limit]];
    return limit < 0 ? [`${sql} ${this.sql.noLimit} OFFSET ?`, [...params, offset]] : [`${sql} LIMIT ? OFFSET ?`, [...params, limit, offset]];
  }

  /** The codec of one column of an entity, for raw SQL parameters and results. */
  protected codec(entity: Function, column: string): Codec {
    const codec = entityCodecs(this.driver, entity).get(column);
    if (!codec) throw new Error(`${tableSpecOf(entity).tableName} has no column ${column}`);
    return codec;
  }

  /** Stored value -> API value for a raw result column. */
  protected decode<T = unknown>(entity: Function, column: string, value: unknown): T {
    return this.codec(entity, column).from(value) as T;
  }

  /**
   * Decodes a raw result row: every key that is a column of `entity` goes through that column's
   * codec (text timestamps -> Date, 0/1 -> boolean, JSON text -> value); other keys are kept;
   * keys in `skip` are left out (the caller sets them itself).
   */
  protected decodeRow<T>(entity: Function, row: Record<string, unknown>, skip?: ReadonlySet<string>): T {
    const decoders = entityDecoders(this.driver, entity);
    const decoded: Record<string, unknown> = {};
    for (const key of Object.keys(row)) {
      if (skip?.has(key)) continue;
      const value = row[key];
      const from = decoders.get(key);
      // null: a column whose codec is the identity (NULL -> null, as every codec maps it).
      decoded[key] = from === undefined ? value : from === null ? (value === undefined ? null : value) : from(value);
    }
    return decoded as T;
  }

  /** API value -> stored value for a raw SQL parameter. */
  protected encode(entity: Function, column: string, value: unknown): unknown {
    return this.codec(entity, column).to(value);
  }
}

// Codecs are pure functions of (driver, column spec): built once per entity and driver, shared by
// every repository instance (transactions build new instances per call).
const codecCache: Record<Driver, WeakMap<Function, Map<string, Codec>>> = { sqlite: new WeakMap(), postgres: new WeakMap() };
const decoderCache: Record<Driver, WeakMap<Function, Map<string, ((value: unknown) => unknown) | null>>> = { sqlite: new WeakMap(), postgres: new WeakMap() };

function entityCodecs(driver: Driver, entity: Function): Map<string, Codec> {
  let codecs = codecCache[driver].get(entity);
  if (!codecs) {
    codecs = new Map(tableSpecOf(entity).columns.map((spec) => [spec.name, codecFor(driver, spec)]));
    codecCache[driver].set(entity, codecs);
  }
  return codecs;
}

function entityDecoders(driver: Driver, entity: Function): Map<string, ((value: unknown) => unknown) | null> {
  let decoders = decoderCache[driver].get(entity);
  if (!decoders) {
    const codecs = entityCodecs(driver, entity);
    decoders = new Map(
      tableSpecOf(entity).columns.map((spec) => {
        const codec = codecs.get(spec.name)!;
        const kind = COLUMN_KINDS[driver][spec.kind];
        return [spec.name, kind.codec && !kind.identityFrom ? (value: unknown) => codec.from(value) : null];
      }),
    );
    decoderCache[driver].set(entity, decoders);
  }
  return decoders;
}

// ---------------------------------------------------------------------------------------------
// Fast path for raw SQL outside a transaction (issue #9)
// ---------------------------------------------------------------------------------------------

/**
 * Runs a repository's raw SQL straight on the driver when the repository is not on a transactional
 * manager: better-sqlite3 prepared statements cached per SQL string on the one SQLite connection, or
 * `pool.query` on TypeORM's own pg Pool. It skips what TypeORM's `manager.query()` costs per call
 * (a QueryRunner created and released, broadcaster events, a pool checkout plus a separate query
 * on PostgreSQL) and gives the same results as the TypeORM path:
 * - rows as the driver returns them; affected = `changes` (SQLite, 0 for a statement that returns
 *   rows, as TypeORM reports it) or `rowCount` (PostgreSQL);
 * - booleans bound as 0/1 on SQLite, as TypeORM does;
 * - driver errors wrapped in TypeORM's QueryFailedError (the method wrapper translates them);
 * - queries and query errors still go to the DataSource's logger (`logQuery`, `logQueryError`).
 * It is not used (TypeORM's path is) when the DataSource has entity subscribers (they would miss
 * beforeQuery/afterQuery events) or `maxQueryExecutionTime` is set (slow-query logging), or is not
 * initialised. On SQLite the caller already holds the FIFO lock (the method wrapper), so a statement
 * never lands in another caller's transaction; inside a transaction the manager's QueryRunner is used.
 */
interface FastExecutor {
  select(sql: string, params: unknown[]): Promise<unknown>;
  execute(sql: string, params: unknown[]): Promise<WriteResult>;
}

interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}
interface PgResult {
  rows: unknown[];
  rowCount: number | null;
}
interface PgPool {
  query(config: { text: string; values: unknown[] }): Promise<PgResult>;
}

/** Prepared statements per SQLite connection, by SQL text; cleared when it grows past the cap (dynamic SQL). */
const sqliteStatements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();
const STATEMENT_CACHE_CAP = 1000;
const executors = new WeakMap<object, FastExecutor>();
/** `?` -> `$n` rewrites, by SQL text (bounded like the statement cache). */
const pgTexts = new Map<string, string>();

function fastExecutor(dataSource: DataSource): FastExecutor | undefined {
  if (!dataSource.isInitialized || dataSource.subscribers.length || dataSource.options.maxQueryExecutionTime) return undefined;
  const driver = dataSource.driver as unknown as { databaseConnection?: SqliteConnection; master?: PgPool };
  const handle = dataSource.options.type === 'postgres' ? driver.master : driver.databaseConnection;
  if (!handle) return undefined;
  let executor = executors.get(handle);
  if (!executor) {
    executor = dataSource.options.type === 'postgres' ? pgExecutor(dataSource, handle as PgPool) : sqliteExecutor(dataSource, handle as SqliteConnection);
    executors.set(handle, executor);
  }
  return executor;
}

function sqliteExecutor(dataSource: DataSource, connection: SqliteConnection): FastExecutor {
  let cache = sqliteStatements.get(connection);
  if (!cache) sqliteStatements.set(connection, (cache = new Map()));
  const statements = cache;
  const prepare = (sql: string): SqliteStatement => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= STATEMENT_CACHE_CAP) statements.clear();
      statement = connection.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const bind = (params: unknown[]): unknown[] => {
    for (let i = 0; i < params.length; i++) if (typeof params[i] === 'boolean') return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
    return params;
  };
  return {
    async select(sql, params) {
      const values = bind(params);
      dataSource.logger.logQuery(sql, values);
      try {
        const statement = prepare(sql);
        return statement.reader ? statement.all(...values) : statement.run(...values).lastInsertRowid;
      } catch (error) {
        dataSource.logger.logQueryError(error as Error, sql, values);
        throw new QueryFailedError(sql, values, error as Error);
      }
    },
    async execute(sql, params) {
      const values = bind(params);
      dataSource.logger.logQuery(sql, values);
      try {
        const statement = prepare(sql);
        if (statement.reader) {
          statement.all(...values);
          return { affected: 0 };
        }
        return { affected: statement.run(...values).changes };
      } catch (error) {
        dataSource.logger.logQueryError(error as Error, sql, values);
        throw new QueryFailedError(sql, values, error as Error);
      }
    },
  };
}

function pgText(sql: string): string {
  let text = pgTexts.get(sql);
  if (text === undefined) {
    if (pgTexts.size >= STATEMENT_CACHE_CAP) pgTexts.clear();
    text = placeholders('postgres', sql);
    pgTexts.set(sql, text);
  }
  return text;
}

function pgExecutor(dataSource: DataSource, pool: PgPool): FastExecutor {
  const run = async (sql: string, params: unknown[]): Promise<PgResult> => {
    const text = pgText(sql);
    dataSource.logger.logQuery(text, params);
    try {
      return await pool.query({ text, values: params });
    } catch (error) {
      dataSource.logger.logQueryError(error as Error, text, params);
      throw new QueryFailedError(text, params, error as Error);
    }
  };
  return {
    async select(sql, params) {
      return (await run(sql, params)).rows;
    },
    async execute(sql, params) {
      return { affected: (await run(sql, params)).rowCount ?? 0 };
    },
  };
}

/** The async methods of a repository class (most derived first), found once per class. */
const asyncMethodCache = new WeakMap<object, [string, (...args: unknown[]) => Promise<unknown>][]>();

function asyncMethodsOf(prototype: object): [string, (...args: unknown[]) => Promise<unknown>][] {
  let methods = asyncMethodCache.get(prototype);
  if (methods) return methods;
  methods = [];
  const seen = new Set<string>();
  for (let proto = prototype; proto && proto !== BaseRepository.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || seen.has(name)) continue;
      seen.add(name);
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      // Only async methods: synchronous helpers must stay synchronous.
      if (!descriptor || typeof descriptor.value !== 'function' || descriptor.value.constructor.name !== 'AsyncFunction') continue;
      methods.push([name, descriptor.value]);
    }
  }
  asyncMethodCache.set(prototype, methods);
  return methods;
}

/**
 * Strings with unpaired UTF-16 surrogates cannot be stored as UTF-8: the drivers would silently
 * replace them with U+FFFD. They are refused before anything runs, on both drivers.
 */
function assertWellFormedText(value: unknown, field: string, depth = 0): void {
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw new InputValidationError(field, 'contains an unpaired UTF-16 surrogate, which cannot be stored as UTF-8 text');
  } else if (depth < 3 && value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) assertWellFormedText(item, `${field}.${key}`, depth + 1);
  }
}

function checkArguments(args: unknown[]): void {
  for (let i = 0; i < args.length; i++) assertWellFormedText(args[i], `argument ${i + 1}`);
}

function wrapPublicMethods(instance: BaseRepository, dataSource: TrinityDataSource): void {
  const target = instance as unknown as Record<string | symbol, unknown>;
  if (target[WRAPPED]) return;
  target[WRAPPED] = true;
  // Errors name the database: the SQLite file, or the PostgreSQL URL with its password masked.
  const where = typeof dataSource.target === 'string' ? dataSource.target : undefined;
  const rethrowTranslated = (error: unknown): never => {
    throw translateDriverError(error, where);
  };
  // Only SQLite needs the FIFO lock (TrinityDataSource.serialize runs PostgreSQL work directly).
  const serialized = typeof dataSource.serialize === 'function' && dataSource.driverName === 'sqlite';
  for (const [name, method] of asyncMethodsOf(Object.getPrototypeOf(instance))) {
    if (Object.prototype.hasOwnProperty.call(target, name)) continue;
    const call = (args: unknown[]): Promise<unknown> => {
      try {
        checkArguments(args);
      } catch (error) {
        return Promise.reject(error);
      }
      return method.apply(instance, args);
    };
    Object.defineProperty(target, name, {
      configurable: true,
      writable: true,
      value: serialized
        ? (...args: unknown[]) => dataSource.serialize(() => call(args)).then(undefined, rethrowTranslated)
        : (...args: unknown[]) => call(args).then(undefined, rethrowTranslated),
    });
  }
}
