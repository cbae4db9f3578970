/**
 * The recipes of docs/SCHEMA-CHANGES.md, carried out as a developer does, in a scratch copy of the
 * project: change an entity, `npm run migration:generate`, then `migration:run` on a fresh SQLite
 * file, a fresh PostgreSQL database, an adopted legacy file and an adopted newer-release file,
 * `migration:check`, `migration:revert`. Rows, ids (past deleted rows), and what the newer release
 * added (columns, indexes, triggers) survive every step.
 */
import { readdirSync, readFileSync, writeFileSync } from 'fs';
import path from 'path';
import { Client } from 'pg';
import { cleanupTestDatabases, createPostgresDatabase, emptyDatabaseUrl, legacyFixtureCopy } from '../support/databases';
import { newerReleaseCopy } from '../support/newer-release';
import { npmRun, scratchProject, type NpmResult } from '../support/project';
import { sequences, snapshot, withDatabase, type Snapshot } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const STEP_TIMEOUT_MS = 120_000;

interface Target {
  label: string;
  url: string;
  /** The SQLite file, for SQLite targets. */
  file?: string;
  /** migration:check must be clean (the newer release's own columns are drift, truthfully). */
  checked: boolean;
}

/** What the newer release file has on users (the column) and what is added to it here; all must survive every recipe. */
const NEWER_USERS_ADDITIONS = {
  column: `locale TEXT NOT NULL DEFAULT 'en' COLLATE NOCASE`,
  index: `CREATE INDEX idx_users_locale ON users (locale) WHERE locale <> 'en'`,
  trigger: `CREATE TRIGGER trg_users_role AFTER UPDATE OF role ON users BEGIN INSERT INTO audit_log (event_type, target) VALUES ('role', new.username); END`,
};

let project: string;
let targets: Target[];
const sqliteTargets = () => targets.filter((t) => t.file);
const newer = () => targets.find((t) => t.label === 'newer release')!;

function run(script: string, url: string, args: string[] = []): Promise<NpmResult> {
  return npmRun(script, { DATABASE_URL: url }, args, { cwd: project, timeoutMs: STEP_TIMEOUT_MS });
}

async function generate(name: string, flags: string[] = []): Promise<NpmResult> {
  const env = {
    DATABASE_URL: await emptyDatabaseUrl('sqlite'), // unused by generate
    MIGRATION_POSTGRES_URL: process.env.TRINITY_TEST_PG_ADMIN_URL!, // the jest global setup's server
  };
  return npmRun('migration:generate', env, [name, ...flags], { cwd: project, timeoutMs: STEP_TIMEOUT_MS });
}

