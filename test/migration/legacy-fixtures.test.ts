/**
 * Adoption of every legacy trinity.db in test/fixtures/legacy (SQLite only: legacy files are SQLite).
 * Checks the manifest's row counts, sequences and recorded values after migrating, that no stored
 * value changed, and that the result has exactly the schema of a fresh baseline.
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';
import { BASELINE_TABLES } from '../../src/migration/sqlite/baseline-schema';
import { createOrAdoptSchema } from '../../src/migration/sqlite/legacy-adoption';
import { cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { LEGACY_DIR, legacyManifest } from '../support/fixtures';
import { schemaObjects, sequences, snapshot, withDatabase, type Snapshot } from '../support/sqlite-snapshot';

interface ManifestCheck {
  table: string;
  pk: Record<string, unknown>;
  values: Record<string, unknown>;
  types: Record<string, string>;
  digests?: Record<string, { sha256: string; chars: number; utf8_bytes: number; prefix: string }>;
}
interface ManifestFile {
  file: string;
  size_bytes: number;
  sha256: string;
  row_counts: Record<string, number>;
  sqlite_sequence: Record<string, number>;
  checks: ManifestCheck[];
}

const manifest: { files: ManifestFile[] } = legacyManifest();
const OWN_TABLES = BASELINE_TABLES.map((t) => t.name);

afterAll(cleanupTestDatabases);

/** Rows the adoption adds on purpose (legacy data steps), predicted from the data before migrating. */
function expectedAdditions(file: string): Record<string, number> {
  return withDatabase(file, (db) => {
    const has = (t: string) => !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t);
    const additions: Record<string, number> = {};
    const backfillDone = has('schema_migrations') && !!db.prepare(`SELECT 1 FROM schema_migrations WHERE name = 'setup_completed_backfill'`).get();
    const setupKnown = !!db.prepare(`SELECT 1 FROM system_settings WHERE key = 'setup_completed'`).get();
    const adminWithPassword = !!db.prepare(`SELECT 1 FROM users WHERE username = 'admin' AND coalesce(password_hash, '') != ''`).get();
    if (!backfillDone && !setupKnown && adminWithPassword) additions.system_settings = 1;
    if (!has('slack_workspaces') && has('slack_link_connections')) {
      additions.slack_workspaces = (db.prepare(`SELECT COUNT(*) AS n FROM slack_link_connections`).get() as { n: number }).n;
    }
    return additions;
  });
}

function expectNoStoredValueChanged(before: Snapshot, after: Snapshot): void {
  for (const [table, rows] of before) {
    const afterRows = after.get(table);
    expect(afterRows).toBeDefined();
    for (const [key, record] of rows) {
      const afterRecord = afterRows!.get(key);
      if (!afterRecord) throw new Error(`${table} lost row ${key}`);
      for (const [column, stored] of Object.entries(record)) {
        expect({ table, key, column, ...afterRecord[column] }).toEqual({ table, key, column, ...stored });
      }
    }
  }
}

let freshSchema: ReturnType<typeof schemaObjects>;

beforeAll(async () => {
  const fresh = await openTestDataSource('sqlite');
  const file = (fresh.options as { database: string }).database;
  await fresh.destroy();
  freshSchema = schemaObjects(file, OWN_TABLES);
});

