/**
 * The reading commands (status, check, verify, TypeORM's migration:show on dist/ormconfig.js, and
 * the source side of copy) write nothing: for SQLite files in every journal state (a legacy
 * rollback-journal file, a cleanly closed WAL file, a WAL file whose writer died, a WAL file copied
 * with its -wal but no -shm), in a directory the process cannot write (a read-only bind mount as
 * root) and as root beside a file with no write bits, the file's bytes and the directory listing
 * are the same before and after each command, and nothing is created for a missing path. On
 * PostgreSQL they work for a role that may only read, and create nothing in an unmigrated database.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'fs';
import path from 'path';
import { Client } from 'pg';
import { cleanupTestDatabases, createPostgresDatabase, legacyFixtureCopy, scratchDir } from '../support/databases';
import { readOnlyView, type ReadOnlyDir } from '../support/read-only-dir';
import { LARGEST_FIXTURE, SPAWN_TIMEOUT_MS, migratedFixture, runCli, runTypeormCli, withPg, type CliResult } from './support/cli';

const BASELINE = 'Baseline1795608000000';
const views: ReadOnlyDir[] = [];
afterAll(async () => {
  while (views.length) views.pop()!.release();
  await cleanupTestDatabases();
});

/** Every file of the directory with the sha256 of its bytes (-shm: the name only; readers may update its read marks). */
function snapshotDir(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    entries[name] = name.endsWith('-shm') ? 'present' : createHash('sha256').update(readFileSync(path.join(dir, name))).digest('hex');
  }
  return entries;
}

const sqliteUrl = (file: string) => `sqlite:///${file}`;

/** Runs `command`, asserting that `dir` is byte-for-byte and entry-for-entry the same afterwards. */
async function unchanged(dir: string, command: () => Promise<CliResult>): Promise<CliResult> {
  const before = snapshotDir(dir);
  const result = await command();
  expect({ dir, after: snapshotDir(dir) }).toEqual({ dir, after: before });
  return result;
}

/** A migrated copy of the largest fixture: a WAL-mode file closed cleanly (no -wal, no -shm). */
async function cleanWalFile(dir: string): Promise<string> {
  const migrated = await migratedFixture(LARGEST_FIXTURE);
  const file = path.join(dir, 'trinity.db');
  copyFileSync(migrated.path, file);
  expect(readFileSync(file)[18]).toBe(2); // WAL mode in the header
  return file;
}

