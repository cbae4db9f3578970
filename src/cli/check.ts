/**
 * `trinity-db check` (`npm run migration:check`): the drift gate. Exits non-zero when the database
 * has pending migrations (3) or its schema differs from the entities (1).
 *
 * Not `typeorm migration:generate --check`: on a database with pending migrations that reports the
 * whole missing schema as "unexpected changes", whereas the fix there is to run the migrations. So
 * pending migrations are reported first, by name, and only a fully migrated database is compared.
 * Read-only: the DataSource is opened read-only (nothing is created, not even the migrations table).
 */
import type { Logger } from 'typeorm';
import { createDataSource } from '../data-source';
import { EXIT, onDatabase, type ExitCode } from './errors';
import { migrationState, parseUrl, refOf } from './table-rows';

const QUIET: Logger = { logQuery() {}, logQueryError() {}, logQuerySlow() {}, logSchemaBuild() {}, logMigration() {}, log() {} };

export const CHECK_HELP = `Usage: trinity-db check [--url URL]

Compare a database with this release: list pending migrations, else compare its schema with the
entities and print the SQL that would make them match. Reads only.

Exit status: 0 up to date and no drift, 3 migrations pending, 1 schema drift or failure, 2 usage error.

Options:
  --url URL   database URL (default: DATABASE_URL, else TRINITY_DB_PATH, else sqlite:///data/trinity.db)
  -h, --help  show this help
`;

export async function checkCommand(url: string, out: (line: string) => void, err: (line: string) => void, via = '--url'): Promise<ExitCode> {
  const config = parseUrl(url, via);
  const ref = refOf(config);
  const dataSource = createDataSource(config, { readOnly: true, logger: QUIET });
  await onDatabase(ref, () => dataSource.initialize());
  try {
    const where = `${config.driver} database ${config.maskedUrl}`;
    const state = migrationState(config.driver, await onDatabase(ref, () => dataSource.appliedMigrationNames()));
    if (state.pending.length > 0) {
      err(`Pending migrations on the ${where} (this is not drift; run \`trinity-db migrate\` first):`);
      for (const name of state.pending) err(`  [ ] ${name}`);
      return EXIT.pending;
    }
    for (const name of state.unknown) err(`Note: the database has applied ${name}, which this release does not know (a newer release?)`);

    const { upQueries } = await onDatabase(ref, () => dataSource.driver.createSchemaBuilder().log());
    if (upQueries.length === 0) {
      out(`No changes in database schema were found: the ${where} matches the entities.`);
      return EXIT.ok;
    }
    err(`Schema drift: the ${where} differs from the entities. TypeORM would run:\n`);
    for (const query of upQueries) {
      const parameters = query.parameters?.length ? ` -- PARAMETERS: ${JSON.stringify(query.parameters)}` : '';
      err(`  ${query.query.trim()};${parameters}`);
    }
    err('\nFix it with a migration (`npm run migration:generate -- <Name>`), or find who changed the database.');
    return EXIT.failed;
  } finally {
    await dataSource.destroy().catch(() => undefined);
  }
}
