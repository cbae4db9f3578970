/**
 * `verify` compares in API terms: SQLite 1 equals PostgreSQL true, two spellings of one instant are
 * equal, JSON key order and spacing do not matter; one microsecond or one changed value is a
 * difference. Also the value conversions of `copy` (unit level) and the PostgreSQL-rejection path.
 */
import Database from 'better-sqlite3';
import { CopyError, convertValue, copyDatabase } from '../../src/cli/copy';
import { migrateDatabase } from '../../src/cli/migrate';
import { progressDisplay } from '../../src/cli/output';
import { parseTimestampMicros } from '../../src/cli/table-rows';
import { verifyDatabases } from '../../src/cli/verify';
import type { ColumnSpec } from '../../src/entity/columns';
import { cleanupTestDatabases, createPostgresDatabase, emptyDatabaseUrl } from '../support/databases';
import { pgCounts, withPg } from './support/cli';

afterAll(cleanupTestDatabases);

interface Spelling {
  createdAt: string;
  isSystem: number | boolean;
  config: string;
}

const SPELLING_A: Spelling = { createdAt: '2026-03-01T10:00:00Z', isSystem: 1, config: '{"paths": ["/a", "/b"], "enabled": true}' };
const SPELLING_B: Spelling = { createdAt: '2026-03-01T10:00:00.000000+00:00', isSystem: true, config: '{"enabled":true,"paths":["/a","/b"]}' };
const SPELLING_C: Spelling = { createdAt: '2026-03-01 11:00:00+01:00', isSystem: 1, config: '{"enabled": true, "paths": ["/a", "/b"]}' };

