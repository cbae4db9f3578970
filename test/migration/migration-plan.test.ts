/**
 * scripts/migration-plan.ts on both drivers, in this process: a database at the head of its track is
 * made to differ from the entities by hand, and the plan says how migration:generate would bring it
 * back — in place where it can, by rebuildTable on SQLite where it must, and which changes are
 * destructive.
 */
import { rebuildTable } from '../../src/migration/sqlite/table-rebuild';
import { BASELINE_TABLES } from '../../src/migration/sqlite/baseline-schema';
import { planMigration, type MigrationPlan } from '../../scripts/migration-plan';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';

afterAll(cleanupTestDatabases);

const statements = (plan: MigrationPlan, kind: 'up' | 'down') =>
  plan.steps.flatMap((s) => (s.kind === 'sql' ? s[kind].map((q) => q.query.trim()) : [`rebuildTable(${s[kind].table})`]));

const USERS = BASELINE_TABLES.find((t) => t.name === 'users')!;

describe.each(DRIVERS)('the migration plan on %s', (driver) => {
  it('is empty at the head of the track', async () => {
    const ds = await openTestDataSource(driver);
    expect(await planMigration(ds)).toEqual({ driver, steps: [], destructive: [], notes: [] });
  });

  it('adds a missing nullable column in place and a missing index with CREATE INDEX', async () => {
    const ds = await openTestDataSource(driver);
    await ds.query('DROP INDEX idx_users_email');
    await ds.query('ALTER TABLE users DROP COLUMN picture');
    const plan = await planMigration(ds);
    const add = driver === 'sqlite' ? 'ALTER TABLE "users" ADD COLUMN "picture" text' : 'ALTER TABLE "users" ADD "picture" text';
    expect(statements(plan, 'up')).toEqual([add, expect.stringMatching(/^CREATE INDEX "idx_users_email" ON "users" +\("email"\)$/)]);
    expect(statements(plan, 'down')).toEqual(['ALTER TABLE "users" DROP COLUMN "picture"', expect.stringMatching(/^DROP INDEX "(public"\.")?idx_users_email"$/)]);
    expect(plan.destructive).toEqual([]);
    // The planned statements are what the database needs: applied, nothing is left to plan.
    for (const query of statements(plan, 'up')) await ds.query(query);
    expect((await planMigration(ds)).steps).toEqual([]);
  });

  it('reports a column the entities do not define as a destructive drop, with the statement to write instead', async () => {
    const ds = await openTestDataSource(driver);
    await ds.query('ALTER TABLE users ADD COLUMN extra text');
    const plan = await planMigration(ds);
    expect(plan.destructive).toEqual([
      {
        change: `${driver === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: drops column "users"."extra" and every value in it`,
        alternative: expect.arrayContaining(['in a migration of its own: ALTER TABLE "users" DROP COLUMN "extra"']),
      },
    ]);
    if (driver === 'sqlite') {
      expect(plan.steps).toEqual([expect.objectContaining({ kind: 'rebuild', up: expect.objectContaining({ table: 'users', dropColumns: ['extra'] }) })]);
    }
  });

  it('reports a type change as destructive, with ALTER COLUMN ... TYPE ... USING on PostgreSQL', async () => {
    const ds = await openTestDataSource(driver);
    if (driver === 'sqlite') {
      const runner = ds.createQueryRunner();
      await rebuildTable(runner, { table: 'users', create: USERS.create.replace('"picture" text', '"picture" integer'), indexes: USERS.indexes });
    } else {
      await ds.query('ALTER TABLE users ALTER COLUMN picture TYPE integer USING NULL');
    }
    const plan = await planMigration(ds);
    if (driver === 'sqlite') {
      expect(plan.destructive.map((d) => d.change)).toEqual([expect.stringMatching(/^SQLite: changes the type of "users"\."picture" from integer to text by rebuilding the table/)]);
      expect(plan.steps.map((s) => s.kind)).toEqual(['rebuild']);
    } else {
      expect(plan.destructive).toEqual([
        {
          change: 'PostgreSQL: changes the type of "users"."picture" from integer to text by DROP COLUMN + ADD: every value of the column is lost',
          alternative: expect.arrayContaining(['  ALTER TABLE "users" ALTER COLUMN "picture" TYPE text USING "picture"::text;']),
        },
      ]);
    }
  });
});

describe('the migration plan on sqlite, where a table must be rebuilt', () => {
  it('is one rebuildTable call, which keeps what a database has beyond the entities when it runs there', async () => {
    const ds = await openTestDataSource('sqlite');
    const runner = ds.createQueryRunner();
    // A default the entities do not have: SQLite cannot change a column, so the plan rebuilds users.
    const memberDefault = USERS.create.replace(`"role" text NOT NULL DEFAULT ('user')`, `"role" text NOT NULL DEFAULT ('member')`);
    await rebuildTable(runner, { table: 'users', create: memberDefault, indexes: USERS.indexes });
    const plan = await planMigration(ds);
    expect(plan.destructive).toEqual([]);
    expect(plan.steps).toHaveLength(1);
    const [step] = plan.steps;
    if (step.kind !== 'rebuild') throw new Error(`expected a rebuild, got ${JSON.stringify(step)}`);
    expect(step.why).toBe(`users: changes "role" text NOT NULL DEFAULT ('member') to "role" text NOT NULL DEFAULT ('user')`);
    expect(step.up).toEqual({ table: 'users', create: expect.stringContaining(`"role" text NOT NULL DEFAULT ('user')`), indexes: expect.arrayContaining(USERS.indexes) });
    expect(step.down).toEqual({ table: 'users', create: expect.stringContaining(`"role" text NOT NULL DEFAULT ('member')`), indexes: expect.arrayContaining(USERS.indexes) });

    // The database the migration later runs on has more: a column, a trigger, a deleted row.
    await ds.query(`ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en' CHECK (locale <> '')`);
    await ds.query(`CREATE TABLE log (what TEXT)`);
    await ds.query(`CREATE TRIGGER trg_users_insert AFTER INSERT ON users BEGIN INSERT INTO log VALUES (new.username); END`);
    await ds.query(`INSERT INTO users (username, created_at, updated_at, locale) VALUES ('a', 'x', 'x', 'de'), ('b', 'x', 'x', 'fr')`);
    await ds.query(`DELETE FROM users WHERE username = 'b'`);
    const result = await rebuildTable(runner, step.up);
    expect(result).toEqual(expect.objectContaining({ rows: 1, keptColumns: ['locale'], keptTriggers: ['trg_users_insert'], droppedColumns: [] }));
    expect(await ds.query(`SELECT id, username, locale FROM users`)).toEqual([{ id: 1, username: 'a', locale: 'de' }]);
    await ds.query(`INSERT INTO users (username, created_at, updated_at) VALUES ('c', 'x', 'x')`);
    expect(await ds.query(`SELECT id, role, locale FROM users WHERE username = 'c'`)).toEqual([{ id: 3, role: 'user', locale: 'en' }]);
    expect(await ds.query(`SELECT what FROM log`)).toEqual([{ what: 'a' }, { what: 'b' }, { what: 'c' }]);
  });
});
