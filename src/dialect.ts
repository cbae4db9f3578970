/**
 * The one place where SQLite and PostgreSQL differ.
 *
 * - COLUMN_KINDS: each column kind's physical type and codec per driver. On SQLite the physical
 *   schema stays the legacy one (INTEGER 0/1, TEXT timestamps, json.dumps text) so an existing
 *   trinity.db and the Python layer keep working; PostgreSQL gets native types.
 * - sqlFragments: the SQL expressions repositories need that are spelled differently per driver.
 * - SQLite introspection (PRAGMA) and the PRAGMA-dependent rename used by table rebuilds (the legacy
 *   adoption and generated migrations).
 * Driver errors are translated by the executors (src/sql/driver-errors.ts).
 */
import { types as pgTypes } from 'pg';
import type { EntitySchemaColumnOptions, QueryRunner, ValueTransformer } from 'typeorm';
import { formatTimestamp, parsePreciseTimestamp, parseTimestamp, timestampRangeProblem } from './codec/timestamp';
import { parseJson, pyJsonDumps, stringifyJson } from './codec/python-json';
import { CURRENT_TIMESTAMP, type ColumnDefault, type ColumnKind, type ColumnSpec } from './entity/columns';
import { InvalidColumnValueError } from './errors';

export type Driver = 'sqlite' | 'postgres';

/** Converts API values to stored values and back (TypeORM's ValueTransformer). */
export type Codec = ValueTransformer & { to(value: unknown): unknown; from(value: unknown): unknown };

interface KindMapping {
  type: EntitySchemaColumnOptions['type'];
  codec?: (column: ColumnSpec) => Codec;
  /** false: TypeORM converts this kind itself, the codec is for raw SQL only. */
  transformer?: false;
  /**
   * true: the codec's `from` returns the driver's value unchanged (NULL as null), so a raw result
   * row needs no decoding for this kind (BaseRepository.decodeRow skips the call).
   */
  identityFrom?: true;
}

const qualified = (column: ColumnSpec) => column.name;

function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

function toBoolean(column: ColumnSpec, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  throw new InvalidColumnValueError(qualified(column), `expected a boolean, got ${describe(value)}`);
}

/**
 * A value written to a timestamp column as a Date (a MicrosecondDate keeps the microseconds of a
 * string or of the write clock); refused unless it is a valid instant of the years 1–9999 (UTC), the
 * range Python's datetime can read back.
 */
