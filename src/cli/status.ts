/** `trinity-db status`: driver, masked URL, applied and pending migrations, rows per table (read-only). */
import { applicationTables, migrationState, openReadOnly, parseUrl, type MigrationState } from './table-rows';
import { formatTable } from './output';

export interface StatusReport {
  driver: 'sqlite' | 'postgres';
  maskedUrl: string;
  migrations: MigrationState;
  /** Rows per application table; null when the table does not exist (not migrated yet). */
  rows: { table: string; rows: number | null }[];
}

export async function databaseStatus(url: string): Promise<StatusReport> {
  const config = parseUrl(url, '--url');
  const db = await openReadOnly(config);
  try {
    const migrations = migrationState(config.driver, await db.appliedMigrations());
    const rows: StatusReport['rows'] = [];
    for (const table of applicationTables()) {
      rows.push({ table: table.tableName, rows: (await db.hasTable(table.tableName)) ? await db.count(table.tableName) : null });
    }
    return { driver: config.driver, maskedUrl: config.maskedUrl, migrations, rows };
  } finally {
    await db.close();
  }
}

export const STATUS_HELP = `Usage: trinity-db status [--url URL]

Show a database's driver, its URL (password masked), the applied and pending migrations and the
number of rows in each application table. Reads only (a SQLite file is opened read-only).

Options:
  --url URL   database URL (default: DATABASE_URL, else TRINITY_DB_PATH, else sqlite:///data/trinity.db)
  -h, --help  show this help
`;

export async function statusCommand(url: string, out: (line: string) => void): Promise<number> {
  const report = await databaseStatus(url);
  const m = report.migrations;
  out(`driver:     ${report.driver}`);
  out(`url:        ${report.maskedUrl}`);
  out(`migrations: ${m.applied.length} applied, ${m.pending.length} pending${m.unmigrated ? ' (never migrated by trinity-db: run `trinity-db migrate`)' : ''}`);
  for (const name of m.applied) out(`  [X] ${name}${m.unknown.includes(name) ? ' (unknown to this release)' : ''}`);
  for (const name of m.pending) out(`  [ ] ${name}`);
  const total = report.rows.reduce((sum, r) => sum + (r.rows ?? 0), 0);
  out('rows per table:');
  out(
    formatTable(
      ['table', 'rows'],
      [...report.rows.map((r) => [r.table, r.rows === null ? '(missing)' : String(r.rows)]), ['total', String(total)]],
      [false, true],
    ),
  );
  return 0;
}
