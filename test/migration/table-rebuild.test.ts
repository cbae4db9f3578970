/**
 * rebuildTable (src/migration/sqlite/table-rebuild.ts), the one SQLite table rebuild of the
 * adoption and of generated migrations, and the CREATE TABLE reader it relies on. SQLite only.
 */
import type { QueryRunner } from 'typeorm';
import type { TrinityDataSource } from '../../src/data-source';
import { MigrationError } from '../../src/errors';
import { identifiersIn, parseCreateTable, parseIndexName } from '../../src/migration/sqlite/table-definition';
import { rebuildTable } from '../../src/migration/sqlite/table-rebuild';
import { cleanupTestDatabases, openTestDataSource } from '../support/databases';

afterAll(cleanupTestDatabases);

describe('parseCreateTable', () => {
  it('splits columns and table constraints as written, through quotes, comments and nested parentheses', () => {
    const sql = `CREATE TABLE IF NOT EXISTS main."we""ird" ( -- a comment, with a comma
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      [note, text] TEXT DEFAULT 'a, (b)' CHECK (length([note, text]) < 10), /* one, more */
      \`x\` REAL NOT NULL DEFAULT (1.5) COLLATE NOCASE,
      CONSTRAINT positive CHECK (id > 0 AND x <> ','),
      UNIQUE ("x", [note, text])
    ) WITHOUT ROWID`;
    expect(parseCreateTable(sql)).toEqual({
      name: 'we"ird',
      columns: [
        { name: 'id', sql: 'id INTEGER PRIMARY KEY AUTOINCREMENT' },
        { name: 'note, text', sql: `[note, text] TEXT DEFAULT 'a, (b)' CHECK (length([note, text]) < 10)` },
        { name: 'x', sql: '`x` REAL NOT NULL DEFAULT (1.5) COLLATE NOCASE' },
      ],
      constraints: [
        { kind: 'check', sql: `CONSTRAINT positive CHECK (id > 0 AND x <> ',')` },
        { kind: 'unique', sql: 'UNIQUE ("x", [note, text])' },
      ],
      options: 'WITHOUT ROWID',
    });
  });

  it('refuses what is not a plain CREATE TABLE', () => {
    expect(() => parseCreateTable('CREATE TABLE t AS SELECT 1')).toThrow(MigrationError);
    expect(() => parseCreateTable(`CREATE TABLE t (a TEXT DEFAULT 'open`)).toThrow(/unterminated/);
  });

  it('finds identifiers but not string literals, and index names', () => {
    expect([...identifiersIn(`CHECK ("Type" IN ('loop_id', 'x'))`)]).toEqual(['check', 'type', 'in']);
    expect(parseIndexName('CREATE UNIQUE INDEX IF NOT EXISTS "idx_a" ON t (a) WHERE b IS NULL')).toBe('idx_a');
    expect(parseIndexName('CREATE INDEX main.idx_b ON t(a)')).toBe('idx_b');
  });
});

