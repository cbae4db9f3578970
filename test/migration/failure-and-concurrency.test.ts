/**
 * A migration run is one transaction: a migration that fails leaves the database as it was, and
 * the next run succeeds once the cause is gone. Several processes starting together serialise:
 * one migrates, the others find nothing pending.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'fs';
import path from 'path';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MIGRATIONS_TABLE, sqliteMigrationLockPath } from '../../src/data-source';
import { MigrationError } from '../../src/errors';
import { MIGRATIONS } from '../../src/migration';
import { startReadyChild } from '../support/child-process';
import { DRIVERS, cleanupTestDatabases, emptyDatabaseUrl, legacyFixtureCopy, openTestDataSource, scratchDir } from '../support/databases';
import { schemaObjects, snapshot, withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const failure = { active: true };

/** Creates a table and a row, then fails while `failure.active` is set. */
class CreateThenFail1795608000001 implements MigrationInterface {
  name = 'CreateThenFail1795608000001';
  async up(qr: QueryRunner): Promise<void> {
    await qr.query('CREATE TABLE probe_table (id integer)');
    await qr.query('INSERT INTO probe_table VALUES (1)');
    if (failure.active) throw new Error('forced failure half-way');
  }
  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE probe_table');
  }
}

async function tableExists(ds: Awaited<ReturnType<typeof openTestDataSource>>, table: string): Promise<boolean> {
  return ds.createQueryRunner().hasTable(table);
}

describe.each(DRIVERS)('a migration failing half-way on %s', (driver) => {
  it('leaves nothing behind, and the next run succeeds once the cause is gone', async () => {
    failure.active = true;
    const migrations = [...MIGRATIONS[driver], CreateThenFail1795608000001];
    const ds = await openTestDataSource(driver, { migrate: false, migrations });
    await expect(ds.runMigrations()).rejects.toThrow('forced failure half-way');
    // A run commits as a whole: the baseline of the same run is rolled back with the failing migration.
    expect(await tableExists(ds, MIGRATIONS_TABLE)).toBe(false);
    expect(await tableExists(ds, 'users')).toBe(false);
    expect(await tableExists(ds, 'probe_table')).toBe(false);

    failure.active = false;
    const applied = await ds.runMigrations();
    expect(applied.map((m) => m.name)).toEqual(['Baseline1795608000000', 'CreateThenFail1795608000001']);
    expect(await ds.query('SELECT id FROM probe_table')).toEqual([{ id: 1 }]);
  });
});

describe('a legacy adoption failing half-way on sqlite', () => {
  it('leaves the legacy file exactly as it was, and succeeds once the bad row is gone', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    // Legacy TEXT primary keys were not declared NOT NULL, so SQLite accepted a NULL id; the baseline cannot carry it.
    withDatabase(
      copy.path,
      (db) => db.exec(`INSERT INTO system_settings (key, value, updated_at) VALUES (NULL, 'orphan', '2026-01-01T00:00:00')`),
      false,
    );
    const tables = withDatabase(copy.path, (db) => (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name));
    const rowsBefore = snapshot(copy.path);
    const schemaBefore = schemaObjects(copy.path, tables);

    const ds = await openTestDataSource('sqlite', { url: copy.url, migrate: false });
    const error = await ds.runMigrations().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/system_settings.*NOT NULL/);
    await ds.destroy();

    expect(schemaObjects(copy.path, tables)).toEqual(schemaBefore);
    const rowsAfter = snapshot(copy.path);
    rowsAfter.delete(MIGRATIONS_TABLE); // TypeORM's own bookkeeping table is created before the first migration
    expect(rowsAfter).toEqual(rowsBefore);

    withDatabase(copy.path, (db) => db.exec(`DELETE FROM system_settings WHERE key IS NULL`), false);
    const retry = await openTestDataSource('sqlite', { url: copy.url, migrate: false });
    expect((await retry.runMigrations()).map((m) => m.name)).toEqual(['Baseline1795608000000']);
  });
});

