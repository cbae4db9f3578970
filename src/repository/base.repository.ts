import { COLUMN_KINDS, codecFor, sqlFragments, type Codec, type Driver, type SqlFragments } from '../dialect';
import { writeClock } from '../codec/clock';
import { tableSpecOf } from '../entity/columns';
import type { Row, SqlExecutor, WriteResult } from '../sql/executor';

export type { WriteResult } from '../sql/executor';

/** The package's own multi-statement writes touch only the database, so they are safe to repeat. */
const ATOMIC_WRITE_RETRIES = { retries: 3 } as const;

/** Where repositories report what an operator should know (e.g. a credential stored in an old format). Never receives secrets. */
export interface RepositoryLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface RepositoryOptions {
  /** The clock for timestamps the repository writes (tests pin it). */
  clock?: () => Date;
  /** Operator messages; none are reported without one. */
  logger?: RepositoryLogger;
}

/**
 * Base of every repository: a plain class built on an executor (src/sql/executor.ts), the one path
 * from a repository to the driver. The same class on a transaction's executor runs in that
 * transaction (`withExecutor`, `atomically`).
 */
export abstract class BaseRepository {
  protected readonly driver: Driver;
  /** SQL fragments spelled differently per driver (byte-order collation, ASCII LOWER, time values). */
  protected readonly sql: SqlFragments;
  protected readonly now: () => Date;

  constructor(
    protected readonly executor: SqlExecutor,
    protected readonly options: RepositoryOptions = {},
  ) {
    this.driver = executor.driver;
    this.sql = sqlFragments(this.driver);
    this.now = options.clock ?? writeClock;
  }

  /** This repository (same class, same options: clock, logger, ...) on another executor, e.g. a transaction's. */
  withExecutor(executor: SqlExecutor): this {
    return new (this.constructor as new (executor: SqlExecutor, options: RepositoryOptions) => this)(executor, this.options);
  }

  /**
   * Runs `fn` in one transaction with this repository rebuilt on it: a new transaction, or a
   * savepoint inside the caller's when this repository is on a transaction already (so a failure
   * undoes this method's writes and leaves the caller's transaction usable).
   *
   * A new transaction that fails with a serialization failure or a deadlock is run again (up to
   * ATOMIC_WRITE_RETRIES times, src/sql/executor.ts), so `fn` must only read and write through
   * `repository`: values it computed before are reused, everything it wrote was rolled back. Inside
   * a caller's transaction the conflict propagates to the caller, who decides.
   */
  protected atomically<T>(fn: (repository: this) => Promise<T>): Promise<T> {
    return this.executor.transaction((tx) => fn(this.withExecutor(tx)), ATOMIC_WRITE_RETRIES);
  }

  /**
   * Runs `fn`, whose failure the calling method handles itself: in a savepoint when this repository
   * is on a transaction (PostgreSQL aborts a transaction at any failed statement), directly otherwise.
   */
  protected recoverably<T>(fn: (repository: this) => Promise<T>): Promise<T> {
    return this.executor.inTransaction ? this.atomically(fn) : fn(this);
  }

  /** A statement with `?` placeholders; rows as the driver returns them (decode with `decode`/`decodeRow`). */
  protected select<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.executor.select<T>(sql, params);
  }

  /** INSERT/UPDATE/DELETE with `?` placeholders; the affected row count on both drivers. */
  protected execute(sql: string, params: readonly unknown[] = []): Promise<WriteResult> {
    return this.executor.execute(sql, params);
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
    return columnCodec(this.driver, entity, column);
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

/** The codec of one column of an entity on one driver (shared by every repository). */
export function columnCodec(driver: Driver, entity: Function, column: string): Codec {
  const codec = entityCodecs(driver, entity).get(column);
  if (!codec) throw new Error(`${tableSpecOf(entity).tableName} has no column ${column}`);
  return codec;
}
