/**
 * `trinity-db verify`: compares two databases table by table in API terms. For each application
 * table: the row counts, and a checksum over every row (each column decoded to its API value and
 * normalised, see canonicalValue; one hash per row; the hashes sorted by primary key and hashed
 * again), so SQLite 1 and PostgreSQL true, or two spellings of one instant, are equal.
 */
import { createHash } from 'crypto';
import type { TableSpec } from '../entity/columns';
import type { Driver } from '../dialect';
import { CliError, EXIT, type ExitCode } from './errors';
import { formatTable } from './output';
import { toJson } from './stdio';
import {
  applicationTables,
  canonicalValue,
  describeKey,
  migrationState,
  openReadOnly,
  parseUrl,
  primaryColumns,
  type ReadOnlyDatabase,
} from './table-rows';

export interface TableVerification {
  table: string;
  sourceRows: number | null;
  targetRows: number | null;
  /** Source rows left out on purpose (rows `copy --skip-invalid` skipped). */
  excludedRows: number;
  sourceChecksum: string | null;
  targetChecksum: string | null;
  equal: boolean;
  missingInTarget: number;
  extraInTarget: number;
  changed: number;
  /** Up to 5 primary keys of differing rows, e.g. `id=3 (differs: status, updated_at)`. */
  examples: string[];
  /** The same rows, structured: the key, how it differs and, for a changed row, the columns that differ. */
  differences: RowDifference[];
  note?: string;
}

export interface RowDifference {
  key: string;
  kind: 'missing in target' | 'only in target' | 'differs';
  /** Columns whose API values differ (for `differs`). */
  columns?: string[];
}

export interface VerifyReport {
  from: string;
  to: string;
  ok: boolean;
  tables: TableVerification[];
  differing: string[];
  excludedRows: number;
  notes: string[];
  seconds: number;
}

export interface VerifyOptions {
  /** Per table, canonical primary keys (rowKey) of source rows to leave out. */
  exclude?: Map<string, Set<string>>;
  batchSize?: number;
  /** The flags or variables the URLs came from, for messages (default --from, --to). */
  fromVia?: string;
  toVia?: string;
}

const MAX_EXAMPLES = 5;

/** The canonical primary key of a row (equal on both drivers for equal keys). */
export function rowKey(driver: Driver, table: TableSpec, row: Record<string, unknown>): string {
  return JSON.stringify(primaryColumns(table).map((c) => canonicalValue(driver, c, row[c.name])));
}

function rowHash(driver: Driver, table: TableSpec, row: Record<string, unknown>): string {
  const values = table.columns.map((c) => canonicalValue(driver, c, row[c.name]));
  return createHash('sha256').update(JSON.stringify(values)).digest('hex');
}

interface DigestRow {
  hash: string;
  label: string;
  /** The primary key values as read, to read the row again (readRow). */
  key: Record<string, unknown>;
}

interface Digest {
  rows: Map<string, DigestRow>;
  checksum: string;
  duplicates: number;
}

async function digestTable(db: ReadOnlyDatabase, table: TableSpec, exclude: Set<string> | undefined, batchSize: number): Promise<Digest & { excluded: number }> {
  const rows = new Map<string, DigestRow>();
  const keyColumns = primaryColumns(table);
  let excluded = 0;
  let duplicates = 0;
  for await (const batch of db.readRows(table, batchSize)) {
    for (const row of batch) {
      const key = rowKey(db.driver, table, row);
      if (exclude?.has(key)) {
        excluded++;
        continue;
      }
      if (rows.has(key)) duplicates++;
      rows.set(key, {
        hash: rowHash(db.driver, table, row),
        label: describeKey(table, row),
        key: Object.fromEntries(keyColumns.map((c) => [c.name, row[c.name]])),
      });
    }
  }
  const hash = createHash('sha256');
  for (const key of [...rows.keys()].sort()) hash.update(`${key}\t${rows.get(key)!.hash}\n`);
  return { rows, checksum: hash.digest('hex'), duplicates, excluded };
}

/** The columns whose API values differ between a source row and a target row (both read again by key). */
async function differingColumns(source: ReadOnlyDatabase, target: ReadOnlyDatabase, table: TableSpec, a: DigestRow, b: DigestRow): Promise<string[] | undefined> {
  const [x, y] = [await source.readRow(table, a.key), await target.readRow(table, b.key)];
  if (!x || !y) return undefined; // changed again since it was read
  return table.columns.filter((c) => canonicalValue(source.driver, c, x[c.name]) !== canonicalValue(target.driver, c, y[c.name])).map((c) => c.name);
}

