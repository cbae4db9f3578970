/** `trinity-db migrate` and `trinity-db revert`: apply pending migrations, revert the last one (serialised across processes by TrinityDataSource). */
import type { Logger } from 'typeorm';
import type { DatabaseConfig } from '../config';
import { createDataSource, type TrinityDataSource } from '../data-source';
import { EXIT, attributeTo, onDatabase, type ExitCode } from './errors';
import { parseUrl, refOf } from './table-rows';

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

/** Opens a read-write DataSource on a URL or a parsed configuration; failures name the database (refOf). */
async function openDataSource(target: string | DatabaseConfig, log: (line: string) => void): Promise<{ dataSource: TrinityDataSource; config: DatabaseConfig }> {
  const config = typeof target === 'string' ? parseUrl(target, '--url') : target;
  const dataSource = createDataSource(config, { logger: messageLogger(log) });
  await onDatabase(refOf(config), () => dataSource.initialize());
  return { dataSource, config };
}

/** Runs the pending migrations of `target` (creates a SQLite file that does not exist yet). */
export async function migrateDatabase(target: string | DatabaseConfig, log: (line: string) => void = () => undefined): Promise<MigrateReport> {
  const { dataSource, config } = await openDataSource(target, log);
  try {
    const applied = await onDatabase(refOf(config), () => dataSource.runMigrations());
    return { driver: config.driver, maskedUrl: config.maskedUrl, applied: applied.map((m) => m.name) };
  } finally {
    await dataSource.destroy().catch(() => undefined);
  }
}

export const MIGRATE_HELP = `Usage: trinity-db migrate [--url URL]

Apply the pending migrations to a database (PostgreSQL: creates the schema; SQLite: creates the
schema, or adopts a legacy trinity.db in place: back the file up first). Concurrent runs wait for
each other; a run with nothing pending changes nothing. Same as
\`typeorm migration:run -d node_modules/trinity-db/dist/ormconfig.js\`.

Options:
  --url URL   database URL (default: DATABASE_URL, else TRINITY_DB_PATH, else sqlite:///data/trinity.db)
  -h, --help  show this help
`;

export async function migrateCommand(url: string, out: (line: string) => void, via = '--url'): Promise<ExitCode> {
  const report = await migrateDatabase(parseUrl(url, via), (line) => out(`  ${line}`));
  out(`${report.driver} ${report.maskedUrl}`);
  out(report.applied.length ? `applied ${report.applied.length} migration(s): ${report.applied.join(', ')}` : 'no migrations are pending');
  return EXIT.ok;
}

export const REVERT_HELP = `Usage: trinity-db revert [--url URL]

Revert the last applied migration, in its own transaction, under the same cross-process lock as
migrate. The first migration (the baseline) cannot be reverted: it would drop every table; restore
a backup instead. Same as \`typeorm migration:revert -d node_modules/trinity-db/dist/ormconfig.js\`.

Options:
  --url URL   database URL (default: DATABASE_URL, else TRINITY_DB_PATH, else sqlite:///data/trinity.db)
  -h, --help  show this help
`;

export async function revertCommand(url: string, out: (line: string) => void, via = '--url'): Promise<ExitCode> {
  const config = parseUrl(url, via);
  const ref = refOf(config);
  const { dataSource } = await openDataSource(config, (line) => out(`  ${line}`));
  try {
    const before = (await onDatabase(ref, () => dataSource.appliedMigrationNames())) ?? [];
    if (before.length === 0) {
      out(`${config.driver} ${config.maskedUrl}`);
      out('no migration has been applied: nothing to revert');
      return EXIT.ok;
    }
    try {
      await dataSource.undoLastMigration();
    } catch (error) {
      throw attributeTo(ref, error);
    }
    out(`${config.driver} ${config.maskedUrl}`);
    out(`reverted ${before[before.length - 1]}`);
    return EXIT.ok;
  } finally {
    await dataSource.destroy().catch(() => undefined);
  }
}
