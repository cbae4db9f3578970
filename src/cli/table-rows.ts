/**
 * Shared helpers of the `trinity-db` commands: the application tables in copy order, raw read-only
 * access to either driver (better-sqlite3 `readonly`, or a pg Client in a read-only snapshot),
 * microsecond-exact legacy timestamp parsing, and the canonical "API terms" form of a value that
 * `verify` hashes.
 */
import { Client } from 'pg';
import { ConfigError, parseDatabaseUrl, type DatabaseConfig, type PostgresConfig } from '../config';
import { parseTimestamp } from '../codec/timestamp';
import type { Driver } from '../dialect';
import { MIGRATIONS_TABLE } from '../data-source';
import { registeredTables, type ColumnSpec, type TableSpec } from '../entity/columns';
import '../entity';
import { MIGRATIONS } from '../migration';
import { openSqliteReadOnly as openSqliteFile } from '../sqlite-read-only';
import { CliError, EXIT, attributeTo, onDatabase, urlError, type DatabaseRef, type DatabaseRole } from './errors';

export { CliError };

/** Parents first (users, agent_ownership, ...): there are no enforced foreign keys, this is for readability. */
const PARENTS_FIRST = ['users', 'agent_ownership'];

/** The 43 application tables, parents first, then in registry order. */
export function applicationTables(): TableSpec[] {
  const tables = registeredTables();
  const rank = (t: TableSpec) => {
    const i = PARENTS_FIRST.indexOf(t.tableName);
    return i < 0 ? PARENTS_FIRST.length : i;
  };
  return tables.map((t, i) => ({ t, i })).sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i).map(({ t }) => t);
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function primaryColumns(table: TableSpec): ColumnSpec[] {
  const pk = table.columns.filter((c) => c.primary);
  return pk.length ? pk : table.columns;
}

/** The names of a driver's migration track, in order (the "head" is the last one). */
export function migrationTrack(driver: Driver): string[] {
  return MIGRATIONS[driver].map((M) => {
    const instance = new M() as { name?: string };
    return instance.name ?? M.name;
  });
}

const refs = new WeakMap<DatabaseConfig, DatabaseRef>();

/**
 * Parses a URL given through `via` (a flag or a variable) for a database of the command; errors
 * (and later failures on that database, see refOf) name the role and `via`.
 */
export function parseUrl(url: string, via: string, role: DatabaseRole = 'database'): DatabaseConfig {
  let config: DatabaseConfig;
  try {
    config = parseDatabaseUrl(url, process.env, 'argument', via);
  } catch (error) {
    if (error instanceof ConfigError) throw urlError(error, via, role);
    throw error;
  }
  refs.set(config, { role, via, maskedUrl: config.maskedUrl, driver: config.driver });
  return config;
}

/** The role and origin of a parsed URL (a config not made by parseUrl is the command's database, given by --url). */
export function refOf(config: DatabaseConfig): DatabaseRef {
  return refs.get(config) ?? { role: 'database', via: '--url', maskedUrl: config.maskedUrl, driver: config.driver };
}