function toDate(column: ColumnSpec, value: unknown): Date {
  if (value instanceof Date) {
    const problem = timestampRangeProblem(value);
    if (problem) throw new InvalidColumnValueError(qualified(column), problem);
    return value;
  }
  if (typeof value === 'string') {
    const parsed = parsePreciseTimestamp(value);
    if (parsed) return parsed;
    if (parseTimestamp(value.replace(/^[+-]?\d+/, '2000')) !== null) {
      throw new InvalidColumnValueError(qualified(column), 'the year is outside 1–9999 (UTC), the range of Python\'s datetime');
    }
  }
  throw new InvalidColumnValueError(qualified(column), `expected a Date or an ISO-8601 timestamp, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (value instanceof Date) return 'an invalid Date';
  return typeof value === 'object' ? (Array.isArray(value) ? 'an array' : 'an object') : `${typeof value} ${String(value)}`;
}

/** NULL stays NULL in every codec. */
function codec(to: (v: unknown) => unknown, from: (v: unknown) => unknown): Codec {
  return {
    to: (v: unknown) => (isNil(v) ? v : to(v)),
    from: (v: unknown) => (isNil(v) ? null : from(v)),
  };
}

function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return parseJson(value);
  } catch {
    return null; // the Python readers treat invalid JSON as NULL
  }
}

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * parseTimestamp for the shapes trinity-db and the Python layer write (`YYYY-MM-DD[T ]HH:MM:SS`,
 * an optional `.` fraction, an optional `Z` or `+00:00`), without the general regular expression:
 * a hot-path read decodes several timestamps per row. Any other text goes to parseTimestamp, and the
 * result is the same as parseTimestamp's for every input (test/codec/stored-timestamp.test.ts).
 */
export function parseStoredTimestamp(text: string): Date | null {
  const n = text.length;
  if (n < 19 || n > 35) return parseTimestamp(text);
  const sep = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (sep !== 84 && sep !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return parseTimestamp(text);
  }
  for (const i of DIGIT_POSITIONS) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return parseTimestamp(text);
  }
  const num = (i: number, len: number) => {
    let v = 0;
    for (let k = i; k < i + len; k++) v = v * 10 + (text.charCodeAt(k) - 48);
    return v;
  };
  let i = 19;
  let ms = 0;
  if (i < n && text.charCodeAt(i) === 46) {
    i++;
    let digits = 0;
    for (; i < n; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (digits < 3) ms = ms * 10 + d;
      digits++;
    }
    if (digits === 0 || digits > 9) return parseTimestamp(text);
    for (let k = digits; k < 3; k++) ms *= 10;
  }
  if (i !== n && !(i === n - 1 && text.charCodeAt(i) === 90) && !(i === n - 6 && text.endsWith('+00:00'))) return parseTimestamp(text);
  const year = num(0, 4);
  if (year < 100) return parseTimestamp(text); // Date.UTC reads the years 0–99 as 1900–1999
  const month = num(5, 2);
  const day = num(8, 2);
  const hour = num(11, 2);
  const minute = num(14, 2);
  const second = num(17, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Reject dates such as 2026-02-31 that Date.UTC silently rolls over.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return null;
  return date;
}

const SQLITE: Record<ColumnKind, KindMapping> = {
  id: { type: 'integer' },
  text: { type: 'text' },
  int: { type: 'integer' },
  bigint: { type: 'integer' },
  real: { type: 'real' },
  bool: {
    type: 'integer',
    codec: (column) =>
      codec(
        (v) => (toBoolean(column, v) ? 1 : 0),
        (v) => Boolean(v),
      ),
  },
  timestamp: {
    type: 'text',
    codec: (column) =>
      codec(
        (v) => {
          // A string already in some legacy shape is stored verbatim (e.g. a schedule's local-offset time).
          if (typeof v === 'string') return toDate(column, v) && v;
          return formatTimestamp(toDate(column, v), column.format ?? 'naive');
        },
        // TypeORM hydrates values it re-reads after an INSERT twice (SubjectExecutor), so a Date can come back in.
        (v) => (v instanceof Date ? v : typeof v === 'string' ? parseStoredTimestamp(v) : null),
      ),
  },
  json: {
    type: 'text',
    codec: () => codec(pyJsonDumps, parseJsonText),
  },
};

const POSTGRES: Record<ColumnKind, KindMapping> = {
  id: { type: 'integer' },
  text: { type: 'text' },
  int: { type: 'integer' },
  bigint: { type: 'bigint', codec: () => codec((v) => v, (v) => Number(v)) },
  real: { type: 'double precision' },
  bool: { type: 'boolean', codec: (column) => codec((v) => toBoolean(column, v), (v) => v), identityFrom: true },
  // Bound as ISO text with six fraction digits: pg would send a Date with milliseconds only, and
  // timestamptz keeps microseconds (the write clock's, or those of a string). pg reads a Date; a
  // value this codec encoded (a repository returning what it wrote) decodes from that text.
  timestamp: {
    type: 'timestamp with time zone',
    codec: (column) =>
      codec(
        (v) => formatTimestamp(toDate(column, v), 'Z6'),
        (v) => (typeof v === 'string' ? parseStoredTimestamp(v) : v),
      ),
  },
  // Raw SQL parameters need JSON text (pg would send an array as a PostgreSQL array literal); pg
  // parses jsonb on read (POSTGRES_TYPE_PARSERS: without losing digits). TypeORM's own persistence
  // stringifies jsonb itself, so entity columns get no transformer for this kind (see columnOptionsFor).
  json: { type: 'jsonb', codec: () => codec(stringifyJson, (v) => v), transformer: false, identityFrom: true },
};

export const COLUMN_KINDS: Record<Driver, Record<ColumnKind, KindMapping>> = { sqlite: SQLITE, postgres: POSTGRES };

const PG_JSON_OID = 114;
const PG_JSONB_OID = 3802;

/**
 * The pg pool's type parsers (its `types` option): pg's defaults, except that json and jsonb are
 * parsed without losing digits (jsonb keeps every digit of a number; JSON.parse would round integers
 * beyond 2^53). Set per pool, not on pg's global parser table, which other code in the process shares.
 */
export const POSTGRES_TYPE_PARSERS = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if ((oid === PG_JSON_OID || oid === PG_JSONB_OID) && format !== 'binary') return parseJson;
    return (pgTypes.getTypeParser as (oid: number, format?: string) => (value: string) => unknown)(oid, format);
  },
};

/** The codec that turns API values of this column into stored values on this driver, and back. */
export function codecFor(driver: Driver, column: ColumnSpec): Codec {
  return COLUMN_KINDS[driver][column.kind].codec?.(column) ?? codec((v) => v, (v) => v);
}

function defaultFor(driver: Driver, column: ColumnSpec): ColumnDefault | (() => string) | undefined {
  const value = column.default;
  if (value === undefined) return undefined;
  if (value === CURRENT_TIMESTAMP) return () => 'CURRENT_TIMESTAMP';
  if (column.kind === 'bool' && driver === 'sqlite') return value ? 1 : 0;
  return value;
}

/** TypeORM column options for one column on one driver. */
export function columnOptionsFor(driver: Driver, column: ColumnSpec): EntitySchemaColumnOptions {
  const mapping = COLUMN_KINDS[driver][column.kind];
  const options: EntitySchemaColumnOptions = {
    name: column.name,
    type: mapping.type,
    nullable: column.nullable,
    primary: column.primary || undefined,
  };
  if (column.kind === 'id') options.generated = 'increment';
  const dflt = defaultFor(driver, column);
  if (dflt !== undefined) options.default = dflt;
  const transformer = mapping.transformer === false ? undefined : mapping.codec?.(column);
  if (transformer) options.transformer = transformer;
  return options;
}

// ---------------------------------------------------------------------------------------------
// SQLite introspection, for the legacy adoption and table rebuilds. Every PRAGMA string lives here.
// ---------------------------------------------------------------------------------------------

export interface SqliteColumnInfo {
  name: string;
  type: string;
  notNull: boolean;
  defaultValue: string | null;
  primaryKeyPosition: number;
}

export interface SqliteIndexInfo {
  name: string;
  unique: boolean;
  /** 'c' = CREATE INDEX, 'u' = UNIQUE constraint, 'pk' = PRIMARY KEY */
  origin: 'c' | 'u' | 'pk';
  sql: string | null;
}

export const sqliteIntrospection = {
  async tableSql(qr: QueryRunner, table: string): Promise<string | null> {
    const rows: { sql: string }[] = await qr.query(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, [table]);
    return rows.length ? rows[0].sql : null;
  },

  async tableNames(qr: QueryRunner): Promise<string[]> {
    const rows: { name: string }[] = await qr.query(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    );
    return rows.map((r) => r.name);
  },

  async columns(qr: QueryRunner, table: string): Promise<SqliteColumnInfo[]> {
    const rows: { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[] = await qr.query(
      `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`,
      [table],
    );
    return rows.map((r) => ({
      name: r.name,
      type: r.type,
      notNull: r.notnull === 1,
      defaultValue: r.dflt_value,
      primaryKeyPosition: r.pk,
    }));
  },

  async indexes(qr: QueryRunner, table: string): Promise<SqliteIndexInfo[]> {
    const rows: { name: string; unique: number; origin: 'c' | 'u' | 'pk'; sql: string | null }[] = await qr.query(
      `SELECT il.name, il."unique", il.origin, m.sql FROM pragma_index_list(?) il
         LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = il.name`,
      [table],
    );
    return rows.map((r) => ({ name: r.name, unique: r.unique === 1, origin: r.origin, sql: r.sql }));
  },

  async sequenceValue(qr: QueryRunner, table: string): Promise<number | null> {
    const hasSequence = await qr.query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'`);
    if (!hasSequence.length) return null;
    const rows: { seq: number }[] = await qr.query(`SELECT seq FROM sqlite_sequence WHERE name = ?`, [table]);
    return rows.length ? Number(rows[0].seq) : null;
  },

  async setSequenceValue(qr: QueryRunner, table: string, value: number): Promise<void> {
    await qr.query(`UPDATE sqlite_sequence SET seq = ? WHERE name = ? AND seq < ?`, [value, table, value]);
    const rows = await qr.query(`SELECT 1 FROM sqlite_sequence WHERE name = ?`, [table]);
    if (!rows.length) await qr.query(`INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)`, [table, value]);
  },

  /** Triggers and views as stored (`table` is the trigger's table; a view's is itself). */
  async schemaObjects(qr: QueryRunner, type: 'trigger' | 'view'): Promise<SqliteSchemaObject[]> {
    const rows: { name: string; tbl_name: string; sql: string }[] = await qr.query(
      `SELECT name, tbl_name, sql FROM sqlite_master WHERE type = ? ORDER BY name`,
      [type],
    );
    return rows.map((r) => ({ name: r.name, table: r.tbl_name, sql: r.sql }));
  },

  async rowCount(qr: QueryRunner, table: string): Promise<number> {
    const [{ n }]: { n: number }[] = await qr.query(`SELECT COUNT(*) AS n FROM "${table.replace(/"/g, '""')}"`);
    return Number(n);
  },

  async foreignKeysEnforced(qr: QueryRunner): Promise<boolean> {
    const [{ foreign_keys }]: { foreign_keys: number }[] = await qr.query('SELECT foreign_keys FROM pragma_foreign_keys');
    return foreign_keys === 1;
  },

  /**
   * ALTER TABLE ... RENAME TO with legacy_alter_table on: the rename of a rebuilt table's copy to
   * the table's name must neither rewrite nor check the triggers and views of other tables that
   * name the table (they name the dropped original, and are right again once the copy is renamed).
   */
  async renameRebuiltTable(qr: QueryRunner, from: string, to: string): Promise<void> {
    const [{ legacy_alter_table: before }]: { legacy_alter_table: number }[] = await qr.query('PRAGMA legacy_alter_table');
    await qr.query('PRAGMA legacy_alter_table = ON');
    try {
      await qr.query(`ALTER TABLE "${from.replace(/"/g, '""')}" RENAME TO "${to.replace(/"/g, '""')}"`);
    } finally {
      await qr.query(`PRAGMA legacy_alter_table = ${before ? 'ON' : 'OFF'}`);
    }
  },
};

