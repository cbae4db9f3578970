import type { EntityManager, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import type { TrinityDataSource } from '../data-source';
import { codecFor, placeholders, sqlFragments, translateDriverError, type Codec, type Driver, type SqlFragments } from '../dialect';
import { tableSpecOf } from '../entity/columns';

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
  private readonly codecs = new Map<string, Codec>();

  constructor(
    protected readonly manager: EntityManager,
    options: RepositoryOptions = {},
  ) {
    this.driver = manager.connection.options.type === 'postgres' ? 'postgres' : 'sqlite';
    this.sql = sqlFragments(this.driver);
    this.now = options.clock ?? (() => new Date());
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
    const result = await this.manager.query(placeholders(this.driver, sql), params);
    // TypeORM's pg driver answers UPDATE/DELETE ... RETURNING with [rows, rowCount]; rows are objects, never arrays.
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0];
    return result;
  }

  /** Raw INSERT/UPDATE/DELETE with `?` placeholders; returns the affected row count on both drivers. */
  protected async execute(sql: string, params: unknown[] = []): Promise<WriteResult> {
    const ownRunner = !this.manager.queryRunner;
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
    const key = `${entity.name}.${column}`;
    let codec = this.codecs.get(key);
    if (!codec) {
      const spec = tableSpecOf(entity).columns.find((c) => c.name === column);
      if (!spec) throw new Error(`${tableSpecOf(entity).tableName} has no column ${column}`);
      codec = codecFor(this.driver, spec);
      this.codecs.set(key, codec);
    }
    return codec;
  }

  /** Stored value -> API value for a raw result column. */
  protected decode<T = unknown>(entity: Function, column: string, value: unknown): T {
    return this.codec(entity, column).from(value) as T;
  }

  /**
   * Decodes a raw result row: every key that is a column of `entity` goes through that column's
   * codec (text timestamps -> Date, 0/1 -> boolean, JSON text -> value); other keys are kept.
   */
  protected decodeRow<T>(entity: Function, row: Record<string, unknown>): T {
    const columns = columnNames(entity);
    const decoded: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) decoded[key] = columns.has(key) ? this.decode(entity, key, value) : value;
    return decoded as T;
  }

  /** API value -> stored value for a raw SQL parameter. */
  protected encode(entity: Function, column: string, value: unknown): unknown {
    return this.codec(entity, column).to(value);
  }
}

const columnSets = new WeakMap<Function, Set<string>>();

function columnNames(entity: Function): Set<string> {
  let names = columnSets.get(entity);
  if (!names) {
    names = new Set(tableSpecOf(entity).columns.map((c) => c.name));
    columnSets.set(entity, names);
  }
  return names;
}

function wrapPublicMethods(instance: BaseRepository, dataSource: TrinityDataSource): void {
  const target = instance as unknown as Record<string | symbol, unknown>;
  if (target[WRAPPED]) return;
  target[WRAPPED] = true;
  const serialize = typeof dataSource.serialize === 'function' ? dataSource.serialize.bind(dataSource) : <T>(fn: () => Promise<T>) => fn();
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== BaseRepository.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || Object.prototype.hasOwnProperty.call(target, name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      // Only async methods: synchronous helpers must stay synchronous.
      if (!descriptor || typeof descriptor.value !== 'function' || descriptor.value.constructor.name !== 'AsyncFunction') continue;
      const method = descriptor.value as (...args: unknown[]) => unknown;
      Object.defineProperty(target, name, {
        configurable: true,
        writable: true,
        value: (...args: unknown[]) =>
          serialize(async () => {
            try {
              return await method.apply(instance, args);
            } catch (error) {
              throw translateDriverError(error);
            }
          }),
      });
    }
  }
}
