/**
 * Test databases: a fresh SQLite file or a fresh PostgreSQL database per call, built by the real
 * migrations. Every repository-level suite runs on both drivers with `describe.each(DRIVERS)`.
 * In the "pgbouncer" jest project (jest.config.js) DRIVERS is ['postgres'] and every PostgreSQL
 * database URL goes through the PgBouncer of the global setup.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { Client } from 'pg';
import { createDataSource, type CreateDataSourceOptions, type TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { LEGACY_DIR } from './fixtures';

/** True in the jest project whose PostgreSQL connections go through PgBouncer (test/support/through-pgbouncer.js). */
export const THROUGH_PGBOUNCER = process.env.TRINITY_TEST_PG_ROUTE === 'pgbouncer';

export const DRIVERS: Driver[] = THROUGH_PGBOUNCER ? ['postgres'] : ['sqlite', 'postgres'];

/** A URL of the test server as this project reaches it: through PgBouncer in the "pgbouncer" project, else unchanged. */
export function testRoute(url: string): string {
  if (!THROUGH_PGBOUNCER) return url;
  const host = process.env.TRINITY_TEST_PGBOUNCER_HOST;
  const port = process.env.TRINITY_TEST_PGBOUNCER_PORT;
  if (!host || !port) throw new Error(`PgBouncer is not running: ${process.env.TRINITY_TEST_PGBOUNCER_MISSING ?? 'jest global setup did not start it'}`);
  const routed = new URL(url);
  routed.hostname = host;
  routed.port = port;
  return routed.toString();
}

/** The same database on the test server itself (bypassing PgBouncer), for checks of the server's own behaviour. */
export function directUrl(url: string): string {
  const server = new URL(adminUrl());
  const direct = new URL(url);
  direct.hostname = server.hostname;
  direct.port = server.port;
  return direct.toString();
}

let counter = 0;

const QUIET_TYPEORM_LOGGER = { logQuery() {}, logQueryError() {}, logQuerySlow() {}, logSchemaBuild() {}, logMigration() {}, log() {} };

function adminUrl(): string {
  const url = process.env.TRINITY_TEST_PG_ADMIN_URL;
  if (!url) throw new Error('TRINITY_TEST_PG_ADMIN_URL is not set: jest global setup did not start PostgreSQL');
  return url;
}

/** A scratch directory removed by `cleanupTestDatabases()`. */
export function scratchDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'trinity-db-test-'));
  created.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const created: (() => Promise<void>)[] = [];

/** Creates an empty PostgreSQL database and returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
  const name = `trinity_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  created.push(async () => {
    const client = new Client({ connectionString: adminUrl() });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  });
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return testRoute(url.toString());
}

/** An empty database URL for the driver (a new SQLite file, or a new PostgreSQL database). */
export async function emptyDatabaseUrl(driver: Driver): Promise<string> {
  if (driver === 'postgres') return createPostgresDatabase();
  return `sqlite:///${path.join(scratchDir(), 'trinity.db')}`;
}

/** A SQLite URL for a private copy of a legacy fixture (the originals are never opened). */
export function legacyFixtureCopy(file: string): { url: string; path: string } {
  const target = path.join(scratchDir(), file);
  copyFileSync(path.join(LEGACY_DIR, file), target);
  return { url: `sqlite:///${target}`, path: target };
}

/** An initialised DataSource on an empty database, optionally migrated to the head. */
export async function openTestDataSource(
  driver: Driver,
  options: CreateDataSourceOptions & { migrate?: boolean; url?: string } = {},
): Promise<TrinityDataSource> {
  const url = options.url ?? (await emptyDatabaseUrl(driver));
  // TypeORM prints migration messages even with logging off; tests that want them pass a logger.
  const dataSource = createDataSource(url, { logger: QUIET_TYPEORM_LOGGER, ...options });
  await dataSource.initialize();
  created.push(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
  });
  if (options.migrate !== false) await dataSource.runMigrations();
  return dataSource;
}

/** Closes every DataSource and removes every database and file made by this suite (call in afterAll). */
export async function cleanupTestDatabases(): Promise<void> {
  // Close DataSources before dropping their databases: run in reverse order of creation.
  while (created.length) await created.pop()!();
}