/** Runs SQL on a target (better-sqlite3 on the file, or a pg client). */
async function sql<T = Record<string, unknown>>(target: Target, text: string): Promise<T[]> {
  if (target.file) {
    return withDatabase(target.file, (db) => {
      const statement = db.prepare(text);
      return (statement.reader ? statement.all() : (statement.run(), [])) as T[];
    }, false);
  }
  const client = new Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

function editUsersEntity(edit: (source: string) => string): void {
  const file = path.join(project, 'src/entity/users.entity.ts');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(file, after);
}

const migrationFiles = () => (readdirSync(path.join(project, 'src/migration'), { recursive: true }) as string[]).filter((f) => /\d{13}-/.test(f)).sort();

/** The two files a successful generate wrote, and its class name. */
function written(before: string[], name: string): { sqlite: string; postgres: string; className: string } {
  const added = migrationFiles().filter((f) => !before.includes(f));
  expect(added).toHaveLength(2);
  const [, timestamp] = new RegExp(`^postgres/(\\d{13})-${name}\\.ts$`).exec(added[0]) ?? [];
  expect(added).toEqual([`postgres/${timestamp}-${name}.ts`, `sqlite/${timestamp}-${name}.ts`]);
  const read = (f: string) => readFileSync(path.join(project, 'src/migration', f), 'utf8');
  return { postgres: read(added[0]), sqlite: read(added[1]), className: `${name}${timestamp}` };
}

/** up() and down() bodies of a generated file, statement text only. */
function body(source: string, method: 'up' | 'down'): string {
  const match = new RegExp(`async ${method}\\(queryRunner: QueryRunner\\): Promise<void> \\{\\n([\\s\\S]*?)\\n  \\}`).exec(source);
  expect(match).not.toBeNull();
  return match![1];
}

interface Preserved {
  rows: Map<string, Snapshot>;
  sequences: Map<string, Record<string, number>>;
  /** sqlite_master of the newer-release file outside the users table. */
  others: unknown[];
}

/** A snapshot without TypeORM's migrations table, which each run and revert changes. */
function withoutBookkeeping(rows: Snapshot): Snapshot {
  rows.delete('typeorm_migrations');
  return rows;
}

function othersOf(file: string): unknown[] {
  return withDatabase(file, (db) => db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name <> 'users' ORDER BY name`).all());
}

function preserved(): Preserved {
  return {
    rows: new Map(sqliteTargets().map((t) => [t.label, withoutBookkeeping(snapshot(t.file!))])),
    sequences: new Map(sqliteTargets().map((t) => [t.label, sequences(t.file!)])),
    others: othersOf(newer().file!),
  };
}

/**
 * Every row and stored value that was there is still there (but those of `removed`, a users column
 * a revert drops on purpose); counters and the newer release's additions too.
 */
function expectPreserved(before: Preserved, removed?: string): void {
  for (const target of sqliteTargets()) {
    const after = snapshot(target.file!);
    for (const [table, rows] of before.rows.get(target.label)!) {
      expect([target.label, table, after.get(table)?.size]).toEqual([target.label, table, rows.size]);
      for (const [key, record] of rows) {
        const columns = Object.keys(record).filter((column) => !(table === 'users' && column === removed));
        const kept = Object.fromEntries(columns.map((column) => [column, after.get(table)!.get(key)?.[column]]));
        const expected = Object.fromEntries(columns.map((column) => [column, record[column]]));
        expect({ target: target.label, table, key, record: kept }).toEqual({ target: target.label, table, key, record: expected });
      }
    }
    const counters = (all: Record<string, number>) => Object.fromEntries(Object.entries(all).filter(([table]) => table !== 'typeorm_migrations'));
    expect([target.label, counters(sequences(target.file!))]).toEqual([target.label, counters(before.sequences.get(target.label)!)]);
  }
  const file = newer().file!;
  expect(othersOf(file)).toEqual(before.others);
  withDatabase(file, (db) => {
    const users = db.prepare(`SELECT sql FROM sqlite_master WHERE tbl_name = 'users'`).all() as { sql: string | null }[];
    const texts = users.map((u) => u.sql);
    expect(texts.find((t) => t?.startsWith('CREATE TABLE'))).toContain(NEWER_USERS_ADDITIONS.column);
    expect(texts).toContain(NEWER_USERS_ADDITIONS.index);
    expect(texts).toContain(NEWER_USERS_ADDITIONS.trigger);
  });
}

/** migration:run everywhere applies exactly `className`; migration:check is clean where it must be. */
async function applyEverywhere(className: string): Promise<void> {
  const runs = await Promise.all(targets.map((t) => run('migration:run', t.url)));
  runs.forEach((result, i) => {
    expect({ target: targets[i].label, code: result.code }).toEqual({ target: targets[i].label, code: 0 });
    expect(result.output).toContain(`Migration ${className} has been executed successfully`);
  });
  const checked = targets.filter((t) => t.checked);
  const checks = await Promise.all(checked.map((t) => run('migration:check', t.url)));
  checks.forEach((result, i) => {
    expect({ target: checked[i].label, code: result.code, output: result.output }).toEqual({
      target: checked[i].label,
      code: 0,
      output: expect.stringContaining('No changes in database schema were found'),
    });
  });
}

async function revertEverywhere(className: string): Promise<void> {
  const reverts = await Promise.all(targets.map((t) => run('migration:revert', t.url)));
  reverts.forEach((result, i) => {
    expect({ target: targets[i].label, code: result.code }).toEqual({ target: targets[i].label, code: 0 });
    expect(result.output).toContain(`Migration ${className} has been reverted successfully`);
  });
}

/** A user that is deleted again, so that on SQLite the AUTOINCREMENT counter is ahead of the largest id. */
async function insertAndDeleteUser(target: Target, username: string): Promise<void> {
  await sql(target, `INSERT INTO users (username, role, created_at, updated_at) VALUES ('${username}', 'user', '2026-05-01T00:00:00', '2026-05-01T00:00:00')`);
  await sql(target, `DELETE FROM users WHERE username = '${username}'`);
}

/** The id a new user gets is above every id handed out before, deleted ones included. */
async function expectNoIdReused(target: Target, deleted: string, username: string): Promise<void> {
  const [{ id: max }] = await sql<{ id: number }>(target, `SELECT MAX(id) AS id FROM users`);
  await sql(target, `INSERT INTO users (username, role, created_at, updated_at) VALUES ('${username}', 'user', '2026-05-02T00:00:00', '2026-05-02T00:00:00')`);
  const [{ id }] = await sql<{ id: number }>(target, `SELECT id FROM users WHERE username = '${username}'`);
  expect({ target: target.label, deleted, id: Number(id) }).toEqual({ target: target.label, deleted, id: Number(max) + 2 });
}

beforeAll(async () => {
  project = scratchProject();
  const legacy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
  const newerFile = newerReleaseCopy();
  const freshSqlite = await emptyDatabaseUrl('sqlite');
  targets = [
    { label: 'fresh SQLite', url: freshSqlite, file: freshSqlite.replace(/^sqlite:\/\/\//, ''), checked: true },
    { label: 'fresh PostgreSQL', url: await createPostgresDatabase(), checked: true },
    { label: 'adopted legacy file', url: legacy.url, file: legacy.path, checked: true },
    { label: 'newer release', url: newerFile.url, file: newerFile.path, checked: false },
  ];
  const baseline = await Promise.all(targets.map((t) => run('migration:run', t.url)));
  for (const result of baseline) expect(result.code).toBe(0);
  // The newer release's users.locale column is NEWER_USERS_ADDITIONS.column; an index and a trigger on users join it.
  await sql(newer(), `UPDATE users SET locale = 'fr' WHERE id = 3`);
  await sql(newer(), NEWER_USERS_ADDITIONS.index);
  await sql(newer(), NEWER_USERS_ADDITIONS.trigger);
  for (const target of targets) await insertAndDeleteUser(target, 'deleted-before-recipes');
}, 4 * STEP_TIMEOUT_MS);

describe('docs/SCHEMA-CHANGES.md recipes, end to end', () => {
  const applied: string[] = [];

  it('add a column: ALTER TABLE ... ADD COLUMN on both drivers; applies and checks clean everywhere, keeping rows, ids and the newer release additions', async () => {
    editUsersEntity((s) => s.replace(/(  lastLogin!: Date \| null;\n)/, `$1\n  @TextColumn({ name: 'nickname' })\n  nickname!: string | null;\n`));
    const before = migrationFiles();
    const result = await generate('AddUserNickname');
    expect(result.code).toBe(0);
    expect(result.output).not.toMatch(/DESTRUCTIVE|Note:/);
    const files = written(before, 'AddUserNickname');
    expect(body(files.sqlite, 'up')).toBe('    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "nickname" text`);');
    expect(body(files.sqlite, 'down')).toBe('    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "nickname"`);');
    expect(body(files.postgres, 'up')).toBe('    await queryRunner.query(`ALTER TABLE "users" ADD "nickname" text`);');
    expect(body(files.postgres, 'down')).toBe('    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "nickname"`);');

    const kept = preserved();
    await applyEverywhere(files.className);
    applied.push(files.className);
    expectPreserved(kept);
    for (const target of targets) expect(await sql(target, `SELECT COUNT(*) AS n FROM users WHERE nickname IS NOT NULL`)).toEqual([{ n: target.file ? 0 : '0' }]);
    await Promise.all(targets.map((t) => expectNoIdReused(t, 'deleted-before-recipes', 'after-add-column')));
  }, 6 * STEP_TIMEOUT_MS);

  it('add an index: CREATE INDEX on both drivers; applies and checks clean everywhere', async () => {
    editUsersEntity((s) => s.replace(`@Index('idx_users_email', ['email'])`, `@Index('idx_users_email', ['email'])\n@Index('idx_users_nickname', ['nickname'])`));
    const before = migrationFiles();
    const result = await generate('AddUserNicknameIndex');
    expect(result.code).toBe(0);
    const files = written(before, 'AddUserNicknameIndex');
    expect(body(files.sqlite, 'up')).toBe('    await queryRunner.query(`CREATE INDEX "idx_users_nickname" ON "users" ("nickname")`);');
    expect(body(files.sqlite, 'down')).toBe('    await queryRunner.query(`DROP INDEX "idx_users_nickname"`);');
    expect(body(files.postgres, 'up')).toMatch(/^ {4}await queryRunner\.query\(`CREATE INDEX "idx_users_nickname" ON "users" +\("nickname"\)`\);$/);
    expect(body(files.postgres, 'down')).toBe('    await queryRunner.query(`DROP INDEX "public"."idx_users_nickname"`);');

    const kept = preserved();
    await applyEverywhere(files.className);
    applied.push(files.className);
    expectPreserved(kept);
    for (const target of sqliteTargets()) expect(await sql(target, `SELECT name FROM sqlite_master WHERE name = 'idx_users_nickname'`)).toHaveLength(1);
    expect(await sql(targets[1], `SELECT indexname FROM pg_indexes WHERE indexname = 'idx_users_nickname'`)).toHaveLength(1);
  }, 6 * STEP_TIMEOUT_MS);

  it('a column SQLite cannot add in place (NOT NULL, CURRENT_TIMESTAMP default) is one rebuildTable call that keeps everything', async () => {
    editUsersEntity((s) =>
      s
        .replace(`import { IdColumn,`, `import { CURRENT_TIMESTAMP, IdColumn,`)
        .replace(/(  nickname!: string \| null;\n)/, `$1\n  @TimestampColumn({ name: 'nickname_set_at', nullable: false, default: CURRENT_TIMESTAMP, format: 'sqlite-default' })\n  nicknameSetAt!: Date;\n`),
    );
    const before = migrationFiles();
    const result = await generate('AddUserNicknameSetAt');
    expect(result.code).toBe(0);
    expect(result.output).toContain('SQLite: 1 step(s) after 3 migration(s), 1 of them table rebuild(s) by rebuildTable');
    const files = written(before, 'AddUserNicknameSetAt');
    expect(files.sqlite).toContain(`import { rebuildTable } from './table-rebuild';`);
    expect(files.sqlite).not.toContain('temporary_');
    expect(body(files.sqlite, 'up')).toContain(`await rebuildTable(queryRunner, {\n      table: 'users',`);
    expect(body(files.sqlite, 'up')).toContain(`"nickname_set_at" text NOT NULL DEFAULT (CURRENT_TIMESTAMP)`);
    expect(body(files.sqlite, 'down')).toContain(`dropColumns: ['nickname_set_at']`);
    expect(body(files.postgres, 'up')).toBe('    await queryRunner.query(`ALTER TABLE "users" ADD "nickname_set_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);');

    for (const target of targets) await insertAndDeleteUser(target, 'deleted-before-rebuild');
    const kept = preserved();
    await applyEverywhere(files.className);
    applied.push(files.className);
    expectPreserved(kept);
    await Promise.all(targets.map((t) => expectNoIdReused(t, 'deleted-before-rebuild', 'after-rebuild')));
    // The newer release's trigger on the rebuilt table still fires; its COLLATE NOCASE column still compares so.
    await sql(newer(), `UPDATE users SET role = 'admin' WHERE username = 'after-rebuild'`);
    expect(await sql(newer(), `SELECT event_type, target FROM audit_log WHERE event_type = 'role'`)).toEqual([{ event_type: 'role', target: 'after-rebuild' }]);
    expect(await sql(newer(), `SELECT id FROM users WHERE locale = 'FR'`)).toEqual([{ id: 3 }]);
  }, 6 * STEP_TIMEOUT_MS);

  it('change a type: generate refuses (exit 3, nothing written) and prints the statements to write by hand', async () => {
    editUsersEntity((s) =>
      s
        .replace(`  @TextColumn({ name: 'nickname' })\n  nickname!: string | null;`, `  @IntColumn({ name: 'nickname' })\n  nickname!: number | null;`)
        .replace(`import { CURRENT_TIMESTAMP, IdColumn,`, `import { CURRENT_TIMESTAMP, IdColumn, IntColumn,`),
    );
    const before = migrationFiles();
    const index = readFileSync(path.join(project, 'src/migration/index.ts'), 'utf8');
    const refused = await generate('RetypeUserNickname');
    expect(refused.code).toBe(3);
    expect(refused.output).toContain('DESTRUCTIVE CHANGE: nothing written.');
    expect(refused.output).toContain('PostgreSQL: changes the type of "users"."nickname" from text to integer by DROP COLUMN + ADD: every value of the column is lost');
    expect(refused.output).toContain('ALTER TABLE "users" ALTER COLUMN "nickname" TYPE integer USING "nickname"::integer;');
    expect(refused.output).toMatch(/SQLite: changes the type of "users"\."nickname" from text to integer by rebuilding the table/);
    expect(migrationFiles()).toEqual(before);
    expect(readFileSync(path.join(project, 'src/migration/index.ts'), 'utf8')).toBe(index);

    const dryRun = await generate('RetypeUserNickname', ['--dry-run', '--allow-destructive']);
    expect(dryRun.code).toBe(0);
    expect(dryRun.output).toContain('DESTRUCTIVE CHANGE, allowed by --allow-destructive:');
    expect(dryRun.output).toContain('ALTER TABLE "users" DROP COLUMN "nickname"');
    expect(dryRun.output).toMatch(/await rebuildTable\(queryRunner, \{\n {6}table: 'users',\n {6}create: `CREATE TABLE "users" \([^`]*"nickname" integer/);
    expect(migrationFiles()).toEqual(before);
  }, 4 * STEP_TIMEOUT_MS);

  it('rename a column: RENAME COLUMN on both drivers (dry run)', async () => {
    editUsersEntity((s) =>
      s
        .replace(`  @IntColumn({ name: 'nickname' })\n  nickname!: number | null;`, `  @TextColumn({ name: 'display_name' })\n  nickname!: string | null;`)
        .replace(`@Index('idx_users_nickname', ['nickname'])`, `@Index('idx_users_nickname', ['display_name'])`),
    );
    const before = migrationFiles();
    const result = await generate('RenameUserNickname', ['--dry-run']);
    expect(result.code).toBe(0);
    const [, sqlite, postgres] = result.output.split(/\n----- src\/migration\/(?:sqlite|postgres)\/\d{13}-RenameUserNickname\.ts -----\n/);
    for (const source of [sqlite, postgres]) {
      expect(body(source, 'up')).toContain('await queryRunner.query(`ALTER TABLE "users" RENAME COLUMN "nickname" TO "display_name"`);');
      expect(body(source, 'down')).toContain('await queryRunner.query(`ALTER TABLE "users" RENAME COLUMN "display_name" TO "nickname"`);');
      expect(source).not.toMatch(/DROP COLUMN|rebuildTable/);
    }
    expect(migrationFiles()).toEqual(before);
  }, 2 * STEP_TIMEOUT_MS);

  it('migration:revert undoes the three migrations everywhere, newest first, keeping rows, ids and the newer release additions', async () => {
    expect(applied).toHaveLength(3);
    const columns = async (target: Target) =>
      (target.file
        ? await sql<{ name: string }>(target, `SELECT name FROM pragma_table_info('users')`)
        : await sql<{ name: string }>(target, `SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'users'`)
      ).map((c) => c.name);
    const indexes = async (target: Target) =>
      (target.file
        ? await sql<{ name: string }>(target, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users'`)
        : await sql<{ name: string }>(target, `SELECT indexname AS name FROM pg_indexes WHERE tablename = 'users'`)
      ).map((i) => i.name);

    // The column each revert drops (the index revert drops none), and what is gone afterwards.
    const expectations: [string | undefined, (t: Target) => Promise<void>][] = [
      ['nickname_set_at', async (t) => expect([t.label, await columns(t)]).toEqual([t.label, expect.not.arrayContaining(['nickname_set_at'])])],
      [undefined, async (t) => expect([t.label, await indexes(t)]).toEqual([t.label, expect.not.arrayContaining(['idx_users_nickname'])])],
      ['nickname', async (t) => expect([t.label, await columns(t)]).toEqual([t.label, expect.not.arrayContaining(['nickname'])])],
    ];
    for (const [index, className] of [...applied].reverse().entries()) {
      const kept = preserved();
      await revertEverywhere(className);
      expectPreserved(kept, expectations[index][0]);
      for (const target of targets) await expectations[index][1](target);
    }
    for (const target of sqliteTargets()) expect(await sql(target, `SELECT COUNT(*) AS n FROM users WHERE username = 'after-rebuild'`)).toEqual([{ n: 1 }]);
    expect(await sql(newer(), `SELECT id FROM users WHERE locale = 'FR'`)).toEqual([{ id: 3 }]);
  }, 4 * STEP_TIMEOUT_MS);
});