/** Compares every application table of two databases (any pair of drivers). Reads only. */
export async function verifyDatabases(fromUrl: string, toUrl: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const fromConfig = parseUrl(fromUrl, options.fromVia ?? '--from', 'source');
  const toConfig = parseUrl(toUrl, options.toVia ?? '--to', 'target');
  const source = await openReadOnly(fromConfig);
  let target: ReadOnlyDatabase | undefined;
  try {
    target = await openReadOnly(toConfig);
    const notes: string[] = [];
    const sourceMigrations = migrationState(source.driver, await source.appliedMigrations());
    const targetMigrations = migrationState(target.driver, await target.appliedMigrations());
    if (sourceMigrations.applied.join('\n') !== targetMigrations.applied.join('\n')) {
      notes.push(
        `the databases are not at the same migration: source [${sourceMigrations.applied.join(', ') || 'none'}], ` +
          `target [${targetMigrations.applied.join(', ') || 'none'}]`,
      );
    }
    const tables: TableVerification[] = [];
    const batchSize = options.batchSize ?? 2000;
    for (const table of applicationTables()) {
      const name = table.tableName;
      const result: TableVerification = {
        table: name,
        sourceRows: null,
        targetRows: null,
        excludedRows: 0,
        sourceChecksum: null,
        targetChecksum: null,
        equal: false,
        missingInTarget: 0,
        extraInTarget: 0,
        changed: 0,
        examples: [],
        differences: [],
      };
      tables.push(result);
      const inSource = await source.hasTable(name);
      const inTarget = await target.hasTable(name);
      if (!inSource || !inTarget) {
        result.note = `table missing in ${!inSource && !inTarget ? 'both databases' : !inSource ? 'the source' : 'the target'}`;
        result.equal = !inSource && !inTarget;
        continue;
      }
      const a = await digestTable(source, table, options.exclude?.get(name), batchSize);
      const b = await digestTable(target, table, undefined, batchSize);
      result.sourceRows = a.rows.size + a.excluded + a.duplicates;
      result.targetRows = b.rows.size + b.duplicates;
      result.excludedRows = a.excluded;
      result.sourceChecksum = a.checksum;
      result.targetChecksum = b.checksum;
      result.equal = a.checksum === b.checksum && a.duplicates === 0 && b.duplicates === 0;
      if (a.duplicates || b.duplicates) result.note = 'duplicate primary keys';
      const differences = result.differences;
      for (const [key, row] of a.rows) {
        const other = b.rows.get(key);
        if (!other) {
          result.missingInTarget++;
          if (differences.length < MAX_EXAMPLES) differences.push({ key: row.label, kind: 'missing in target' });
        } else if (other.hash !== row.hash) {
          result.changed++;
          if (differences.length < MAX_EXAMPLES) differences.push({ key: row.label, kind: 'differs', columns: await differingColumns(source, target, table, row, other) });
        }
      }
      for (const [key, row] of b.rows) {
        if (!a.rows.has(key)) {
          result.extraInTarget++;
          if (differences.length < MAX_EXAMPLES) differences.push({ key: row.label, kind: 'only in target' });
        }
      }
      result.examples = differences.map((d) => `${d.key} (${d.kind}${d.columns?.length ? `: ${d.columns.join(', ')}` : ''})`);
    }
    const differing = tables.filter((t) => !t.equal).map((t) => t.table);
    return {
      from: fromConfig.maskedUrl,
      to: toConfig.maskedUrl,
      ok: differing.length === 0,
      tables,
      differing,
      excludedRows: tables.reduce((sum, t) => sum + t.excludedRows, 0),
      notes,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    // Both, whatever happened to the other (an open PostgreSQL connection would keep the process alive).
    await Promise.allSettled([source.close(), target?.close()]);
  }
}

export function printVerifyReport(report: VerifyReport, out: (line: string) => void): void {
  for (const note of report.notes) out(`note: ${note}`);
  const rowsOf = (n: number | null) => (n === null ? '(missing)' : String(n));
  if (report.ok) {
    const rows = report.tables.reduce((sum, t) => sum + (t.sourceRows ?? 0) - t.excludedRows, 0);
    out(`verify: OK: ${report.tables.length} tables, ${rows} rows equal in API terms (${report.from} -> ${report.to}, ${report.seconds.toFixed(2)} s)`);
    if (report.excludedRows) out(`verify: ${report.excludedRows} skipped source row(s) were excluded from the comparison (listed above)`);
    return;
  }
  out(`verify: ${report.differing.length} table(s) differ between ${report.from} and ${report.to}:`);
  out(
    formatTable(
      ['table', 'source rows', 'target rows', 'missing', 'extra', 'differ', 'example keys'],
      report.tables
        .filter((t) => !t.equal)
        .map((t) => [
          t.table,
          rowsOf(t.sourceRows),
          rowsOf(t.targetRows),
          String(t.missingInTarget),
          String(t.extraInTarget),
          String(t.changed),
          t.note ? `${t.note}${t.examples.length ? '; ' : ''}${t.examples.join('; ')}` : t.examples.join('; '),
        ]),
      [false, true, true, true, true, true, false],
    ),
  );
}

export const VERIFY_HELP = `Usage: trinity-db verify --from URL --to URL [--json]

Compare two databases (any drivers: SQLite -> PostgreSQL, PostgreSQL -> PostgreSQL, ...) table by
table: row counts and a checksum of every row in API terms (SQLite 1 equals PostgreSQL true, two
spellings of one instant are equal, JSON is compared with sorted keys). Prints the tables that
differ with up to 5 example primary keys and, for changed rows, the columns that differ. Reads only.

Exit status: 0 equal, 1 any difference or failure, 2 usage error.

Options:
  --from URL  the source database URL (default: TRINITY_DB_SOURCE_URL)
  --to URL    the target database URL (default: TRINITY_DB_TARGET_URL; a PostgreSQL URL without a
              password takes PGPASSWORD)
  --json      print the report as one JSON document
  -h, --help  show this help
`;

/** A failure of verify, which only reads: says so, so nobody wonders about the databases. */
function onlyReads(error: unknown): unknown {
  if (!(error instanceof CliError) || error.exitCode === EXIT.usage) return error;
  return new CliError(`${error.message}; verify only reads: both databases were left unchanged`, error.exitCode);
}

export async function verifyCommand(
  from: string,
  to: string,
  out: (line: string) => void,
  options: { fromVia?: string; toVia?: string; json?: boolean } = {},
): Promise<ExitCode> {
  let report: VerifyReport;
  try {
    report = await verifyDatabases(from, to, { fromVia: options.fromVia, toVia: options.toVia });
  } catch (error) {
    throw onlyReads(error);
  }
  if (options.json) out(toJson(report));
  else printVerifyReport(report, out);
  return report.ok ? EXIT.ok : EXIT.failed;
}