/** Writes one setting through a process that dies without closing: its -wal and -shm stay, the row only in the -wal. */
function writerDiesAfterInsert(file: string): void {
  const script = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)});
    db.pragma('wal_autocheckpoint = 0');
    db.prepare("INSERT INTO system_settings (key, value, updated_at) VALUES ('written-by-a-dead-writer', '1', '2026-01-01T00:00:00')").run();
    process.exit(0);`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../..') });
  expect(result.status).toBe(0);
  expect(existsSync(`${file}-wal`) && existsSync(`${file}-shm`)).toBe(true);
}

function settingsRows(status: CliResult): number {
  return (JSON.parse(status.stdout) as { rows: { table: string; rows: number }[] }).rows.find((r) => r.table === 'system_settings')!.rows;
}

/** status, check and migration:show on a database file in `dir`, each leaving `dir` unchanged. */
async function readEverything(dir: string, file: string) {
  const url = sqliteUrl(file);
  const status = await unchanged(dir, () => runCli(['status', '--url', url, '--json']));
  const check = await unchanged(dir, () => runCli(['check'], { DATABASE_URL: url }));
  const show = await unchanged(dir, () => runTypeormCli(['migration:show'], { DATABASE_URL: url }));
  return { status, check, show };
}

describe('read-only commands on SQLite files', () => {
  it(
    'in a directory the process cannot write: legacy file, clean WAL file, WAL file of a dead writer, -wal without -shm',
    async () => {
      const base = scratchDir();
      const dirs = Object.fromEntries(['legacy', 'clean', 'dead-writer', 'wal-only'].map((name) => [name, path.join(base, name)]));
      for (const dir of Object.values(dirs)) mkdirSync(dir);
      copyFileSync(legacyFixtureCopy(LARGEST_FIXTURE).path, path.join(dirs.legacy, 'trinity.db'));
      expect(readFileSync(path.join(dirs.legacy, 'trinity.db'))[18]).toBe(1); // rollback journal
      await cleanWalFile(dirs.clean);
      const settingsBefore = settingsRows(await runCli(['status', '--url', sqliteUrl(path.join(dirs.clean, 'trinity.db')), '--json']));
      const deadWriter = await cleanWalFile(dirs['dead-writer']);
      writerDiesAfterInsert(deadWriter);
      for (const suffix of ['', '-wal']) copyFileSync(`${deadWriter}${suffix}`, path.join(dirs['wal-only'], `trinity.db${suffix}`));

      const readOnly = Object.fromEntries(Object.entries(dirs).map(([name, dir]) => [name, readOnlyView(dir)]));
      views.push(...Object.values(readOnly));

      // The legacy file: never migrated, so the baseline is pending (status and check exit 3).
      const legacyDir = readOnly.legacy.path;
      const legacy = await readEverything(legacyDir, path.join(legacyDir, 'trinity.db'));
      expect(legacy.status.code).toBe(3);
      expect(JSON.parse(legacy.status.stdout).migrations).toMatchObject({ unmigrated: true, pending: [BASELINE] });
      expect(legacy.check.code).toBe(3);
      expect(legacy.check.stderr).toContain(`[ ] ${BASELINE}`);
      expect(legacy.show.stdout + legacy.show.stderr).toContain(`[ ] ${BASELINE}`);
      expect(legacy.show.code).toBe(0);

      for (const name of ['clean', 'dead-writer', 'wal-only']) {
        const dir = readOnly[name].path;
        const result = await readEverything(dir, path.join(dir, 'trinity.db'));
        expect({ name, status: result.status.code, check: result.check.code, show: result.show.code }).toEqual({ name, status: 0, check: 0, show: 0 });
        expect(result.check.stdout).toContain('No changes in database schema were found');
        expect(result.show.stdout).toMatch(new RegExp(`\\[X\\] 1 ${BASELINE}`));
        // The dead writer's row is only in the -wal: reading it proves the WAL was read, not skipped.
        expect({ name, settings: settingsRows(result.status) }).toEqual({ name, settings: settingsBefore + (name === 'clean' ? 0 : 1) });
      }

      // verify (both sides read) and copy (the source side) from the read-only directory.
      const clean = path.join(readOnly.clean.path, 'trinity.db');
      const verify = await unchanged(readOnly.clean.path, () => runCli(['verify', '--from', sqliteUrl(clean), '--to', sqliteUrl(clean)]));
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain('verify: OK');
      const target = await createPostgresDatabase();
      const copy = await unchanged(readOnly.clean.path, () => runCli(['copy', '--from', sqliteUrl(clean), '--to', target]));
      expect(copy.code).toBe(0);
      expect(copy.stdout).toContain('verify: OK');
      const refused = await unchanged(legacyDir, () => runCli(['copy', '--from', sqliteUrl(path.join(legacyDir, 'trinity.db')), '--to', target]));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('has never been migrated by trinity-db');

      // A missing file there: reported, nothing created.
      const missing = await unchanged(legacyDir, () => runCli(['status', '--url', sqliteUrl(path.join(legacyDir, 'other.db'))]));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('the SQLite file does not exist');
    },
    8 * SPAWN_TIMEOUT_MS,
  );

  it(
    'beside a file without write bits in a writable directory (root could write both): no -wal or -shm is left',
    async () => {
      const dir = scratchDir();
      const file = await cleanWalFile(dir);
      chmodSync(file, 0o444);
      const result = await readEverything(dir, file);
      expect([result.status.code, result.check.code, result.show.code]).toEqual([0, 0, 0]);
      expect(readdirSync(dir)).toEqual(['trinity.db']);
      const verify = await unchanged(dir, () => runCli(['verify', '--from', sqliteUrl(file), '--to', sqliteUrl(file), '--json']));
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, differing: [] });
    },
    4 * SPAWN_TIMEOUT_MS,
  );

  it(
    'a path whose directory does not exist: status, check and migration:show create neither the directory nor the file',
    async () => {
      const dir = scratchDir();
      const file = path.join(dir, 'not', 'there', 'trinity.db');
      const results = await Promise.all([
        unchanged(dir, () => runCli(['status', '--url', sqliteUrl(file)])),
        unchanged(dir, () => runCli(['check', '--url', sqliteUrl(file)])),
        unchanged(dir, () => runTypeormCli(['migration:show'], { DATABASE_URL: sqliteUrl(file) })),
      ]);
      for (const result of results) {
        expect(result.code).toBe(1);
        expect(result.stdout + result.stderr).toContain('the SQLite file does not exist');
      }
      expect(readdirSync(dir)).toEqual([]);
    },
    2 * SPAWN_TIMEOUT_MS,
  );
});

describe('read-only commands on PostgreSQL', () => {
  /** A role that may connect and read, nothing else; its URL for `database`. */
  async function readerRole(database: string): Promise<string> {
    const adminUrl = process.env.TRINITY_TEST_PG_ADMIN_URL!;
    const role = `trinity_reader_${process.pid}_${Date.now().toString(36)}`;
    await withPg(adminUrl, async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw'`);
    });
    await withPg(database, async (c) => {
      await c.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
      await c.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
      await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    });
    const url = new URL(database);
    url.username = role;
    url.password = 'reader-pw';
    return url.toString();
  }

  async function hasMigrationsTable(url: string): Promise<boolean> {
    return withPg(url, async (c: Client) => (await c.query(`SELECT to_regclass('typeorm_migrations') IS NOT NULL AS present`)).rows[0].present as boolean);
  }

  it(
    'status, check, migration:show and verify work for a role that may only read; on an unmigrated database they create nothing',
    async () => {
      const empty = await createPostgresDatabase();
      const show = await runTypeormCli(['migration:show'], { DATABASE_URL: empty });
      expect(show.stdout).toContain(`[ ] ${BASELINE}`);
      expect((await runCli(['status', '--url', empty])).code).toBe(3);
      expect((await runCli(['check', '--url', empty])).code).toBe(3);
      expect(await hasMigrationsTable(empty)).toBe(false);

      const source = await migratedFixture(LARGEST_FIXTURE);
      const database = await createPostgresDatabase();
      expect((await runCli(['copy', '--from', source.url, '--to', database])).code).toBe(0);
      const reader = await readerRole(database);
      const status = await runCli(['status', '--url', reader, '--json']);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout).upToDate).toBe(true);
      const check = await runCli(['check', '--url', reader]);
      expect(check.code).toBe(0);
      expect(check.stdout).toContain('No changes in database schema were found');
      const readerShow = await runTypeormCli(['migration:show'], { DATABASE_URL: reader });
      expect(readerShow.code).toBe(0);
      expect(readerShow.stdout).toMatch(new RegExp(`\\[X\\] 1 ${BASELINE}`));
      const verify = await runCli(['verify', '--from', source.url, '--to', reader]);
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain('verify: OK');
      // The role really cannot write.
      const write = await withPg(reader, (c) => c.query(`CREATE TABLE reader_probe (x int)`)).catch((e: Error) => e);
      expect(String(write)).toContain('permission denied');
    },
    6 * SPAWN_TIMEOUT_MS,
  );
});
