// Starts the PostgreSQL that every suite's PostgreSQL half runs against: TEST_DATABASE_URL when set
// (its user needs CREATEDB), else an embedded PostgreSQL 16 from the npm registry in a temporary
// folder that global-teardown.mjs removes. Fails loudly when PostgreSQL cannot be reached: the
// PostgreSQL tests are never skipped.
import pg from 'pg';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';
import { buildPackage } from './build-package.mjs';

async function assertReachable(url, label) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10000 });
  try {
    await client.connect();
    const { rows } = await client.query('SHOW server_version');
    return rows[0].server_version;
  } catch (error) {
    throw new Error(`PostgreSQL for the tests (${label}) cannot be reached: ${error.message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function globalSetup() {
  if (buildPackage(path.resolve(import.meta.dirname, '../..'))) console.log('\nbuilt dist/ from the current sources');
  if (process.env.TEST_DATABASE_URL) {
    const url = process.env.TEST_DATABASE_URL;
    const version = await assertReachable(url, 'TEST_DATABASE_URL');
    process.env.TRINITY_TEST_PG_ADMIN_URL = url;
    console.log(`\nPostgreSQL tests use TEST_DATABASE_URL (server ${version})`);
    return;
  }
  const server = await startEmbeddedPostgres({
    prefix: 'trinity-db-pg-',
    password: 'trinity-test',
    flags: ['-c', 'max_connections=300'],
    hint: 'set TEST_DATABASE_URL to a running PostgreSQL whose user may CREATE DATABASE',
  });
  let version;
  try {
    version = await assertReachable(server.url, 'embedded PostgreSQL');
  } catch (error) {
    await server.dispose();
    throw error;
  }
  // Handed to global-teardown.mjs (jest runs both in its main process), which removes the folder.
  globalThis.__TRINITY_EMBEDDED_PG__ = server;
  process.env.TRINITY_TEST_PG_ADMIN_URL = server.url;
  console.log(`\nPostgreSQL tests use an embedded PostgreSQL ${version} on port ${server.port}`);
}