export interface SqliteSchemaObject {
  name: string;
  table: string;
  sql: string;
}

/** Connection-level settings applied when a SQLite connection opens. */
export function sqliteConnectionPragmas(options: { journalMode: string; synchronous: string; busyTimeoutMs: number }): string[] {
  return [
    `busy_timeout = ${Math.round(options.busyTimeoutMs)}`,
    `journal_mode = ${options.journalMode}`,
    `synchronous = ${options.synchronous}`,
    // The Python layer never enforced foreign keys and legacy rows violate the declared ones.
    'foreign_keys = OFF',
  ];
}

// ---------------------------------------------------------------------------------------------
// SQL fragments that differ per driver, for repository SQL (BaseRepository exposes them as `this.sql`).
// ---------------------------------------------------------------------------------------------

export interface SqlFragments {
  /**
   * `expr` compared and ordered by bytes, as SQLite's default BINARY collation does (upper case
   * before lower case). PostgreSQL's database collation may be linguistic, so ask for "C".
   */
  binary(expr: string): string;
  /**
   * LOWER(expr) folding ASCII letters only, as SQLite's LOWER does: PostgreSQL's lower() is Unicode,
   * but under the "C" collation it maps A-Z only. Keeps matches the same on both drivers (a row
   * holding non-ASCII upper case matches on neither).
   */
  asciiLower(expr: string): string;
  /**
   * A value that compares and orders as the instant `expr` (a column or `?`) denotes. On SQLite legacy
   * timestamp text comes in several shapes (naive, Z, +02:00, with and without a fraction) that do not
   * compare as text; unixepoch() normalises them to UTC (milliseconds). PostgreSQL stores timestamptz.
   */
  instant(expr: string): string;
  /**
   * A sort key that orders rows by the instant a timestamp column holds, to the microsecond. SQLite's
   * date functions stop at milliseconds, so rows written within one millisecond would tie (and a
   * text order breaks at whole seconds, where Python's `isoformat()` drops the fraction: `…:01Z`
   * sorts after `…:01.000001Z`); the key adds the fraction's sub-millisecond digits from the text.
   * PostgreSQL's timestamptz holds microseconds.
   */
  instantOrder(column: string): string;
  /**
   * Epoch microseconds of a timestamp column as an integer (PostgreSQL returns it as a string), for
   * durations measured from a stored start to the microsecond, as Python computes them.
   */
  epochMicroseconds(column: string): string;
  /** `expr` as seconds since the epoch (a number with a fraction), for differences of times. */
  epochSeconds(expr: string): string;
  /** A LIMIT that limits nothing, for an OFFSET to follow (SQLite has no OFFSET without LIMIT). */
  readonly noLimit: string;
  /**
   * A statement taking a lock on one key (`?`) until the transaction ends, so check-then-write
   * sections on that key serialise across connections; null on SQLite, where one connection already
   * runs one transaction at a time.
   */
  readonly keyLock: string | null;
}

