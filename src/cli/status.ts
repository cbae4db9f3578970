/** `trinity-db status`: driver, masked URL, applied and pending migrations, rows per table (read-only). */
import { applicationTables, migrationState, openReadOnly, parseUrl, type MigrationState } from './table-rows';
import { EXIT, type ExitCode } from './errors';
import { formatTable } from './output';
import { toJson } from './stdio';

export interface StatusReport {
  driver: 'sqlite' | 'postgres';
  maskedUrl: string;
  migrations: MigrationState;
  /** True when no migration of this release is pending (the exit status is 0 then, else 3). */
  upToDate: boolean;
  /** Rows per application table; null when the table does not exist (not migrated yet). */
  rows: { table: string; rows: number | null }[];
  totalRows: number;
}

/** The status of the database at `url` (given through `via`, for messages). Reads only. */
export async function databaseStatus(url: string, via = '--url'): Promise<StatusReport> {
  const config = parseUrl(url, via);
  const db = await openReadOnly(config);
  try {
    const migrations = migrationState(config.driver, await db.appliedMigrations());
    const rows: StatusReport['rows'] = [];
    for (const table of applicationTables()) {
      rows.push({ table: table.tableName, rows: (await db.hasTable(table.tableName)) ? await db.count(table.tableName) : null });
    }
    const totalRows = rows.reduce((sum, r) => sum + (r.rows ?? 0), 0);
    return { driver: config.driver, maskedUrl: config.maskedUrl, migrations, upToDate: migrations.pending.length === 0, rows, totalRows };
  } finally {
    await db.close();
  }
}

export const STATUS_HELP = `Usage: trinity-db status [--url URL] [--json]

Show a database's driver, its URL (password masked), the applied and pending migrations and the
number of rows in each application table. Reads only: nothing is written or created (a SQLite file
in a read-only directory works too).

Exit status: 0 no migration pending, 3 migrations pending (or never migrated), 1 failed, 2 usage
error; so \`trinity-db status\` can gate a deploy.

Options:
  --url URL   database URL (default: DATABASE_URL, else TRINITY_DB_PATH, else sqlite:///data/trinity.db)
  --json      print the status as one JSON document
  -h, --help  show this help
`;

export function printStatus(report: StatusReport, out: (line: string) => void): void {
  const m = report.migrations;
  out(`driver:     ${report.driver}`);
  out(`url:        ${report.maskedUrl}`);
  out(`migrations: ${m.applied.length} applied, ${m.pending.length} pending${m.unmigrated ? ' (never migrated by trinity-db: run `trinity-db migrate`)' : ''}`);
  for (const name of m.applied) out(`  [X] ${name}${m.unknown.includes(name) ? ' (unknown to this release)' : ''}`);
  for (const name of m.pending) out(`  [ ] ${name}`);
  out('rows per table:');
  out(
    formatTable(
      ['table', 'rows'],
      [...report.rows.map((r) => [r.table, r.rows === null ? '(missing)' : String(r.rows)]), ['total', String(report.totalRows)]],
      [false, true],
    ),
  );
}

export async function statusCommand(url: string, out: (line: string) => void, options: { via?: string; json?: boolean } = {}): Promise<ExitCode> {
  const report = await databaseStatus(url, options.via);
  if (options.json) out(toJson(report));
  else printStatus(report, out);
  return report.upToDate ? EXIT.ok : EXIT.pending;
}