// ---------------------------------------------------------------------------------------------
// Timestamps at microsecond precision (a JS Date only keeps milliseconds).

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export interface MicroTimestamp {
  /** ISO-8601 with six fractional digits and an explicit offset, which PostgreSQL accepts as timestamptz. */
  iso: string;
  /** Microseconds since the Unix epoch (UTC). */
  micros: bigint;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  return [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Parses every legacy timestamp shape (naive, Z, +HH:MM, local offsets, 'YYYY-MM-DD HH:MM:SS') at
 * microsecond precision (extra digits are truncated, as the codec truncates to milliseconds); naive
 * text is UTC. Returns null for text that is not a timestamp (also checked with the codec's parser).
 */
export function parseTimestampMicros(text: string): MicroTimestamp | null {
  const m = ISO_PATTERN.exec(text.trim());
  if (!m) return null;
  const [, ys, mos, ds, hs = '0', mis = '0', ss = '0', frac = '', zone] = m;
  const [y, mo, d, h, mi, s] = [ys, mos, ds, hs, mis, ss].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  let offset = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4) || '0');
    if (oh > 23 || om > 59) return null;
    offset = sign * (oh * 60 + om);
  }
  if (parseTimestamp(text) === null) return null;
  const fraction = (frac + '000000').slice(0, 6);
  const seconds = BigInt(daysFromCivil(y, mo, d)) * 86400n + BigInt(h * 3600 + mi * 60 + s - offset * 60);
  const micros = seconds * 1_000_000n + BigInt(fraction);
  const abs = Math.abs(offset);
  const iso =
    `${ys}-${mos}-${ds}T${pad(h)}:${pad(mi)}:${pad(s)}.${fraction}` + `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return { iso, micros };
}

// ---------------------------------------------------------------------------------------------
// Canonical values ("API terms") for verification.

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

function integerText(value: unknown, acceptText: boolean): string | null {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
  if (acceptText && typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value).toString();
  return null;
}

function raw(value: unknown): string {
  if (Buffer.isBuffer(value)) return `x:${value.toString('hex')}`;
  return `${typeof value}:${String(value)}`;
}

/**
 * The canonical text of a stored value in API terms, equal on both drivers for equal API values:
 * booleans as b:1/b:0 (SQLite 1 == PostgreSQL true), timestamps as epoch microseconds (two spellings
 * of one instant are equal), JSON with sorted keys, numbers as numbers. Values that have no API
 * meaning (a 2 in a boolean, unparseable timestamp or JSON text) get a '!' form, equal only to
 * themselves. `value` is what `readRows` returns for that driver.
 */
export function canonicalValue(driver: Driver, column: ColumnSpec, value: unknown): string {
  if (value === null || value === undefined) return 'N';
  switch (column.kind) {
    case 'id':
    case 'int':
    case 'bigint': {
      const text = integerText(value, driver === 'postgres');
      return text === null ? `i!${raw(value)}` : `i:${text}`;
    }
    case 'real':
      if (typeof value === 'bigint' || typeof value === 'number') return `r:${String(Number(value))}`;
      return `r!${raw(value)}`;
    case 'bool':
      if (value === true || value === 1 || value === 1n) return 'b:1';
      if (value === false || value === 0 || value === 0n) return 'b:0';
      return `b!${raw(value)}`;
    case 'text':
      if (typeof value === 'string') return `s:${value}`;
      if (typeof value === 'number' || typeof value === 'bigint') return `s:${String(value)}`;
      return `s!${raw(value)}`;
    case 'timestamp': {
      const parsed = typeof value === 'string' ? parseTimestampMicros(value) : null;
      return parsed ? `t:${parsed.micros}` : `t!${raw(value)}`;
    }
    case 'json': {
      if (typeof value === 'number' || typeof value === 'bigint') return `j:${canonicalJson(Number(value))}`;
      if (typeof value !== 'string') return `j!${raw(value)}`;
      try {
        return `j:${canonicalJson(JSON.parse(value))}`;
      } catch {
        return `j!${raw(value)}`;
      }
    }
  }
}

/** A primary key for messages: `id=5` or `agent_name=a, tag=b`. */
export function describeKey(table: TableSpec, row: Record<string, unknown>): string {
  return primaryColumns(table)
    .map((c) => `${c.name}=${formatKeyValue(row[c.name])}`)
    .join(', ');
}

function formatKeyValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return /^[\w.:@+-]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Read-only access.

/** A read-only view of one database: migration state, counts and rows of the application tables. */
export interface ReadOnlyDatabase {
  readonly driver: Driver;
  readonly maskedUrl: string;
  /** Names in typeorm_migrations, in order; null when the table is absent (never migrated, or a legacy file). */
  appliedMigrations(): Promise<string[] | null>;
  hasTable(table: string): Promise<boolean>;
  count(table: string): Promise<number>;
  /** Rows in batches; values as the driver returns them (see canonicalValue). */
  readRows(table: TableSpec, batchSize?: number): AsyncGenerator<Record<string, unknown>[]>;
  /** The row whose primary key equals that of `key` (a row readRows returned), if any. */
  readRow(table: TableSpec, key: Record<string, unknown>): Promise<Record<string, unknown> | undefined>;
  /** sqlite_sequence (SQLite) values by table; empty on PostgreSQL. */
  sequences(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** Opens a database for reading only; every failure (opening, reading) names the database (see refOf). */
export async function openReadOnly(config: DatabaseConfig): Promise<ReadOnlyDatabase> {
  const ref = refOf(config);
  if (config.driver === 'sqlite' && config.inMemory) throw new CliError(`${ref.via}: an in-memory SQLite database has nothing to read`, EXIT.usage);
  const db = await onDatabase(ref, async () =>
    config.driver === 'sqlite' ? openSqliteReadOnly(config.path, config.maskedUrl, config.busyTimeoutMs) : openPostgresReadOnly(config),
  );
  return attributed(db, ref);
}

/** The same database with every failure attributed to `ref`. */
function attributed(db: ReadOnlyDatabase, ref: DatabaseRef): ReadOnlyDatabase {
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A) =>
      onDatabase(ref, () => fn(...args));
  return {
    driver: db.driver,
    maskedUrl: db.maskedUrl,
    appliedMigrations: wrap(db.appliedMigrations),
    hasTable: wrap(db.hasTable),
    count: wrap(db.count),
    readRow: wrap(db.readRow),
    sequences: wrap(db.sequences),
    close: wrap(db.close),
    async *readRows(table, batchSize) {
      try {
        yield* db.readRows(table, batchSize);
      } catch (error) {
        throw attributeTo(ref, error);
      }
    },
  };
}

/** Test hook: milliseconds to sleep between the batches readRows returns (used to stop a server mid-read). */
const READ_DELAY_ENV = 'TRINITY_DB_TEST_READ_DELAY_MS';
const readDelay = () => new Promise((resolve) => setTimeout(resolve, Number(process.env[READ_DELAY_ENV] ?? 0) || 0));

/** `WHERE "a" = ? AND "b" = ?` over the primary key of `table`, with the values of `row`. */
function keyCondition(table: TableSpec, row: Record<string, unknown>, placeholder: (i: number) => string) {
  const columns = primaryColumns(table);
  return { sql: columns.map((c, i) => `${quoteIdent(c.name)} = ${placeholder(i)}`).join(' AND '), values: columns.map((c) => row[c.name]) };
}

function openSqliteReadOnly(file: string, maskedUrl: string, busyTimeoutMs: number): ReadOnlyDatabase {
  const db = openSqliteFile(file, { timeout: busyTimeoutMs });
  // One read transaction: every table is read from the same snapshot.
  db.exec('BEGIN');
  const tableExists = (name: string) => !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name);
  return {
    driver: 'sqlite',
    maskedUrl,
    async appliedMigrations() {
      if (!tableExists(MIGRATIONS_TABLE)) return null;
      return (db.prepare(`SELECT name FROM ${quoteIdent(MIGRATIONS_TABLE)} ORDER BY id`).all() as { name: string }[]).map((r) => r.name);
    },
    async hasTable(name) {
      return tableExists(name);
    },
    async count(name) {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${quoteIdent(name)}`).get() as { n: number }).n;
    },
    async *readRows(table, batchSize = 1000) {
      const columns = table.columns.map((c) => quoteIdent(c.name)).join(', ');
      const statement = db.prepare(`SELECT rowid AS "__rowid", ${columns} FROM ${quoteIdent(table.tableName)} WHERE rowid > ? ORDER BY rowid LIMIT ?`);
      statement.safeIntegers(true);
      let after: bigint = -(2n ** 63n);
      for (;;) {
        const rows = statement.all(after, batchSize) as Record<string, unknown>[];
        if (!rows.length) return;
        after = rows[rows.length - 1].__rowid as bigint;
        for (const row of rows) delete row.__rowid;
        yield rows;
        if (rows.length < batchSize) return;
        await readDelay();
      }
    },
    async readRow(table, key) {
      const where = keyCondition(table, key, () => '?');
      const statement = db.prepare(`SELECT ${table.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${quoteIdent(table.tableName)} WHERE ${where.sql} LIMIT 1`);
      statement.safeIntegers(true);
      return statement.get(...where.values) as Record<string, unknown> | undefined;
    },
    async sequences() {
      if (!tableExists('sqlite_sequence')) return new Map();
      const rows = db.prepare(`SELECT name, seq FROM sqlite_sequence`).all() as { name: string; seq: number }[];
      return new Map(rows.map((r) => [r.name, Number(r.seq)]));
    },
    async close() {
      if (db.open) {
        if (db.inTransaction) db.exec('COMMIT');
        db.close();
      }
    },
  };
}

