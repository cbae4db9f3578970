/**
 * Legacy states that the fixtures do not cover directly (docs/COMPATIBILITY.md → "Adopting a legacy
 * trinity.db"), made from fixture copies: pre-history table shapes, files started only once by a
 * pre-tracking release, upgraded files that carry voice_system_prompt, and things this package does
 * not own.
 */
import { BASELINE_TABLES } from '../../src/migration/sqlite/baseline-schema';
import { cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { schemaObjects, snapshot, withDatabase } from '../support/sqlite-snapshot';

const OWN_TABLES = BASELINE_TABLES.map((t) => t.name);
const LATEST = 'trinity-2026-04-01-8068f0db.db';

afterAll(cleanupTestDatabases);

async function migrate(url: string): Promise<void> {
  const ds = await openTestDataSource('sqlite', { url, migrate: false });
  await ds.runMigrations();
  const drift = await ds.driver.createSchemaBuilder().log();
  expect(drift.upQueries.map((q) => q.query)).toEqual([]);
  await ds.destroy();
}

async function freshSchema() {
  const ds = await openTestDataSource('sqlite');
  const file = (ds.options as { database: string }).database;
  await ds.destroy();
  return schemaObjects(file, OWN_TABLES);
}

describe('a pre-tracking file started once lacks the ALTER-only columns', () => {
  const ALTER_ONLY: [string, string][] = [
    ['agent_ownership', 'full_capabilities'],
    ['schedule_executions', 'source_user_id'],
    ['schedule_executions', 'source_user_email'],
    ['schedule_executions', 'source_agent_name'],
    ['schedule_executions', 'source_mcp_key_id'],
    ['schedule_executions', 'source_mcp_key_name'],
    ['schedule_executions', 'claude_session_id'],
    ['schedule_executions', 'fan_out_id'],
  ];

  it('gets them back with their defaults, keeping every other value', async () => {
    const copy = legacyFixtureCopy(LATEST);
    withDatabase(
      copy.path,
      (db) => {
        db.exec('DROP INDEX idx_executions_fan_out');
        for (const [table, column] of ALTER_ONLY) db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
      },
      false,
    );
    const before = snapshot(copy.path);
    await migrate(copy.url);
    const after = snapshot(copy.path);
    expect(schemaObjects(copy.path, OWN_TABLES)).toEqual(await freshSchema());
    for (const [table, rows] of before) {
      for (const [key, record] of rows) {
        const migrated = after.get(table)!.get(key)!;
        for (const column of Object.keys(record)) expect(migrated[column]).toEqual(record[column]);
        for (const [t, column] of ALTER_ONLY) {
          if (t !== table) continue;
          // full_capabilities is declared DEFAULT 0; the others have no default.
          expect(migrated[column]).toEqual(column === 'full_capabilities' ? { type: 'integer', value: 0 } : { type: 'null', value: null });
        }
      }
    }
  });
});

describe('pre-history table shapes', () => {
  it('re-keys user-id shares by lower-cased email and renames skill_id to skill_name', async () => {
    const copy = legacyFixtureCopy(LATEST);
    const users = withDatabase(
      copy.path,
      (db) => {
        db.exec(`UPDATE users SET email = 'Chen.Wei@EXAMPLE.cn' WHERE id = 4`);
        db.exec(`UPDATE users SET email = NULL WHERE id = 5`);
        db.exec('DROP TABLE agent_sharing');
        db.exec(`CREATE TABLE agent_sharing (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_name TEXT NOT NULL,
                   shared_with_id INTEGER NOT NULL, shared_by_id INTEGER NOT NULL, created_at TEXT NOT NULL)`);
        const insert = db.prepare(`INSERT INTO agent_sharing (agent_name, shared_with_id, shared_by_id, created_at) VALUES (?, ?, 1, '2025-12-01T10:00:00')`);
        insert.run('alpha', 4); // user with a mixed-case email
        insert.run('beta', 5); // user without email: cannot be expressed by email
        insert.run('gamma', 999); // user gone
        db.exec('DROP TABLE agent_skills');
        db.exec(`CREATE TABLE agent_skills (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_name TEXT NOT NULL, skill_id TEXT NOT NULL,
                   assigned_by TEXT NOT NULL, assigned_at TEXT NOT NULL, UNIQUE(agent_name, skill_id))`);
        db.exec(`INSERT INTO agent_skills (id, agent_name, skill_id, assigned_by, assigned_at) VALUES
                   (7, 'alpha', 'web-research', 'admin', '2025-12-01T10:00:00'), (9, 'alpha', 'pdf', 'admin', '2025-12-02T10:00:00')`);
        return db.prepare('SELECT id, email FROM users WHERE id = 4').get() as { id: number; email: string };
      },
      false,
    );
    await migrate(copy.url);
    withDatabase(copy.path, (db) => {
      expect(db.prepare('SELECT agent_name, shared_with_email, shared_by_id FROM agent_sharing ORDER BY agent_name').all()).toEqual([
        { agent_name: 'alpha', shared_with_email: users.email.toLowerCase(), shared_by_id: 1 },
      ]);
      expect(db.prepare('SELECT id, agent_name, skill_name, assigned_by FROM agent_skills ORDER BY id').all()).toEqual([
        { id: 7, agent_name: 'alpha', skill_name: 'web-research', assigned_by: 'admin' },
        { id: 9, agent_name: 'alpha', skill_name: 'pdf', assigned_by: 'admin' },
      ]);
    });
    expect(schemaObjects(copy.path, OWN_TABLES)).toEqual(await freshSchema());
  });
});

describe('what adoption must leave alone', () => {
  it('keeps unknown tables, unknown columns and indexes of known tables, and an upgraded voice_system_prompt', async () => {
    const copy = legacyFixtureCopy(LATEST);
    withDatabase(
      copy.path,
      (db) => {
        // The scheduler keeps its own tables in the same file.
        db.exec(`CREATE TABLE process_schedules (id TEXT PRIMARY KEY, process_id TEXT NOT NULL, cron TEXT)`);
        db.exec(`INSERT INTO process_schedules VALUES ('ps1', 'proc-1', '0 9 * * *')`);
        // A column and an index a newer release might have added to a known table.
        db.exec(`ALTER TABLE users ADD COLUMN locale TEXT DEFAULT 'en'`);
        db.exec(`UPDATE users SET locale = 'de' WHERE id = 1`);
        db.exec(`CREATE INDEX idx_users_locale ON users (locale)`);
        // Files upgraded from releases before 2026-04-01 have the voice prompt column (fresh 8068f0db files lack it).
        db.exec(`ALTER TABLE agent_ownership ADD COLUMN voice_system_prompt TEXT`);
        db.exec(`UPDATE agent_ownership SET voice_system_prompt = 'Speak calmly. 🎙' WHERE id = (SELECT MIN(id) FROM agent_ownership)`);
      },
      false,
    );
    const before = snapshot(copy.path);
    const ds = await openTestDataSource('sqlite', { url: copy.url, migrate: false });
    await ds.runMigrations();
    // The kept column is a real difference from the entities, and the drift check says so.
    const drift = await ds.driver.createSchemaBuilder().log();
    expect(drift.upQueries.map((q) => q.query).join('\n')).toMatch(/locale/);
    await ds.destroy();

    const after = snapshot(copy.path);
    expect(after.get('process_schedules')).toEqual(before.get('process_schedules'));
    expect(after.get('schema_migrations')).toEqual(before.get('schema_migrations'));
    for (const [key, record] of before.get('users')!) expect(after.get('users')!.get(key)).toEqual(record);
    for (const [key, record] of before.get('agent_ownership')!) expect(after.get('agent_ownership')!.get(key)).toEqual(record);
    withDatabase(copy.path, (db) => {
      expect(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'idx_users_locale'`).get()).toEqual({
        sql: 'CREATE INDEX idx_users_locale ON users (locale)',
      });
      expect(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'process_schedules'`).get()).toEqual({
        sql: 'CREATE TABLE process_schedules (id TEXT PRIMARY KEY, process_id TEXT NOT NULL, cron TEXT)',
      });
    });
  });
});