describe('rebuildTable', () => {
  let ds: TrinityDataSource;
  let qr: QueryRunner;

  const OLD = `CREATE TABLE "items" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" text NOT NULL, "note" text)`;
  const UNKNOWN = `colour TEXT NOT NULL DEFAULT 'red' CHECK (colour IN ('red', 'blue')) COLLATE NOCASE`;
  const NEW = `CREATE TABLE "items" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" text NOT NULL, "note" text DEFAULT ('none'), "rank" integer NOT NULL DEFAULT (0))`;

  beforeEach(async () => {
    ds = await openTestDataSource('sqlite', { migrate: false });
    qr = ds.createQueryRunner();
    for (const sql of [
      OLD,
      `ALTER TABLE items ADD COLUMN ${UNKNOWN}`,
      `CREATE INDEX idx_items_colour ON items (colour) WHERE colour <> 'red'`,
      `CREATE INDEX "idx_items_name" ON "items" ("name")`,
      `CREATE TABLE log (what TEXT)`,
      `CREATE TRIGGER trg_items_insert AFTER INSERT ON items BEGIN INSERT INTO log VALUES ('item ' || new.name); END`,
      `CREATE TRIGGER trg_log_insert AFTER INSERT ON log WHEN new.what = 'touch' BEGIN UPDATE items SET note = 'touched'; END`,
      `CREATE VIEW blue_items AS SELECT id, name FROM items WHERE colour = 'blue'`,
      `INSERT INTO items (name, note, colour) VALUES ('a', 'n1', 'BLUE'), ('b', NULL, 'red'), ('c', 'n3', 'blue')`,
      `DELETE FROM items WHERE name = 'c'`,
    ]) {
      await qr.query(sql);
    }
  });

  afterEach(async () => {
    await qr.release();
  });

  const master = () => qr.query(`SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name`);
  const rows = () => qr.query(`SELECT * FROM items ORDER BY id`);

  it('changes the shape and keeps rows, ids, the counter, the unknown column, its index, the triggers and the view', async () => {
    const before = await master();
    const result = await rebuildTable(qr, { table: 'items', create: NEW, indexes: [`CREATE INDEX "idx_items_rank" ON "items" ("rank")`], dropIndexes: ['idx_items_name'] });
    expect(result).toEqual({
      table: 'items',
      rows: 2,
      keptColumns: ['colour'],
      keptConstraints: [],
      keptIndexes: ['idx_items_colour'],
      keptTriggers: ['trg_items_insert'],
      droppedColumns: [],
    });
    const [{ sql }] = await qr.query(`SELECT sql FROM sqlite_master WHERE name = 'items'`);
    expect(sql).toBe(`${NEW.slice(0, -1)}, ${UNKNOWN})`);
    expect(await rows()).toEqual([
      { id: 1, name: 'a', note: 'n1', rank: 0, colour: 'BLUE' },
      { id: 2, name: 'b', note: null, rank: 0, colour: 'red' },
    ]);
    const after = await master();
    const byName = (list: { name: string }[], name: string) => list.find((o) => o.name === name);
    for (const name of ['idx_items_colour', 'trg_items_insert', 'trg_log_insert', 'blue_items', 'log']) expect(byName(after, name)).toEqual(byName(before, name));
    expect(byName(after, 'idx_items_name')).toBeUndefined();
    expect(byName(after, 'idx_items_rank')).toBeDefined();

    // The counter was 3 (a deleted row): the next id is 4, never 3 again.
    await qr.query(`INSERT INTO items (name) VALUES ('d')`);
    expect(await qr.query(`SELECT id, colour, note FROM items WHERE name = 'd'`)).toEqual([{ id: 4, colour: 'red', note: 'none' }]);
    expect(await qr.query(`SELECT what FROM log`)).toEqual([{ what: 'item a' }, { what: 'item b' }, { what: 'item c' }, { what: 'item d' }]);
    await qr.query(`INSERT INTO log VALUES ('touch')`);
    expect(await qr.query(`SELECT DISTINCT note FROM items`)).toEqual([{ note: 'touched' }]);
    await expect(qr.query(`UPDATE items SET colour = 'green'`)).rejects.toThrow(/CHECK constraint failed/);
    expect(await qr.query(`SELECT name FROM blue_items`)).toEqual([{ name: 'a' }]);
  });

  it('moves the values of a renamed column', async () => {
    await qr.query('DROP TRIGGER trg_log_insert'); // it uses the old name
    const renamed = NEW.replace('"note" text', '"remark" text');
    await rebuildTable(qr, { table: 'items', create: renamed, renamedColumns: { remark: 'note' } });
    expect(await qr.query(`SELECT id, remark FROM items ORDER BY id`)).toEqual([
      { id: 1, remark: 'n1' },
      { id: 2, remark: null },
    ]);
  });

  async function expectNothingChanged(work: Promise<unknown>, message: RegExp): Promise<void> {
    const [schemaBefore, rowsBefore] = [await master(), await rows()];
    const error = await work.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/nothing was changed$/);
    expect(await master()).toEqual(schemaBefore);
    expect(await rows()).toEqual(rowsBefore);
  }

  it('refuses to drop a column that a trigger, an index or a view still uses', async () => {
    const withoutNote = NEW.replace(', "note" text DEFAULT (\'none\')', '');
    await expectNothingChanged(rebuildTable(qr, { table: 'items', create: withoutNote, dropColumns: ['note'] }), /trigger trg_log_insert uses note/);
    await qr.query('DROP TRIGGER trg_log_insert');
    const withoutColour = NEW;
    await expectNothingChanged(rebuildTable(qr, { table: 'items', create: withoutColour, dropColumns: ['colour'] }), /index idx_items_colour uses colour/);
    await qr.query('DROP INDEX idx_items_colour');
    await expectNothingChanged(rebuildTable(qr, { table: 'items', create: withoutColour, dropColumns: ['colour'] }), /view blue_items uses colour/);
    await qr.query('DROP VIEW blue_items');
    const result = await rebuildTable(qr, { table: 'items', create: withoutColour, dropColumns: ['colour'] });
    expect(result.droppedColumns).toEqual(['colour']);
    expect(result.keptColumns).toEqual([]);
  });

  it('is atomic inside the caller transaction: a copy that fails changes nothing and the transaction goes on', async () => {
    await qr.startTransaction();
    await qr.query(`INSERT INTO log VALUES ('before')`);
    const strict = NEW.replace('"rank" integer NOT NULL DEFAULT (0)', '"rank" integer NOT NULL');
    await expectNothingChanged(rebuildTable(qr, { table: 'items', create: strict }), /its rows cannot be copied into the new shape \(NOT NULL constraint failed: items\.rank\)/);
    await qr.query(`INSERT INTO log VALUES ('after')`);
    await qr.commitTransaction();
    expect(await qr.query(`SELECT what FROM log WHERE what IN ('before', 'after')`)).toEqual([{ what: 'before' }, { what: 'after' }]);
    expect(await qr.query(`SELECT name FROM sqlite_master WHERE name LIKE '__trinity_rebuild_%'`)).toEqual([]);
  });

  it('refuses to run while foreign keys are enforced (dropping the old table would touch other tables)', async () => {
    await qr.query('PRAGMA foreign_keys = ON');
    try {
      await expectNothingChanged(rebuildTable(qr, { table: 'items', create: NEW }), /foreign keys are enforced/);
    } finally {
      await qr.query('PRAGMA foreign_keys = OFF');
    }
  });
});