/**
 * A pg Client for a parsed PostgreSQL configuration. No startup options (a transaction pooler
 * refuses them): the schema's search_path is set per transaction (beginTransaction), and timestamps
 * are read with an explicit zone, so nothing depends on the session.
 */
export function postgresClient(config: PostgresConfig): Client {
  const client = new Client({
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
    ssl: config.ssl === false ? false : config.ssl,
    application_name: `${config.applicationName} cli`,
    connectionTimeoutMillis: config.connectTimeoutMs,
  });
  // A connection lost between queries is emitted as 'error' (unhandled, it would end the process
  // with a stack trace); the next query then fails, and connectPostgres reports the lost connection.
  client.on('error', (error) => lostConnections.set(client, error));
  return client;
}

/** BEGIN (with `characteristics`, e.g. an isolation level) and, with a schema of its own, its search_path for this transaction. */
export function beginTransaction(client: Client, config: PostgresConfig, characteristics = ''): Promise<unknown> {
  const searchPath = config.schema === undefined ? '' : `; SET LOCAL search_path = ${quoteIdent(config.schema)}`;
  return client.query(`BEGIN${characteristics ? ` ${characteristics}` : ''}${searchPath}`);
}

/** A table of the database's trinity-db schema, qualified when the URL names one (for statements outside a transaction). */
export function qualifiedTable(config: PostgresConfig, table: string): string {
  return config.schema === undefined ? quoteIdent(table) : `${quoteIdent(config.schema)}.${quoteIdent(table)}`;
}

