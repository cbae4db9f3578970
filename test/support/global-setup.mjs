// Starts the PostgreSQL that every suite's PostgreSQL half runs against: TEST_DATABASE_URL when set
// (its user needs CREATEDB), else an embedded PostgreSQL 16 from the npm registry in a temporary
// folder that global-teardown.mjs removes. Fails loudly when PostgreSQL cannot be reached: the
// PostgreSQL tests are never skipped.
// Then a PgBouncer in transaction mode in front of it (docs/examples/pgbouncer.ini), through which
// the "pgbouncer" jest project runs every PostgreSQL suite again (jest.config.js). Without the
// pgbouncer binary that project's tests are reported as skipped, with a warning here; in CI
// (CI=true) a missing pgbouncer fails the run.
import pg from 'pg';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';
import { buildPackage } from './build-package.mjs';
import pgbouncerSupport from './pgbouncer.js';

const { findPgBouncer, startPgBouncer } = pgbouncerSupport;

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
  if (buildPackage(path.resolve(import.meta.dirname, '../..'))) console.log('\nbuilt dist/ from the current sources');
  if (process.env.TEST_DATABASE_URL) {
    const url = process.env.TEST_DATABASE_URL;
    const version = await assertReachable(url, 'TEST_DATABASE_URL');
    process.env.TRINITY_TEST_PG_ADMIN_URL = url;
    console.log(`\nPostgreSQL tests use TEST_DATABASE_URL (server ${version})`);
    await startTestPgBouncer(url);
    return;
  }
  const server = await startEmbeddedPostgres({
    prefix: 'trinity-db-pg-',
    password: 'trinity-test',
    // SCRAM, as production servers use: PgBouncer logs other roles in with their clients' SCRAM keys.
    authMethod: 'scram-sha-256',
    // The time zone is not UTC on purpose: no result may depend on the session's TimeZone, which
    // trinity-db never sets (docs/DEPLOYMENT.md → Production PostgreSQL).
    flags: ['-c', 'max_connections=300', '-c', 'timezone=America/St_Johns'],
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
  try {
    await startTestPgBouncer(server.url);
  } catch (error) {
    // Jest runs no teardown after a failed setup: do not leave the server behind.
    await server.dispose().catch(() => undefined);
    throw error;
  }
}
