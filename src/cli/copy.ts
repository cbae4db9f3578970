/**
 * `trinity-db copy`: SQLite -> PostgreSQL, all or nothing.
 *
 * - The source is opened read-only (better-sqlite3 `readonly`) in one read transaction, and must
 *   already be at the migration head: copy never migrates (writes to) it.
 * - The target is migrated to the head, then filled in ONE transaction: a failure, a refusal or a
 *   killed process leaves it as it was (empty, or migrated-but-empty), and a re-run starts over.
 * - Each value is converted per column kind: 0/1 -> boolean, every legacy timestamp text ->
 *   timestamptz at microsecond precision (parsed here, not through Date), JSON text -> jsonb.
 *   Rows that cannot be converted (or that PostgreSQL rejects) are reported by table and primary
 *   key: the copy fails, or with skipInvalid they are skipped and listed.
 * - Serial sequences are reset past MAX(id) and past the legacy sqlite_sequence value.
 * - `verify` runs at the end.
 */
import type { Client } from 'pg';
import { MIGRATIONS_TABLE } from '../data-source';
import type { ColumnSpec, TableSpec } from '../entity/columns';
import { DatabaseCommandError, EXIT } from './errors';
import { migrateDatabase } from './migrate';
import { formatTable, type ProgressEvent } from './output';
import {
  CliError,
  applicationTables,
  beginTransaction,
  connectPostgres,
  describeKey,
  migrationState,
  openReadOnly,
  parseTimestampMicros,
  parseUrl,
  qualifiedTable,
  quoteIdent,
  type ReadOnlyDatabase,
} from './table-rows';
import { printVerifyReport, rowKey, verifyDatabases, type VerifyReport } from './verify';

export interface CopyOptions {
  from: string;
  to: string;
  /** Empty a non-empty target first (inside the copy transaction). */
  truncate?: boolean;
  /** Skip (and list) rows that cannot be converted instead of failing. */
  skipInvalid?: boolean;
  /** Rows per multi-row INSERT (default 500). */
  batchSize?: number;
  /** Run verify after the copy (default true). */
  verify?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** Informational messages (migrations, truncation, sequences). */
  log?: (line: string) => void;
  /** The flags or variables the URLs came from, for messages (default --from, --to). */
  fromVia?: string;
  toVia?: string;
  /**
   * Asked before `truncate` empties a target that holds rows (the tables with their counts); the copy
   * is refused, with nothing changed, unless it resolves true. Without it truncate proceeds.
   */
  confirmTruncate?: (nonEmpty: string[]) => Promise<boolean>;
}

export interface InvalidRow {
  table: string;
  /** The primary key, e.g. `id=5`. */
  key: string;
  column?: string;
  reason: string;
}

export interface TableCopy {
  table: string;
  sourceRows: number;
  copied: number;
  skipped: number;
  seconds: number;
}

export interface CopyReport {
  from: string;
  to: string;
  migrations: string[];
  truncated: boolean;
  tables: TableCopy[];
  skipped: InvalidRow[];
  totalRows: number;
  /** Duration of the copy transaction (read, convert, insert, sequences, commit). */
  seconds: number;
  rowsPerSecond: number;
  /** Next id of every serial column after the reset. */
  sequences: { table: string; nextId: number }[];
  verify?: VerifyReport;
}

/** The copy did not happen (refused, or rows could not be converted); the target is unchanged. */
export class CopyError extends CliError {
  constructor(
    message: string,
    readonly invalid: InvalidRow[] = [],
  ) {
    super(message, 1);
    this.name = 'CopyError';
  }
}

/** Test hook: milliseconds to sleep after each inserted batch (used to kill a copy half-way). */
const BATCH_DELAY_ENV = 'TRINITY_DB_COPY_TEST_BATCH_DELAY_MS';
/** PostgreSQL's limit on bind parameters per statement. */
const MAX_PARAMETERS = 65535;
const INT4_MIN = -(2n ** 31n);
const INT4_MAX = 2n ** 31n - 1n;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

