/**
 * Child process for the concurrent start-up test: opens a DataSource, says "ready", waits for the
 * barrier file so that every process starts migrating at the same moment, then runs migrations and
 * prints the names it applied as JSON.
 */
import { existsSync } from 'fs';
import { createDataSource } from '../../src/data-source';

async function main(): Promise<void> {
  const [url, barrier] = process.argv.slice(2);
  const dataSource = createDataSource(url, { logger: { logQuery() {}, logQueryError() {}, logQuerySlow() {}, logSchemaBuild() {}, logMigration() {}, log() {} } });
  await dataSource.initialize();
  process.stdout.write('ready\n');
  while (!existsSync(barrier)) await new Promise((resolve) => setTimeout(resolve, 5));
  const applied = await dataSource.runMigrations();
  process.stdout.write(JSON.stringify({ applied: applied.map((m) => m.name) }) + '\n');
  await dataSource.destroy();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
