/**
 * Adopting a file written by a later release of the platform (test/support/newer-release.ts):
 * everything this package does not define survives exactly — tables, columns with their
 * declarations, table constraints, partial and unique indexes, triggers, views — and so do every
 * row, every value and every AUTOINCREMENT counter. SQLite only: legacy files are SQLite.
 */
import type Database from 'better-sqlite3';
import { BASELINE_TABLES } from '../../src/migration/sqlite/baseline-schema';
import { cleanupTestDatabases, openTestDataSource } from '../support/databases';
import { newerReleaseCopy, type NewerReleaseFile } from '../support/newer-release';
import { sequences, snapshot, withDatabase, type Snapshot } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const OWN_TABLES = new Set(BASELINE_TABLES.map((t) => t.name));

interface MasterRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

/** What SQLite knows about the file, by name: schema objects, columns and indexes per table. */
function catalog(file: string) {
  return withDatabase(file, (db) => {
    const master = db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex_%'`).all() as MasterRow[];
    const tables = master.filter((o) => o.type === 'table').map((o) => o.name);
    const columns = new Map(tables.map((t) => [t, db.prepare(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`).all(t) as Record<string, unknown>[]]));
    const indexes = new Map(tables.map((t) => [t, db.prepare(`SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name`).all(t) as Record<string, unknown>[]]));
    return { master: new Map(master.map((o) => [o.name, o])), columns, indexes };
  });
}

function expectEveryRowKept(before: Snapshot, after: Snapshot): void {
  for (const [table, rows] of before) {
    const afterRows = after.get(table);
    expect([table, afterRows?.size]).toEqual([table, rows.size]);
    for (const [key, record] of rows) {
      // Adoption adds the baseline's missing columns; every column that was there keeps its value and type.
      const kept = Object.fromEntries(Object.keys(record).map((column) => [column, afterRows!.get(key)?.[column]]));
      expect({ table, key, record: kept }).toEqual({ table, key, record });
    }
  }
}

describe('adopting a newer release file', () => {
  let file: NewerReleaseFile;
  let before: ReturnType<typeof catalog>;
  let rowsBefore: Snapshot;
  let sequencesBefore: Record<string, number>;
  let after: ReturnType<typeof catalog>;
  const messages: string[] = [];

  beforeAll(async () => {
    file = newerReleaseCopy();
    before = catalog(file.path);
    rowsBefore = snapshot(file.path);
    sequencesBefore = sequences(file.path);
    const logger = {
      logQuery() {},
      logQueryError() {},
      logQuerySlow() {},
      logSchemaBuild() {},
      logMigration: (message: string) => void messages.push(message),
      log: (level: string, message: unknown) => void messages.push(`${level}: ${String(message)}`),
    };
    const ds = await openTestDataSource('sqlite', { url: file.url, migrate: false, logger });
    expect((await ds.runMigrations()).map((m) => m.name)).toEqual(['Baseline1795608000000']);
    await ds.destroy();
    after = catalog(file.path);
  });

  it('rebuilds the known tables it has to (the file is a legacy one)', () => {
    for (const { table } of file.columns) expect([table, after.master.get(table)!.sql]).not.toEqual([table, before.master.get(table)!.sql]);
  });

  it('keeps every row and every stored value, of known and unknown tables and columns alike', () => {
    const afterRows = snapshot(file.path);
    afterRows.delete('typeorm_migrations');
    for (const table of [...afterRows.keys()]) if (!rowsBefore.has(table)) expect([table, afterRows.get(table)!.size]).toEqual([table, 0]);
    expectEveryRowKept(rowsBefore, afterRows);
    for (const [table, rows] of Object.entries(file.tables)) expect([table, afterRows.get(table)!.size]).toEqual([table, rows]);
  });

  it('keeps every AUTOINCREMENT counter, past deleted rows', () => {
    const after = sequences(file.path);
    for (const [table, seq] of Object.entries(sequencesBefore)) expect([table, after[table]]).toEqual([table, seq]);
    expect(sequencesBefore.audit_log).toBeGreaterThan(file.tables.audit_log);
  });

  it('leaves the tables, indexes, triggers and views of tables it does not own exactly as they were', () => {
    const foreign = [...before.master.values()].filter((o) => !OWN_TABLES.has(o.tbl_name) && o.name !== 'sqlite_sequence');
    expect(foreign.map((o) => o.name).sort()).toEqual(
      [...Object.keys(file.tables), ...file.unknownTableIndexes, ...file.unknownTableTriggers, ...file.views, 'schema_migrations'].sort(),
    );
    for (const object of foreign) expect(after.master.get(object.name)).toEqual(object);
    for (const table of Object.keys(file.tables)) {
      expect([table, after.columns.get(table)]).toEqual([table, before.columns.get(table)]);
      expect([table, after.indexes.get(table)]).toEqual([table, before.indexes.get(table)]);
    }
  });

  it('keeps every added column of a known table with its declaration exactly as written', () => {
    for (const { table, name, definition } of file.columns) {
      const info = (catalogOf: ReturnType<typeof catalog>) => catalogOf.columns.get(table)!.find((c) => c.name === name);
      expect(info(after)).toBeDefined();
      expect({ table, ...info(after) }).toEqual({ table, ...info(before) });
      expect([table, after.master.get(table)!.sql]).toEqual([table, expect.stringContaining(definition)]);
    }
    for (const { table, sql } of file.constraints) expect([table, after.master.get(table)!.sql]).toEqual([table, expect.stringContaining(sql)]);
  });

  it('keeps the indexes and triggers added to known tables exactly as written', () => {
    for (const name of [...file.knownTableIndexes, ...file.knownTableTriggers]) expect(after.master.get(name)).toEqual(before.master.get(name));
    for (const name of file.knownTableIndexes) {
      const table = before.master.get(name)!.tbl_name;
      const entry = (c: ReturnType<typeof catalog>) => c.indexes.get(table)!.find((i) => i.name === name);
      expect(entry(after)).toEqual(entry(before));
    }
  });

  it('still enforces and applies what it kept', () => {
    withDatabase(
      file.path,
      (db: Database.Database) => {
        // CHECK, NOT NULL and the DEFAULT of added columns.
        expect(() => db.exec(`UPDATE agent_public_links SET type = 'bogus'`)).toThrow(/CHECK constraint failed/);
        expect(() => db.exec(`UPDATE email_whitelist SET default_role = NULL`)).toThrow(/NOT NULL constraint failed: email_whitelist.default_role/);
        expect(() => db.exec(`UPDATE schedule_executions SET retry_count = -1`)).toThrow(/CHECK constraint failed/);
        expect(() => db.exec(`UPDATE agent_tags SET color = 'red'`)).toThrow(/CHECK constraint failed/);
        db.exec(`INSERT INTO email_whitelist (email, added_by, added_at, source) VALUES ('new@example.com', 'admin', '2026-05-01T00:00:00', 'manual')`);
        expect(db.prepare(`SELECT default_role FROM email_whitelist WHERE email = 'new@example.com'`).get()).toEqual({ default_role: 'user' });
        // COLLATE NOCASE of an added column.
        expect(db.prepare(`SELECT id FROM users WHERE locale = 'DE'`).all()).toEqual([{ id: 2 }]);
        // The partial UNIQUE index: a second live schedule of that name is refused, deleted ones are not.
        const twin = `INSERT INTO agent_schedules (id, agent_name, name, cron_expression, message, owner_id, created_at, updated_at, deleted_at)
                      VALUES (?, 'research-bot', 'Daily digest 📰', '0 8 * * *', 'digest', 2, '2026-05-01T00:00:00', '2026-05-01T00:00:00', ?)`;
        db.prepare(twin).run('deleted-copy', '2026-05-02T00:00:00');
        expect(() => db.prepare(twin).run('live-copy', null)).toThrow(/UNIQUE constraint failed/);
        // The triggers fire, the one on a new table writing to a rebuilt table too; the view reads the rebuilt table.
        db.exec(`UPDATE agent_ownership SET deleted_at = '2026-05-03T00:00:00' WHERE agent_name = 'ruby-writer'`);
        db.exec(`INSERT INTO agent_loops (id, agent_name, created_at) VALUES ('loop-3', 'cornelius', '2026-05-03T00:00:00')`);
        expect(db.prepare(`SELECT event_type, target FROM audit_log WHERE id > ? ORDER BY id`).all(sequencesBefore.audit_log)).toEqual([
          { event_type: 'agent_deleted', target: 'ruby-writer' },
          { event_type: 'loop_started', target: 'cornelius' },
        ]);
        expect(db.prepare(`SELECT autonomy_enabled FROM agent_ownership WHERE agent_name = 'cornelius'`).get()).toEqual({ autonomy_enabled: 1 });
        expect((db.prepare(`SELECT agent_name FROM live_agents ORDER BY agent_name`).all() as { agent_name: string }[]).map((r) => r.agent_name)).not.toContain(
          'ruby-writer',
        );
      },
      false,
    );
  });

  it('reports what it kept', () => {
    const kept = (prefix: string) => messages.filter((m) => m.startsWith(`warn: baseline: kept ${prefix}`)).map((m) => m.replace(/, which this release does not define$/, '').replace(`warn: baseline: kept ${prefix} `, ''));
    expect(kept('table').sort()).toEqual(Object.entries(file.tables).map(([t, n]) => `${t} (${n} rows)`).sort());
    expect(kept('column').sort()).toEqual(file.columns.map((c) => `${c.table}.${c.name}`).sort());
    expect(kept('index').sort()).toEqual(
      file.knownTableIndexes.map((i) => `${i} on ${before.master.get(i)!.tbl_name}`).sort(),
    );
    expect(kept('trigger')).toEqual(file.knownTableTriggers.map((t) => `${t} on ${before.master.get(t)!.tbl_name}`));
    expect(kept('constraint').sort()).toEqual(file.constraints.map((c) => `${c.sql} of ${c.table}`).sort());
    process.stdout.write(`  adoption of the newer release file:\n${messages.map((m) => `    ${m}`).join('\n')}\n`);
  });
});