class Unconvertible extends Error {}

function integerOf(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return null;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 60 ? `${JSON.stringify(value.slice(0, 60))}...` : JSON.stringify(value);
  if (Buffer.isBuffer(value)) return `a blob of ${value.length} bytes`;
  return `${typeof value === 'bigint' ? 'integer' : typeof value} ${String(value)}`;
}

/** Strings PostgreSQL cannot store: NUL characters (text and jsonb) and lone UTF-16 surrogates. */
function unstorableString(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which PostgreSQL cannot store';
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)) return 'contains a lone UTF-16 surrogate';
  return null;
}

function unstorableJson(value: unknown): string | null {
  if (typeof value === 'string') return unstorableString(value);
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = unstorableJson(item);
      if (problem) return problem;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorableString(key) ?? unstorableJson(item);
      if (problem) return problem;
    }
  }
  return null;
}

/** One SQLite stored value -> the PostgreSQL parameter for the column (throws Unconvertible). */
export function convertValue(column: ColumnSpec, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (!column.nullable) throw new Unconvertible('NULL in a NOT NULL column');
    return null;
  }
  switch (column.kind) {
    case 'id':
    case 'int': {
      const n = integerOf(value);
      if (n === null) throw new Unconvertible(`expected an integer, got ${describeValue(value)}`);
      if (n < INT4_MIN || n > INT4_MAX) throw new Unconvertible(`integer ${n} is out of range for PostgreSQL integer`);
      return Number(n);
    }
    case 'bigint': {
      const n = integerOf(value);
      if (n === null) throw new Unconvertible(`expected an integer, got ${describeValue(value)}`);
      if (n < INT8_MIN || n > INT8_MAX) throw new Unconvertible(`integer ${n} is out of range for PostgreSQL bigint`);
      return n.toString();
    }
    case 'real':
      if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
      throw new Unconvertible(`expected a number, got ${describeValue(value)}`);
    case 'bool':
      if (value === 0n || value === 0) return false;
      if (value === 1n || value === 1) return true;
      throw new Unconvertible(`expected a boolean stored as 0 or 1, got ${describeValue(value)}`);
    case 'text': {
      if (typeof value === 'number' || typeof value === 'bigint') return String(value);
      if (typeof value !== 'string') throw new Unconvertible(`expected text, got ${describeValue(value)}`);
      const problem = unstorableString(value);
      if (problem) throw new Unconvertible(`text ${problem}`);
      return value;
    }
    case 'timestamp': {
      const parsed = typeof value === 'string' ? parseTimestampMicros(value) : null;
      if (!parsed) throw new Unconvertible(`not a timestamp: ${describeValue(value)}`);
      return parsed.iso;
    }
    case 'json': {
      if (typeof value === 'number' || typeof value === 'bigint') return String(value);
      if (typeof value !== 'string') throw new Unconvertible(`expected JSON text, got ${describeValue(value)}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch (error) {
        throw new Unconvertible(`invalid JSON (${(error as Error).message}): ${describeValue(value)}`);
      }
      const problem = unstorableJson(parsed);
      if (problem) throw new Unconvertible(`JSON ${problem}`);
      return value; // the original text keeps every digit of large numbers; PostgreSQL parses it as jsonb
    }
  }
}

interface ConvertedRow {
  params: unknown[];
  row: Record<string, unknown>;
}

function insertSql(table: TableSpec, rowCount: number): string {
  const n = table.columns.length;
  const values: string[] = [];
  for (let r = 0; r < rowCount; r++) values.push(`(${table.columns.map((_, c) => `$${r * n + c + 1}`).join(', ')})`);
  return `INSERT INTO ${quoteIdent(table.tableName)} (${table.columns.map((c) => quoteIdent(c.name)).join(', ')}) VALUES ${values.join(', ')}`;
}

/**
 * Inserts rows under a savepoint; when PostgreSQL rejects the batch, retries row by row to name
 * the rows it rejects. Returns the rejected rows with PostgreSQL's message.
 */
async function insertRows(client: Client, table: TableSpec, rows: ConvertedRow[]): Promise<{ row: ConvertedRow; reason: string }[]> {
  if (!rows.length) return [];
  await client.query('SAVEPOINT trinity_copy_batch');
  try {
    await client.query(insertSql(table, rows.length), rows.flatMap((r) => r.params));
    await client.query('RELEASE SAVEPOINT trinity_copy_batch');
    return [];
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT trinity_copy_batch');
  }
  const rejected: { row: ConvertedRow; reason: string }[] = [];
  const single = insertSql(table, 1);
  for (const row of rows) {
    try {
      await client.query(single, row.params);
      await client.query('RELEASE SAVEPOINT trinity_copy_batch');
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT trinity_copy_batch');
      rejected.push({ row, reason: `PostgreSQL rejected the row: ${error instanceof DatabaseCommandError ? error.reason : (error as Error).message}` });
    }
    await client.query('SAVEPOINT trinity_copy_batch');
  }
  await client.query('RELEASE SAVEPOINT trinity_copy_batch');
  return rejected;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function checkSource(source: ReadOnlyDatabase): Promise<string[]> {
  const state = migrationState('sqlite', await source.appliedMigrations());
  const migrate = `run \`trinity-db migrate --url ${source.maskedUrl}\` first (back the file up before: migrating rewrites a legacy file); copy opens the source read-only and never migrates it`;
  if (state.unmigrated) throw new CopyError(`the source ${source.maskedUrl} has never been migrated by trinity-db (a legacy trinity.db?): ${migrate}`);
  if (state.unknown.length) {
    throw new CopyError(`the source ${source.maskedUrl} has migrations this release does not know (${state.unknown.join(', ')}): use the trinity-db release that migrated it`);
  }
  if (state.pending.length) throw new CopyError(`the source ${source.maskedUrl} has pending migrations (${state.pending.join(', ')}): ${migrate}`);
  return state.applied;
}

/**
 * A copy that failed on a database (not a refusal): says what became of the target, which is all or
 * nothing, so the operator knows a re-run is safe.
 */
function withTargetState(error: unknown, progress: CopyProgress): unknown {
  if (!(error instanceof DatabaseCommandError)) return error;
  if (error.ref.role === 'source' && !progress.committing) return new CliError(`${error.message}; the target was left unchanged`, error.exitCode);
  const state = progress.committed
    ? 'the copy was committed, but its verification did not finish; run `trinity-db verify` with the same URLs'
    : progress.committing
      ? 'the connection failed while the copy was being committed, so whether it was is unknown: run `trinity-db verify` with the same URLs (or copy again with --truncate)'
      : progress.migrated.length
      ? `no row was copied: the target only got the schema (${progress.migrated.join(', ')}); run the same command again`
      : 'the target was left unchanged (nothing of this copy was committed); run the same command again';
  return new CliError(`${error.message}; ${state}`, error.exitCode);
}

interface CopyProgress {
  /** Migrations applied to the target by this copy. */
  migrated: string[];
  committing: boolean;
  committed: boolean;
}

/** Copies every application table of a SQLite database into a PostgreSQL database (see the module comment). */
export async function copyDatabase(options: CopyOptions): Promise<CopyReport> {
  const progress: CopyProgress = { migrated: [], committing: false, committed: false };
  try {
    return await copyOnce(options, progress);
  } catch (error) {
    throw withTargetState(error, progress);
  }
}

async function copyOnce(options: CopyOptions, state: CopyProgress): Promise<CopyReport> {
  const log = options.log ?? (() => undefined);
  const fromVia = options.fromVia ?? '--from';
  const toVia = options.toVia ?? '--to';
  const fromConfig = parseUrl(options.from, fromVia, 'source');
  const toConfig = parseUrl(options.to, toVia, 'target');
  if (fromConfig.driver !== 'sqlite') throw new CliError(`the source (${fromVia}) must be a SQLite URL (sqlite:///path/to/trinity.db), got ${fromConfig.maskedUrl}`, EXIT.usage);
  if (toConfig.driver !== 'postgres') {
    throw new CliError(`the target (${toVia}) must be a PostgreSQL URL (postgresql://user:password@host:5432/db), got ${toConfig.maskedUrl}`, EXIT.usage);
  }
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError(`--batch-size must be a positive integer, got ${batchSize}`, 2);
  const delayMs = Number(process.env[BATCH_DELAY_ENV] ?? 0) || 0;

  const source = await openReadOnly(fromConfig);
  let client: Client | undefined;
  let inTransaction = false;
  try {
    const sourceMigrations = await checkSource(source);

    const migrated = await migrateDatabase(toConfig, (line) => log(`target: ${line}`));
    state.migrated.push(...migrated.applied);
    if (migrated.applied.length) log(`migrated the target ${toConfig.maskedUrl}: ${migrated.applied.join(', ')}`);
    client = await connectPostgres(toConfig);
    const { rows: applied } = await client.query(`SELECT name FROM ${qualifiedTable(toConfig, MIGRATIONS_TABLE)} ORDER BY id`);
    const targetMigrations = applied.map((r) => r.name as string);
    if (targetMigrations.join('\n') !== sourceMigrations.join('\n')) {
      throw new CopyError(
        `source and target are not at the same migration head: source [${sourceMigrations.join(', ')}], target [${targetMigrations.join(', ')}]`,
      );
    }

    const tables = applicationTables();
    const tableList = tables.map((t) => quoteIdent(t.tableName)).join(', ');
    const started = performance.now();
    await beginTransaction(client, toConfig);
    inTransaction = true;
    await client.query('SET LOCAL statement_timeout = 0');
    // No one writes to the target while it is being filled (readers may still read).
    await client.query(`LOCK TABLE ${tableList} IN EXCLUSIVE MODE`);

    const nonEmpty: string[] = [];
    for (const table of tables) {
      const { rows } = await client.query(`SELECT COUNT(*) AS n FROM ${quoteIdent(table.tableName)}`);
      if (Number(rows[0].n) > 0) nonEmpty.push(`${table.tableName} (${rows[0].n})`);
    }
    if (nonEmpty.length && !options.truncate) {
      throw new CopyError(
        `the target ${toConfig.maskedUrl} is not empty: ${nonEmpty.length} table(s) hold rows: ${nonEmpty.join(', ')}. ` +
          `Nothing was changed. Re-run with --truncate to replace its contents (every application table is emptied in the copy transaction), ` +
          `or copy into an empty database. (An interrupted copy never leaves rows behind: copies commit all or nothing.)`,
      );
    }
    if (nonEmpty.length && options.confirmTruncate && !(await options.confirmTruncate(nonEmpty))) {
      throw new CopyError(`not confirmed: nothing was changed (the target ${toConfig.maskedUrl} keeps its rows)`);
    }
    if (nonEmpty.length) {
      await client.query(`TRUNCATE ${tableList} RESTART IDENTITY`);
      log(`truncated the target's ${tables.length} application tables (${nonEmpty.join(', ')}) inside the copy transaction`);
    }

    const totals = new Map<string, number>();
    for (const table of tables) totals.set(table.tableName, await source.count(table.tableName));
    const overallTotal = [...totals.values()].reduce((a, b) => a + b, 0);
    log(
      `${nonEmpty.length ? 'the target is now empty' : `the target ${toConfig.maskedUrl} is empty`}; copying ${overallTotal} rows of ` +
        `${tables.length} tables in one transaction (if this copy is interrupted, the target keeps nothing of it: run the same command again)`,
    );
    let overallDone = 0;

    const invalid: InvalidRow[] = [];
    const skippedKeys = new Map<string, Set<string>>();
    const report: TableCopy[] = [];
    for (const [tableIndex, table] of tables.entries()) {
      const tableStarted = performance.now();
      const total = totals.get(table.tableName)!;
      const entry: TableCopy = { table: table.tableName, sourceRows: total, copied: 0, skipped: 0, seconds: 0 };
      report.push(entry);
      const rowsPerStatement = Math.max(1, Math.min(batchSize, Math.floor(MAX_PARAMETERS / table.columns.length)));
      const skip = (row: Record<string, unknown>, column: string | undefined, reason: string) => {
        invalid.push({ table: table.tableName, key: describeKey(table, row), column, reason });
        let keys = skippedKeys.get(table.tableName);
        if (!keys) skippedKeys.set(table.tableName, (keys = new Set()));
        keys.add(rowKey('sqlite', table, row));
        entry.skipped++;
      };
      const progress = (finished: boolean) =>
        options.onProgress?.({
          table: table.tableName,
          tableIndex,
          tableCount: tables.length,
          done: entry.copied + entry.skipped,
          total,
          overallDone,
          overallTotal,
          finished,
        });
      for await (const batch of source.readRows(table, rowsPerStatement)) {
        const converted: ConvertedRow[] = [];
        for (const row of batch) {
          const params: unknown[] = [];
          let failed = false;
          for (const column of table.columns) {
            try {
              params.push(convertValue(column, row[column.name]));
            } catch (error) {
              if (!(error instanceof Unconvertible)) throw error;
              skip(row, column.name, `${column.name}: ${error.message}`);
              failed = true;
              break;
            }
          }
          if (!failed) converted.push({ params, row });
        }
        // Once the copy is bound to fail, keep scanning (to report every bad row) but stop inserting.
        if (options.skipInvalid || invalid.length === 0) {
          const rejected = await insertRows(client, table, converted);
          for (const { row, reason } of rejected) skip(row.row, undefined, reason);
          entry.copied += converted.length - rejected.length;
          if (delayMs > 0) {
            process.stderr.write(`${BATCH_DELAY_ENV}: inserted a batch of ${converted.length - rejected.length} row(s) into ${table.tableName}; sleeping ${delayMs} ms\n`);
            await sleep(delayMs);
          }
        }
        overallDone += batch.length;
        progress(false);
      }
      entry.seconds = (performance.now() - tableStarted) / 1000;
      progress(true);
    }

    if (invalid.length && !options.skipInvalid) {
      throw new CopyError(
        `${invalid.length} row(s) cannot be converted for PostgreSQL; nothing was copied (the target is unchanged):\n` +
          invalid.map((r) => `  ${r.table} ${r.key}: ${r.reason}`).join('\n') +
          `\nFix these rows in the source, or re-run with --skip-invalid to copy everything else and list them.`,
        invalid,
      );
    }

    // Serial ids: the next insert gets an id above every copied id and above the legacy
    // sqlite_sequence value (AUTOINCREMENT never reuses an id, even of a deleted row).
    const sqliteSequences = await source.sequences();
    const sequences: CopyReport['sequences'] = [];
    for (const table of tables) {
      const id = table.columns.find((c) => c.kind === 'id');
      if (!id) continue;
      const floor = sqliteSequences.get(table.tableName) ?? 0;
      const { rows } = await client.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE(MAX(${quoteIdent(id.name)}), 0), $3::bigint, 1),
                       GREATEST(COALESCE(MAX(${quoteIdent(id.name)}), 0), $3::bigint) > 0) AS value,
                GREATEST(COALESCE(MAX(${quoteIdent(id.name)}), 0), $3::bigint) AS last
           FROM ${quoteIdent(table.tableName)}`,
        [quoteIdent(table.tableName), id.name, floor],
      );
      sequences.push({ table: table.tableName, nextId: Number(rows[0].last) + 1 });
    }

    state.committing = true;
    await client.query('COMMIT');
    inTransaction = false;
    state.committed = true;
    const seconds = (performance.now() - started) / 1000;
    const totalRows = report.reduce((sum, t) => sum + t.copied, 0);
    const result: CopyReport = {
      from: fromConfig.maskedUrl,
      to: toConfig.maskedUrl,
      migrations: targetMigrations,
      truncated: nonEmpty.length > 0,
      tables: report,
      skipped: invalid,
      totalRows,
      seconds,
      rowsPerSecond: seconds > 0 ? totalRows / seconds : totalRows,
      sequences,
    };
    await client.end();
    client = undefined;
    await source.close();
    if (options.verify !== false) result.verify = await verifyDatabases(options.from, options.to, { exclude: skippedKeys, fromVia, toVia });
    return result;
  } finally {
    if (client) {
      if (inTransaction) await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    }
    await source.close().catch(() => undefined); // never hides the error that got us here
  }
}

export function printCopyReport(report: CopyReport, out: (line: string) => void): void {
  if (report.skipped.length) {
    out(`skipped ${report.skipped.length} row(s) that cannot be converted (--skip-invalid):`);
    for (const r of report.skipped) out(`  ${r.table} ${r.key}: ${r.reason}`);
  }
  out(
    formatTable(
      ['table', 'rows copied', 'skipped', 'seconds'],
      [
        ...report.tables.map((t) => [t.table, String(t.copied), String(t.skipped), t.seconds.toFixed(3)]),
        ['total', String(report.totalRows), String(report.skipped.length), report.seconds.toFixed(3)],
      ],
      [false, true, true, true],
    ),
  );
  out(
    `copied ${report.totalRows} rows from ${report.from} to ${report.to} in ${report.seconds.toFixed(2)} s ` +
      `(${Math.round(report.rowsPerSecond)} rows/s)${report.truncated ? ', after truncating the target' : ''}`,
  );
  if (report.verify) printVerifyReport(report.verify, out);
}

export const COPY_HELP = `Usage: trinity-db copy --from SQLITE_URL --to POSTGRES_URL [--truncate [--yes]] [--skip-invalid] [--batch-size N] [--json]

Copy every application table of a SQLite database into PostgreSQL, then verify the copy.

  - The source is opened read-only and must be at the migration head: run
    \`trinity-db migrate --url SQLITE_URL\` on it first (copy never writes to the source).
  - The target is migrated to the same head, then filled in one transaction: if anything fails,
    or the process is killed, the target keeps nothing of the copy and a re-run starts over.
  - A target that already holds rows is refused unless --truncate is given; --truncate asks
    before emptying it on a terminal, and needs --yes otherwise.
  - Values are converted per column: 0/1 -> boolean, legacy timestamp text -> timestamptz
    (microseconds kept), JSON text -> jsonb. Rows that cannot be converted are listed by table
    and primary key and the copy fails, unless --skip-invalid is given.
  - Serial id sequences are reset so the next insert gets a new id.
  - Progress: a bar on a terminal, plain lines otherwise (on stderr); then a summary table and
    \`verify\` (or, with --json, one JSON document).

Exit status: 0 copied and verified, 1 refused / failed / verification differences, 2 usage error.

Options:
  --from URL        the SQLite source (sqlite:///relative.db or sqlite:////absolute.db;
                    default: TRINITY_DB_SOURCE_URL)
  --to URL          the PostgreSQL target (postgresql://user:password@host:5432/db; default:
                    TRINITY_DB_TARGET_URL, which keeps the password off the command line, as does
                    PGPASSWORD for a URL without a password)
  --truncate        empty a non-empty target first (in the same transaction)
  -y, --yes         do not ask before --truncate empties the target (needed when not on a terminal)
  --skip-invalid    skip rows that cannot be converted, list them, and copy the rest
  --batch-size N    rows per INSERT statement (default 500)
  --json            print the report (and verify's) as one JSON document
  -h, --help        show this help
`;