function startMigrator(url: string, barrier: string) {
  return startReadyChild('migrate-process.ts', [url, barrier]);
}

describe.each(DRIVERS)('two processes starting together on %s', (driver) => {
  it('serialise: one applies the migrations, the other finds nothing pending', async () => {
    // On SQLite a legacy file makes the migration long enough for the two runs to overlap.
    const url = driver === 'sqlite' ? legacyFixtureCopy('trinity-2026-04-01-8068f0db.db').url : await emptyDatabaseUrl(driver);
    const barrier = path.join(scratchDir(), 'go');
    const migrators = [startMigrator(url, barrier), startMigrator(url, barrier)];
    await Promise.all(migrators.map((m) => m.ready));
    writeFileSync(barrier, '');
    const results = await Promise.all(migrators.map((m) => m.done));
    for (const result of results) expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const applied = results.map((r) => JSON.parse(r.stdout.trim().split('\n').pop()!).applied as string[]);
    expect(applied.flat()).toEqual(['Baseline1795608000000']);

    const ds = await openTestDataSource(driver, { url, migrate: false });
    expect(await ds.query(`SELECT name FROM ${MIGRATIONS_TABLE}`)).toEqual([{ name: 'Baseline1795608000000' }]);
  });
});

describe('one SQLite file reached through several paths', () => {
  /**
   * A legacy fixture copy (its adoption takes long enough for two runs to overlap) and other
   * spellings of its path: a symlink, a path through `..` and a path relative to the working directory.
   */
  function spellings() {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const dir = path.dirname(copy.path);
    const link = path.join(scratchDir(), 'linked.db');
    symlinkSync(copy.path, link);
    mkdirSync(path.join(dir, 'sub'));
    const dotted = path.join(dir, 'sub', '..', path.basename(copy.path));
    const relative = path.relative(process.cwd(), copy.path);
    return { real: copy.path, link, dotted, relative };
  }

  // A busy timeout far shorter than the adoption: a run that is not serialised by the migration
  // lock fails with "database is locked" instead of waiting for the other run to commit.
  const urlOf = (file: string) => `sqlite:///${file}?timeout=0.05`;

  it('has one migration lock file, next to the real file', () => {
    const { real, link, dotted, relative } = spellings();
    const lockFile = `${real}-migrations.lock`;
    expect([real, link, dotted, relative].map(sqliteMigrationLockPath)).toEqual([lockFile, lockFile, lockFile, lockFile]);
  });

  it('is migrated once when two processes open it through a symlink and the real path at the same time', async () => {
    const { real, link } = spellings();
    const barrier = path.join(scratchDir(), 'go');
    const migrators = [startMigrator(urlOf(link), barrier), startMigrator(urlOf(real), barrier)];
    await Promise.all(migrators.map((m) => m.ready));
    writeFileSync(barrier, '');
    const results = await Promise.all(migrators.map((m) => m.done));
    for (const result of results) expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const applied = results.map((r) => JSON.parse(r.stdout.trim().split('\n').pop()!).applied as string[]);
    expect(applied.flat()).toEqual(['Baseline1795608000000']);

    const ds = await openTestDataSource('sqlite', { url: urlOf(real), migrate: false });
    expect(await ds.query(`SELECT name FROM ${MIGRATIONS_TABLE}`)).toEqual([{ name: 'Baseline1795608000000' }]);
  });

  it('is migrated once when one process opens it through a symlink and the real path at the same time', async () => {
    const { real, link } = spellings();
    const [a, b] = await Promise.all([link, real].map((file) => openTestDataSource('sqlite', { url: urlOf(file), migrate: false })));
    const applied = await Promise.all([a.runMigrations(), b.runMigrations()]);
    expect(applied.flat().map((m) => m.name)).toEqual(['Baseline1795608000000']);
    expect(await b.query(`SELECT name FROM ${MIGRATIONS_TABLE}`)).toEqual([{ name: 'Baseline1795608000000' }]);
  });
});
