/**
 * The migration commands of package.json, run for real (npm run ..., cwd = repository root) against
 * harness databases. The test entity of test/fixtures/extra-entity.ts is only ever loaded by the
 * spawned `migration:generate` (TRINITY_EXTRA_ENTITIES): importing it here would add a table to
 * every DataSource this process builds.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'fs';
import path from 'path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { PG_MIGRATION_LOCK_CLASS, sqliteMigrationLockPath } from '../../src/data-source';
import { registeredTables } from '../../src/entity/columns';
import { DRIVERS, cleanupTestDatabases, emptyDatabaseUrl, openTestDataSource, scratchDir } from '../support/databases';
import { ROOT, npmRun, type NpmResult as Result } from '../support/project';

const SPAWN_TIMEOUT_MS = 60_000;
const BASELINE = 'Baseline1795608000000';

afterAll(cleanupTestDatabases);

/**
 * Holds the migration lock from this process. `untilWaiterBlocked` resolves once the spawned command
 * is provably waiting for it: on PostgreSQL an ungranted advisory lock shows in pg_locks; on SQLite
 * the command has opened the database (its WAL file exists) and then stays blocked for a while.
 */
async function holdMigrationLock(driver: string, url: string) {
  if (driver === 'postgres') {
    const client = new Client({ connectionString: url });
    await client.connect();
    // Held in an open transaction, as a migration run holds it (and as works through a transaction pooler).
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [PG_MIGRATION_LOCK_CLASS]);
    return {
      async untilWaiterBlocked() {
        for (let i = 0; i < 600; i++) {
          const { rows } = await client.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
          if (rows.length) return;
          await sleep(100);
        }
        throw new Error('migration:run never waited for the advisory lock');
      },
      async baselineApplied() {
        const { rows } = await client.query(`SELECT to_regclass('users') IS NOT NULL AS present`);
        return rows[0].present as boolean;
      },
      async release() {
        await client.query('COMMIT');
        await client.end();
      },
    };
  }
  const file = url.replace(/^sqlite:\/\/\//, '');
  const lock = new Database(sqliteMigrationLockPath(file));
  lock.exec('BEGIN EXCLUSIVE');
  return {
    async untilWaiterBlocked() {
      for (let i = 0; i < 600 && !existsSync(`${file}-wal`); i++) await sleep(100);
      if (!existsSync(`${file}-wal`)) throw new Error('migration:run never opened the database');
      await sleep(2000);
    },
    async baselineApplied() {
      const db = new Database(file, { readonly: true });
      try {
        return !!db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'users'`).get();
      } finally {
        db.close();
      }
    },
    async release() {
      lock.exec('COMMIT');
      lock.close();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(DRIVERS)('migration CLI on %s', (driver) => {
  it(
    'migration:show lists the baseline as pending, migration:run applies it once under the lock, then show lists it as applied',
    async () => {
      const url = await emptyDatabaseUrl(driver);
      const env = { DATABASE_URL: url };

      if (driver === 'sqlite') {
        // migration:show only reads: on a path with no database it says so and creates nothing.
        const missing = await npmRun('migration:show', env);
        expect(missing.code).toBe(1);
        expect(missing.output).toContain('the SQLite file does not exist');
        expect(existsSync(path.dirname(url.replace(/^sqlite:\/\/\//, '')))).toBe(true);
        expect(readdirSync(path.dirname(url.replace(/^sqlite:\/\/\//, '')))).toEqual([]);
        await (await openTestDataSource(driver, { url, migrate: false })).destroy(); // an empty database file
      }
      const pending = await npmRun('migration:show', env);
      expect(pending.code).toBe(0); // TypeORM's show exits 0 even with pending migrations
      expect(pending.output).toContain(`[ ] ${BASELINE}`);

      // migration:run goes through TrinityDataSource.runMigrations: while another holder has the
      // cross-process migration lock it waits, and it migrates once the lock is released.
      const holder = await holdMigrationLock(driver, url);
      const running = npmRun('migration:run', env);
      await holder.untilWaiterBlocked();
      expect(await holder.baselineApplied()).toBe(false);
      await holder.release();
      const run = await running;
      expect(run.code).toBe(0);
      expect(run.output).toContain(`Migration ${BASELINE} has been executed successfully`);
      expect(run.output).not.toMatch(/query:/); // query logging (parameters may be secrets) stays off

      const again = await npmRun('migration:run', env);
      expect(again.code).toBe(0);
      expect(again.output).toContain('No migrations are pending');

      const applied = await npmRun('migration:show', env);
      expect(applied.code).toBe(0);
      expect(applied.output).toMatch(new RegExp(`\\[X\\] \\d+ ${BASELINE}`));
      expect(applied.output).not.toContain('[ ]');
    },
    4 * SPAWN_TIMEOUT_MS,
  );

  it(
    'migration:check is clean after migrating and prints the SQL that would recreate a dropped index',
    async () => {
      const url = await emptyDatabaseUrl(driver);
      const dataSource = await openTestDataSource(driver, { url });

      const clean = await npmRun('migration:check', { DATABASE_URL: url });
      expect(clean.output).toContain('No changes in database schema were found');
      expect(clean.code).toBe(0);

      await dataSource.query('DROP INDEX idx_users_email');
      const drift = await npmRun('migration:check', { DATABASE_URL: url });
      expect(drift.code).toBe(1);
      expect(drift.output).toContain('Schema drift');
      expect(drift.output).toMatch(/CREATE INDEX "idx_users_email" ON "users"\s+\("email"\)/);
    },
    2 * SPAWN_TIMEOUT_MS,
  );

  it(
    'migration:check on an unmigrated database names the pending migration instead of reporting drift',
    async () => {
      const url = await emptyDatabaseUrl(driver);
      if (driver === 'sqlite') await (await openTestDataSource(driver, { url, migrate: false })).destroy(); // an empty database file
      const result = await npmRun('migration:check', { DATABASE_URL: url });
      expect(result.code).toBe(3);
      expect(result.output).toContain('Pending migrations');
      expect(result.output).toContain(`[ ] ${BASELINE}`);
      expect(result.output).not.toContain('Schema drift');
    },
    SPAWN_TIMEOUT_MS,
  );
});

describe('migration:generate', () => {
  /**
   * A scratch copy of src/migration at <scratch>/src/migration. The baseline imports '../../errors'
   * and friends, so the rest of src is linked next to the copy; Node resolves the links to the real
   * files, so those stay the very modules src/data-source.ts uses.
   */
  function migrationDirCopy(): string {
    const src = path.join(scratchDir(), 'src');
    mkdirSync(src);
    cpSync(path.join(ROOT, 'src/migration'), path.join(src, 'migration'), { recursive: true });
    for (const entry of readdirSync(path.join(ROOT, 'src'))) {
      if (entry !== 'migration') symlinkSync(path.join(ROOT, 'src', entry), path.join(src, entry));
    }
    return path.join(src, 'migration');
  }

  const files = (dir: string) => (readdirSync(dir, { recursive: true }) as string[]).sort();

  async function generate(name: string, dir: string, extraEntities?: string, flags: string[] = []): Promise<Result> {
    const env: Record<string, string> = {
      DATABASE_URL: await emptyDatabaseUrl('sqlite'), // unused by generate; keeps data/trinity.db out of it
      TRINITY_MIGRATION_DIR: dir,
      // The jest global setup's server: no second embedded PostgreSQL.
      MIGRATION_POSTGRES_URL: process.env.TRINITY_TEST_PG_ADMIN_URL!,
    };
    if (extraEntities) env.TRINITY_EXTRA_ENTITIES = extraEntities;
    return npmRun('migration:generate', env, [name, ...flags]);
  }

  it('rejects a name that is not PascalCase', async () => {
    const dir = migrationDirCopy();
    const before = files(dir);
    const result = await generate('Bad-name', dir);
    expect(result.code).toBe(2);
    expect(result.output).toContain("expected one PascalCase migration name (letters and digits, starting with a capital letter), got 'Bad-name'");
    expect(files(dir)).toEqual(before);
  }, SPAWN_TIMEOUT_MS);

  it('writes one migration per track for a new entity, registers both, and has nothing left to generate after them', async () => {
    const dir = migrationDirCopy();
    const before = files(dir);
    const result = await generate('AddTestWidgets', dir, 'test/fixtures/extra-entity.ts');
    expect(result.code).toBe(0);
    expect(result.output).not.toContain('WARNING');

    const added = files(dir).filter((f) => !before.includes(f));
    expect(added).toHaveLength(2);
    const [, timestamp] = /^postgres\/(\d{13})-AddTestWidgets\.ts$/.exec(added[0]) ?? [];
    expect(added).toEqual([`postgres/${timestamp}-AddTestWidgets.ts`, `sqlite/${timestamp}-AddTestWidgets.ts`]);
    const className = `AddTestWidgets${timestamp}`;

    const sqlite = readFileSync(path.join(dir, added[1]), 'utf8');
    const postgres = readFileSync(path.join(dir, added[0]), 'utf8');
    for (const source of [sqlite, postgres]) {
      expect(source).toContain(`export class ${className} implements MigrationInterface`);
      expect(source).toContain(`name = '${className}';`);
      expect(source.split('\n').filter((line) => line.startsWith('import '))).toEqual([
        "import type { MigrationInterface, QueryRunner } from 'typeorm';",
      ]);
      expect(source).toMatch(/CREATE INDEX "idx_test_widgets_enabled" ON "test_widgets"\s+\("enabled", "created_at"\)/);
      expect(source).toContain('DROP TABLE "test_widgets"');
    }
    expect(sqlite).toMatch(/CREATE TABLE "test_widgets" \("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "enabled" integer NOT NULL/i);
    expect(sqlite).toMatch(/"created_at" text NOT NULL, "settings" text\)/i);
    expect(postgres).toMatch(/CREATE TABLE "test_widgets" \("id" SERIAL NOT NULL, "enabled" boolean NOT NULL DEFAULT false/);
    expect(postgres).toMatch(/"created_at" (TIMESTAMP WITH TIME ZONE|timestamptz) NOT NULL/i);
    expect(postgres).toContain('"settings" jsonb');

    const index = readFileSync(path.join(dir, 'index.ts'), 'utf8');
    expect(index).toContain(`import { ${className} as SqliteAddTestWidgets } from './sqlite/${timestamp}-AddTestWidgets';`);
    expect(index).toContain(`import { ${className} as PostgresAddTestWidgets } from './postgres/${timestamp}-AddTestWidgets';`);
    expect(index).toMatch(/sqlite: \[SqliteBaseline, SqliteAddTestWidgets\]/);
    expect(index).toMatch(/postgres: \[PostgresBaseline, PostgresAddTestWidgets\]/);

    // The new migrations apply on both drivers and cover the whole change.
    const afterFirst = files(dir);
    const again = await generate('AddTestWidgetsAgain', dir, 'test/fixtures/extra-entity.ts');
    expect(again.output).toContain('No changes in database schema were found');
    expect(again.code).toBe(1);
    expect(files(dir)).toEqual(afterFirst);
  }, 2 * SPAWN_TIMEOUT_MS);

  it('--dry-run prints both files of a new entity and writes nothing', async () => {
    const dir = migrationDirCopy();
    const before = files(dir);
    const index = readFileSync(path.join(dir, 'index.ts'), 'utf8');
    const result = await generate('AddTestWidgets', dir, 'test/fixtures/extra-entity.ts', ['--dry-run']);
    expect(result.code).toBe(0);
    expect(result.output).toContain('(dry run: nothing is written)');
    expect(result.output).toMatch(/----- .*sqlite\/\d{13}-AddTestWidgets\.ts -----\n[\s\S]*CREATE TABLE "test_widgets" \("id" integer PRIMARY KEY AUTOINCREMENT/);
    expect(result.output).toMatch(/----- .*postgres\/\d{13}-AddTestWidgets\.ts -----\n[\s\S]*CREATE TABLE "test_widgets" \("id" SERIAL NOT NULL/);
    expect(result.output).not.toContain('Wrote ');
    expect(files(dir)).toEqual(before);
    expect(readFileSync(path.join(dir, 'index.ts'), 'utf8')).toBe(index);
  }, SPAWN_TIMEOUT_MS);

  it('--empty writes both files with empty up()/down() for a migration written by hand, registered in both tracks', async () => {
    const dir = migrationDirCopy();
    const before = files(dir);
    const result = await generate('HandWritten', dir, undefined, ['--empty']);
    expect(result.code).toBe(0);
    const added = files(dir).filter((f) => !before.includes(f));
    expect(added).toEqual([expect.stringMatching(/^postgres\/\d{13}-HandWritten\.ts$/), expect.stringMatching(/^sqlite\/\d{13}-HandWritten\.ts$/)]);
    for (const file of added) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      expect(source).toMatch(/async up\(queryRunner: QueryRunner\): Promise<void> \{\n {4}\/\/ Write the change on (SQLite|PostgreSQL) here/);
      expect(source).not.toMatch(/^ +await /m); // comments only
    }
    expect(readFileSync(path.join(dir, 'index.ts'), 'utf8')).toMatch(/sqlite: \[SqliteBaseline, SqliteHandWritten\]/);
  }, SPAWN_TIMEOUT_MS);

  it('rejects an unknown option before doing anything', async () => {
    const dir = migrationDirCopy();
    const before = files(dir);
    const result = await generate('AddTestWidgets', dir, undefined, ['--force']);
    expect(result.code).toBe(2);
    expect(result.output).toContain('unknown option --force (options: --dry-run, --allow-destructive, --empty)');
    expect(files(dir)).toEqual(before);
  }, SPAWN_TIMEOUT_MS);

  it('says "No changes" and writes nothing when the entities match the tracks', async () => {
    const dir = migrationDirCopy();
    const before = files(dir);
    const index = readFileSync(path.join(dir, 'index.ts'), 'utf8');
    const result = await generate('Nothing', dir);
    expect(result.output).toContain('No changes in database schema were found');
    expect(result.code).toBe(1);
    expect(files(dir)).toEqual(before);
    expect(readFileSync(path.join(dir, 'index.ts'), 'utf8')).toBe(index);
  }, SPAWN_TIMEOUT_MS);

  it('never registered the test entity in this process', () => {
    expect(registeredTables().map((t) => t.tableName)).not.toContain('test_widgets');
  });
});
