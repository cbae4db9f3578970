/** `trinity-db migrate`: apply pending migrations (serialised across processes by TrinityDataSource). */
import type { Logger } from 'typeorm';
import { createDataSource } from '../data-source';
import { CliError, parseUrl } from './table-rows';

export interface MigrateReport {
  driver: 'sqlite' | 'postgres';
  maskedUrl: string;
  /** Names of the migrations this run applied (empty when nothing was pending). */
  applied: string[];
}

/** A TypeORM logger that forwards migration and warning messages (never queries: parameters may be secrets). */
function messageLogger(log: (line: string) => void): Logger {
  return {
    logQuery() {},
    logQueryError() {},
    logQuerySlow() {},
    logSchemaBuild() {},
    logMigration(message: string) {
      log(message);
    },
    log(level: 'log' | 'info' | 'warn', message: unknown) {
      if (level === 'warn') log(`warning: ${String(message)}`);
    },
  };
}

/** Runs the pending migrations of `url` (creates a SQLite file that does not exist yet). */
export async function migrateDatabase(url: string, log: (line: string) => void = () => undefined): Promise<MigrateReport> {
  const config = parseUrl(url, '--url');
  const dataSource = createDataSource(config, { logger: messageLogger(log) });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new CliError(`cannot open ${config.maskedUrl}: ${(error as Error).message}`);
  }
  try {
    const applied = await dataSource.runMigrations();
    return { driver: config.driver, maskedUrl: config.maskedUrl, applied: applied.map((m) => m.name) };
  } finally {
    await dataSource.destroy();
  }
}

export const MIGRATE_HELP = `Usage: trinity-db migrate [--url URL]

Apply the pending migrations to a database (PostgreSQL: creates the schema; SQLite: creates the
schema, or adopts a legacy trinity.db in place: back the file up first). Concurrent runs wait for
each other; a run with nothing pending changes nothing.

Options:
  --url URL   database URL (default: DATABASE_URL, else TRINITY_DB_PATH, else sqlite:///data/trinity.db)
  -h, --help  show this help
`;

export async function migrateCommand(url: string, out: (line: string) => void): Promise<number> {
  const report = await migrateDatabase(url, (line) => out(`  ${line}`));
  out(`${report.driver} ${report.maskedUrl}`);
  out(report.applied.length ? `applied ${report.applied.length} migration(s): ${report.applied.join(', ')}` : 'no migrations are pending');
  return 0;
}