/**
 * Epoch microseconds of a legacy timestamp text on SQLite: whole seconds from unixepoch() (any shape,
 * offsets applied) plus the fraction's first six digits, which end where the zone (`Z`, `±hh:mm`)
 * or the text ends.
 */
function sqliteInstantMicroseconds(column: string): string {
  const fractionEnd = `CASE WHEN ${column} LIKE '%Z' THEN length(${column}) WHEN substr(${column}, -6, 1) IN ('+', '-') THEN length(${column}) - 5 ELSE length(${column}) + 1 END`;
  const fraction = `CAST(substr(substr(${column}, 21, ${fractionEnd} - 21) || '000000', 1, 6) AS INTEGER)`;
  return `(unixepoch(${column}) * 1000000 + CASE WHEN substr(${column}, 20, 1) = '.' THEN ${fraction} ELSE 0 END)`;
}

const SQLITE_FRAGMENTS: SqlFragments = {
  binary: (expr) => expr,
  asciiLower: (expr) => `LOWER(${expr})`,
  instant: (expr) => `unixepoch(${expr}, 'subsec')`,
  instantOrder: sqliteInstantMicroseconds,
  epochMicroseconds: sqliteInstantMicroseconds,
  epochSeconds: (expr) => `unixepoch(${expr}, 'subsec')`,
  noLimit: 'LIMIT -1',
  keyLock: null,
};

const POSTGRES_FRAGMENTS: SqlFragments = {
  binary: (expr) => `${expr} COLLATE "C"`,
  asciiLower: (expr) => `LOWER((${expr}) COLLATE "C")`,
  instant: (expr) => expr,
  instantOrder: (column) => column,
  epochMicroseconds: (column) => `CAST(FLOOR(EXTRACT(EPOCH FROM ${column}) * 1000000) AS BIGINT)`,
  epochSeconds: (expr) => `EXTRACT(EPOCH FROM ${expr})`,
  noLimit: 'LIMIT ALL',
  keyLock: 'SELECT pg_advisory_xact_lock(hashtextextended(?, 0))',
};

/** The SQL fragment builders of one driver. */
export function sqlFragments(driver: Driver): SqlFragments {
  return driver === 'postgres' ? POSTGRES_FRAGMENTS : SQLITE_FRAGMENTS;
}

/** Rewrites `?` placeholders as `$1, $2, ...` for PostgreSQL. Repository SQL never has a literal `?`. */
export function placeholders(driver: Driver, sql: string): string {
  if (driver === 'sqlite') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