const lostConnections = new WeakMap<Client, Error>();

/**
 * Connects a pg Client; every failure of it (connecting, a query, a lost connection) is attributed
 * to the database of `config` (see refOf), once, in one line.
 */
export async function connectPostgres(config: PostgresConfig): Promise<Client> {
  const ref = refOf(config);
  const client = postgresClient(config);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw attributeTo(ref, error);
  }
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as { query: unknown }).query = (...args: unknown[]) =>
    query(...args).catch((error: unknown) => {
      throw attributeTo(ref, lostConnections.get(client) ?? error);
    });
  return client;
}

/** The SELECT expression that reads a column for verification on PostgreSQL (exact, microsecond timestamps). */
function postgresSelect(column: ColumnSpec): string {
  const c = quoteIdent(column.name);
  switch (column.kind) {
    case 'timestamp':
      return `CASE WHEN isfinite(${c}) THEN to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') ELSE ${c}::text END AS ${c}`;
    case 'json':
    case 'bigint':
      return `${c}::text AS ${c}`;
    default:
      return c;
  }
}

async function openPostgresReadOnly(config: PostgresConfig): Promise<ReadOnlyDatabase> {
  const client = await connectPostgres(config);
  await beginTransaction(client, config, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const tableExists = async (name: string) =>
    (await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [quoteIdent(name)])).rows[0].present as boolean;
  let cursors = 0;
  return {
    driver: 'postgres',
    maskedUrl: config.maskedUrl,
    async appliedMigrations() {
      if (!(await tableExists(MIGRATIONS_TABLE))) return null;
      return (await client.query(`SELECT name FROM ${quoteIdent(MIGRATIONS_TABLE)} ORDER BY id`)).rows.map((r) => r.name as string);
    },
    hasTable: tableExists,
    async count(name) {
      return Number((await client.query(`SELECT COUNT(*) AS n FROM ${quoteIdent(name)}`)).rows[0].n);
    },
    async *readRows(table, batchSize = 1000) {
      const cursor = `trinity_verify_${cursors++}`;
      await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${table.columns.map(postgresSelect).join(', ')} FROM ${quoteIdent(table.tableName)}`);
      let done = false;
      try {
        for (;;) {
          const { rows } = await client.query(`FETCH ${Number(batchSize)} FROM ${cursor}`);
          if (!rows.length) break;
          yield rows;
          await readDelay();
        }
        done = true;
      } finally {
        // After a failure the transaction is aborted (or the connection gone): the cursor goes with it.
        if (done) await client.query(`CLOSE ${cursor}`);
      }
    },
    async readRow(table, key) {
      const where = keyCondition(table, key, (i) => `$${i + 1}`);
      const { rows } = await client.query(
        `SELECT ${table.columns.map(postgresSelect).join(', ')} FROM ${quoteIdent(table.tableName)} WHERE ${where.sql} LIMIT 1`,
        where.values,
      );
      return rows[0] as Record<string, unknown> | undefined;
    },
    async sequences() {
      return new Map();
    },
    async close() {
      try {
        if (!lostConnections.has(client)) await client.query('COMMIT');
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}

export interface MigrationState {
  applied: string[];
  pending: string[];
  /** Applied names this release does not know (the database was migrated by a newer release). */
  unknown: string[];
  /** typeorm_migrations is absent: never migrated (or a legacy file). */
  unmigrated: boolean;
}

export function migrationState(driver: Driver, applied: string[] | null): MigrationState {
  const track = migrationTrack(driver);
  const done = applied ?? [];
  return {
    applied: done,
    pending: track.filter((name) => !done.includes(name)),
    unknown: done.filter((name) => !track.includes(name)),
    unmigrated: applied === null,
  };
}
