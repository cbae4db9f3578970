/**
 * `npm run migration:check`: exits non-zero when the database at DATABASE_URL (or TRINITY_DB_PATH,
 * or the default) does not match the entities.
 *
 * Not `typeorm migration:generate --check`: on a database with pending migrations that reports the
 * whole missing schema as "unexpected changes", whereas the fix there is to run the migrations. So
 * pending migrations are reported first, by name, and only a fully migrated database is compared.
 * Read-only: unlike `migration:show`, it does not even create the migrations table.
 */
import 'reflect-metadata';
import { MigrationExecutor } from 'typeorm';
import { createDataSource } from '../src/data-source';

async function main(): Promise<number> {
  const dataSource = createDataSource();
  await dataSource.initialize();
  try {
    const where = `${dataSource.driverName} database ${dataSource.maskedUrl}`;
    const executor = new MigrationExecutor(dataSource);
    const pending = await executor.getPendingMigrations();
    if (pending.length > 0) {
      console.error(`Pending migrations on the ${where} (this is not drift; run \`npm run migration:run\` first):`);
      for (const migration of pending) console.error(`  [ ] ${migration.name}`);
      return 1;
    }

    const known = new Set(dataSource.migrations.map((m) => m.name ?? m.constructor.name));
    const unknown = (await executor.getExecutedMigrations()).filter((m) => !known.has(m.name));
    for (const migration of unknown) {
      console.error(`Note: the database has applied ${migration.name}, which this code does not know (a newer release?)`);
    }

    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
    if (upQueries.length === 0) {
      console.log(`No changes in database schema were found: the ${where} matches the entities.`);
      return 0;
    }
    console.error(`Schema drift: the ${where} differs from the entities. TypeORM would run:\n`);
    for (const query of upQueries) {
      const parameters = query.parameters?.length ? ` -- PARAMETERS: ${JSON.stringify(query.parameters)}` : '';
      console.error(`  ${query.query.trim()};${parameters}`);
    }
    console.error('\nFix it with a migration (`npm run migration:generate -- <Name>`), or find who changed the database.');
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Messages of trinity-db and pg errors never hold the password; the URL is shown masked above.
    console.error(`migration:check failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