async function sqliteWith(row: Spelling): Promise<{ url: string; file: string }> {
  const url = await emptyDatabaseUrl('sqlite');
  await migrateDatabase(url);
  const file = url.replace(/^sqlite:\/\//, '');
  const db = new Database(file);
  try {
    db.prepare(`INSERT INTO users (id, username, role, created_at, updated_at) VALUES (1, 'admin', 'admin', ?, ?)`).run(row.createdAt, row.createdAt);
    db.prepare(`INSERT INTO agent_ownership (id, agent_name, owner_id, created_at, is_system, read_only_config) VALUES (1, 'alpha', 1, ?, ?, ?)`).run(
      row.createdAt,
      row.isSystem === true ? 1 : row.isSystem,
      row.config,
    );
  } finally {
    db.close();
  }
  return { url, file };
}

async function postgresWith(row: Spelling): Promise<string> {
  const url = await createPostgresDatabase();
  await migrateDatabase(url);
  await withPg(url, async (c) => {
    await c.query(`INSERT INTO users (id, username, role, created_at, updated_at) VALUES (1, 'admin', 'admin', $1, $1)`, [row.createdAt]);
    await c.query(`INSERT INTO agent_ownership (id, agent_name, owner_id, created_at, is_system, read_only_config) VALUES (1, 'alpha', 1, $1, $2, $3)`, [
      row.createdAt,
      row.isSystem === true || row.isSystem === 1,
      row.config,
    ]);
  });
  return url;
}

describe('verify in API terms', () => {
  it('treats 1/true, two spellings of one instant and reordered JSON as equal, on every driver pair', async () => {
    const sqliteA = await sqliteWith(SPELLING_A);
    const sqliteC = await sqliteWith(SPELLING_C);
    const pgB = await postgresWith(SPELLING_B);
    const pgA = await postgresWith(SPELLING_A);
    for (const [from, to] of [
      [sqliteA.url, pgB],
      [sqliteA.url, sqliteC.url],
      [pgA, pgB],
      [pgB, sqliteC.url],
    ]) {
      const report = await verifyDatabases(from, to);
      expect({ from, to, differing: report.differing, ok: report.ok }).toEqual({ from, to, differing: [], ok: true });
      expect(report.tables.find((t) => t.table === 'users')).toMatchObject({ sourceRows: 1, targetRows: 1, equal: true });
    }
  });

  it('finds one microsecond, a flipped boolean and a changed JSON value, with example keys', async () => {
    const sqliteA = await sqliteWith(SPELLING_A);
    const pg = await postgresWith(SPELLING_B);
    await withPg(pg, async (c) => {
      await c.query(`UPDATE users SET updated_at = updated_at + interval '1 microsecond'`);
      await c.query(`UPDATE agent_ownership SET is_system = false`);
    });
    let report = await verifyDatabases(sqliteA.url, pg);
    expect(report.differing).toEqual(['users', 'agent_ownership']);
    // The differing column is named, for the one changed column and for the other table's flag.
    expect(report.tables.find((t) => t.table === 'users')!.examples).toEqual(['id=1 (differs: updated_at)']);
    expect(report.tables.find((t) => t.table === 'users')!.differences).toEqual([{ key: 'id=1', kind: 'differs', columns: ['updated_at'] }]);
    expect(report.tables.find((t) => t.table === 'agent_ownership')!.differences[0].columns).toEqual(['is_system']);

    await withPg(pg, async (c) => {
      await c.query(`UPDATE users SET updated_at = created_at`);
      await c.query(`UPDATE agent_ownership SET is_system = true, read_only_config = '{"enabled": true, "paths": ["/a"]}'`);
      await c.query(`INSERT INTO agent_tags (agent_name, tag, created_at) VALUES ('alpha', 'extra', now())`);
    });
    report = await verifyDatabases(sqliteA.url, pg);
    expect(report.differing).toEqual(['agent_ownership', 'agent_tags']);
    expect(report.tables.find((t) => t.table === 'agent_ownership')!.differences[0].columns).toEqual(['read_only_config']);
    expect(report.tables.find((t) => t.table === 'agent_tags')).toMatchObject({ sourceRows: 0, targetRows: 1, extraInTarget: 1, examples: ['agent_name=alpha, tag=extra (only in target)'] });
  });
});

describe('copy value conversion', () => {
  const column = (kind: ColumnSpec['kind'], extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
    propertyName: 'x',
    name: 'x',
    kind,
    nullable: true,
    primary: false,
    ...extra,
  });

  it('parses every legacy timestamp shape at microsecond precision', () => {
    const cases: [string, string, bigint][] = [
      ['2026-04-01T14:59:29.123456', '2026-04-01T14:59:29.123456+00:00', 1775055569123456n],
      ['2026-04-01T14:59:29.123456Z', '2026-04-01T14:59:29.123456+00:00', 1775055569123456n],
      ['2026-04-01T14:59:29+00:00', '2026-04-01T14:59:29.000000+00:00', 1775055569000000n],
      ['2026-04-02T09:00:00+02:00', '2026-04-02T09:00:00.000000+02:00', 1775113200000000n],
      ['2026-04-01 14:59:29', '2026-04-01T14:59:29.000000+00:00', 1775055569000000n],
      ['2026-04-01T14:59:29.123456789-0530', '2026-04-01T14:59:29.123456-05:30', 1775055569123456n + 19_800_000_000n],
    ];
    for (const [text, iso, micros] of cases) expect(parseTimestampMicros(text)).toEqual({ iso, micros });
    for (const text of ['yesterday', '2026-02-30T00:00:00', '2026-04-01T24:00:00', '']) expect(parseTimestampMicros(text)).toBeNull();
  });

  it('rejects what PostgreSQL cannot hold: bad booleans, NULL in NOT NULL, out-of-range integers, NUL in JSON and text', () => {
    expect(convertValue(column('bool'), 1n)).toBe(true);
    expect(convertValue(column('bool'), 0n)).toBe(false);
    expect(() => convertValue(column('bool'), 2n)).toThrow('expected a boolean stored as 0 or 1');
    expect(() => convertValue(column('text', { nullable: false }), null)).toThrow('NULL in a NOT NULL column');
    expect(convertValue(column('int'), 2147483647n)).toBe(2147483647);
    expect(() => convertValue(column('int'), 2147483648n)).toThrow('out of range for PostgreSQL integer');
    expect(convertValue(column('bigint'), 9007199254740993n)).toBe('9007199254740993');
    expect(() => convertValue(column('int'), 1.5)).toThrow('expected an integer');
    expect(convertValue(column('json'), '{"a": 1}')).toBe('{"a": 1}');
    expect(() => convertValue(column('json'), '{"a": "\\u0000"}')).toThrow('NUL character');
    expect(() => convertValue(column('json'), '{"a": "\\ud800"}')).toThrow('lone UTF-16 surrogate');
    expect(() => convertValue(column('json'), 'NaN')).toThrow('invalid JSON');
    expect(() => convertValue(column('text'), 'a\u0000b')).toThrow('NUL character');
  });

  it('a row PostgreSQL itself rejects (a JSON number beyond numeric) is named by table and key, and nothing is copied', async () => {
    const { url, file } = await sqliteWith(SPELLING_A);
    const db = new Database(file);
    db.prepare(
      `INSERT INTO agent_events (id, source_agent, event_type, payload, subscriptions_triggered, created_at) VALUES ('evt-huge', 'alpha', 'x', '{"x": 1e200000}', 0, '2026-01-01T00:00:00Z')`,
    ).run();
    db.close();
    const target = await createPostgresDatabase();
    const error = await copyDatabase({ from: url, to: target }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopyError);
    expect((error as CopyError).invalid).toEqual([
      { table: 'agent_events', key: 'id=evt-huge', column: undefined, reason: 'PostgreSQL rejected the row: a number is out of range for its PostgreSQL column type' },
    ]);
    expect(Object.values(await pgCounts(target)).every((n) => n === 0)).toBe(true);

    const skipped = await copyDatabase({ from: url, to: target, skipInvalid: true });
    expect(skipped.skipped.map((r) => r.key)).toEqual(['id=evt-huge']);
    expect(skipped.verify).toMatchObject({ ok: true, excludedRows: 1 });
    expect(await pgCounts(target)).toMatchObject({ users: 1, agent_ownership: 1, agent_events: 0 });
  });

  it('a timestamp Python cannot read (year 0) is named by table, key and column, and nothing is copied', async () => {
    const { url, file } = await sqliteWith(SPELLING_A);
    const db = new Database(file);
    db.prepare(`INSERT INTO agent_tags (agent_name, tag, created_at) VALUES ('alpha', 'ancient', '0000-01-01T00:00:00Z')`).run();
    db.close();
    const target = await createPostgresDatabase();
    const error = await copyDatabase({ from: url, to: target }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopyError);
    expect((error as CopyError).invalid).toEqual([{ table: 'agent_tags', key: 'agent_name=alpha, tag=ancient', column: 'created_at', reason: 'created_at: not a timestamp: "0000-01-01T00:00:00Z"' }]);
    expect(Object.values(await pgCounts(target)).every((n) => n === 0)).toBe(true);
  });

  it('the progress display draws a bar on a terminal and plain lines otherwise', () => {
    const written = (tty: boolean) => {
      let text = '';
      const stream = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
      const display = progressDisplay(stream, tty);
      display.update({ table: 'users', tableIndex: 0, tableCount: 2, done: 5, total: 5, overallDone: 5, overallTotal: 10, finished: true });
      display.end();
      return text;
    };
    expect(written(true)).toMatch(/^\r\[#{15}-{15}\]  50%  5\/10 rows  table 1\/2 users\s*\n$/);
    expect(written(false)).toBe('copied users (1/2): 5/5 rows; 5/10 overall\n');
  });
});