describe.each(manifest.files.map((f) => [f.file, f] as const))('legacy fixture %s', (fileName, expected) => {
  const copy = legacyFixtureCopy(fileName);
  let before: Snapshot;
  let additions: Record<string, number>;

  beforeAll(async () => {
    before = snapshot(copy.path);
    additions = expectedAdditions(copy.path);
    const started = performance.now();
    const ds = await openTestDataSource('sqlite', { url: copy.url, migrate: false });
    const applied = await ds.runMigrations();
    // Measured, never asserted (speed belongs to bench/).
    process.stdout.write(`  ${fileName}: migrated in ${(performance.now() - started).toFixed(0)} ms\n`);
    expect(applied.map((m) => m.name)).toEqual(['Baseline1795608000000']);
    const drift = await ds.driver.createSchemaBuilder().log();
    expect(drift.upQueries.map((q) => q.query)).toEqual([]);
    await ds.destroy();
  });

  it('is, byte for byte, the file the manifest describes', () => {
    const bytes = readFileSync(path.join(LEGACY_DIR, fileName));
    expect({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({ size: expected.size_bytes, sha256: expected.sha256 });
  });

  it('is the manifest file as recorded before migrating', () => {
    for (const [table, count] of Object.entries(expected.row_counts)) expect([table, before.get(table)?.size]).toEqual([table, count]);
  });

  it('keeps every row: manifest row counts plus only the legacy data steps', () => {
    const after = snapshot(copy.path);
    for (const [table, count] of Object.entries(expected.row_counts)) {
      expect([table, after.get(table)?.size]).toEqual([table, count + (additions[table] ?? 0)]);
    }
    for (const [table, added] of Object.entries(additions)) {
      if (!(table in expected.row_counts)) expect([table, after.get(table)?.size]).toEqual([table, added]);
    }
    // Every other application table exists and is empty.
    for (const table of OWN_TABLES) {
      if (!(table in expected.row_counts) && !(table in additions)) expect([table, after.get(table)?.size]).toEqual([table, 0]);
    }
  });

  it('changes no stored value and keeps schema_migrations as it was', () => {
    expectNoStoredValueChanged(before, snapshot(copy.path));
  });

  it('keeps every AUTOINCREMENT counter', () => {
    const after = sequences(copy.path);
    for (const [table, seq] of Object.entries(expected.sqlite_sequence)) expect([table, after[table]]).toEqual([table, seq]);
  });

  it('still holds every value the manifest recorded, with its SQLite type', () => {
    withDatabase(copy.path, (db) => {
      for (const check of expected.checks) {
        const where = Object.keys(check.pk).map((c) => `"${c}" = ?`).join(' AND ');
        const columns = [...new Set([...Object.keys(check.values), ...Object.keys(check.types), ...Object.keys(check.digests ?? {})])];
        const select = columns.flatMap((c) => [`"${c}" AS "v:${c}"`, `typeof("${c}") AS "t:${c}"`]).join(', ');
        const row = db.prepare(`SELECT ${select} FROM "${check.table}" WHERE ${where}`).get(...Object.values(check.pk)) as Record<string, unknown>;
        expect(row).toBeDefined();
        for (const [column, value] of Object.entries(check.values)) expect([check.table, column, row[`v:${column}`]]).toEqual([check.table, column, value]);
        for (const [column, type] of Object.entries(check.types)) expect([check.table, column, row[`t:${column}`]]).toEqual([check.table, column, type]);
        for (const [column, digest] of Object.entries(check.digests ?? {})) {
          const text = String(row[`v:${column}`]);
          expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(digest.sha256);
          expect(Buffer.byteLength(text, 'utf8')).toBe(digest.utf8_bytes);
        }
      }
    });
  });

  it('has exactly the schema of a fresh baseline', () => {
    expect(schemaObjects(copy.path, OWN_TABLES)).toEqual(freshSchema);
  });

  it('is left unchanged by a second adoption pass', async () => {
    const schemaBefore = schemaObjects(copy.path, OWN_TABLES);
    const rowsBefore = snapshot(copy.path);
    const ds = await openTestDataSource('sqlite', { url: copy.url, migrate: false });
    expect(await ds.showMigrations()).toBe(false); // nothing pending
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    const report = await createOrAdoptSchema(runner, BASELINE_TABLES);
    await runner.commitTransaction();
    await runner.release();
    await ds.destroy();
    expect(report).toEqual({
      fresh: false,
      created: [],
      rebuilt: [],
      indexesCreated: [],
      unknownTablesKept: [],
      unknownColumnsKept: [],
      unknownObjectsKept: [],
      dataSteps: [],
    });
    expect(schemaObjects(copy.path, OWN_TABLES)).toEqual(schemaBefore);
    expect(snapshot(copy.path)).toEqual(rowsBefore);
  });
});
