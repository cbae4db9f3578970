/** Raw views of a SQLite file (better-sqlite3, read-only), to compare a database before and after migrating. */
import Database from 'better-sqlite3';

export interface StoredValue {
  type: string;
  value: unknown;
}

/** Every row of every table, keyed by table then by primary key, with each column's value and SQLite typeof. */
export type Snapshot = Map<string, Map<string, Record<string, StoredValue>>>;

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export function withDatabase<T>(file: string, fn: (db: Database.Database) => T, readonly = true): T {
  const db = new Database(file, { readonly, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export function tableNames(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map(
    (r) => r.name,
  );
}

export function snapshot(file: string): Snapshot {
  return withDatabase(file, (db) => {
    const result: Snapshot = new Map();
    for (const table of tableNames(db)) {
      const info = db.prepare(`SELECT name, pk FROM pragma_table_info(?)`).all(table) as { name: string; pk: number }[];
      const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      const keyColumns = pk.length ? pk : ['rowid'];
      const selects = info.flatMap((c) => [`${quote(c.name)} AS ${quote('v:' + c.name)}`, `typeof(${quote(c.name)}) AS ${quote('t:' + c.name)}`]);
      const rows = db.prepare(`SELECT ${keyColumns.map(quote).join(', ')}, ${selects.join(', ')} FROM ${quote(table)}`).all() as Record<string, unknown>[];
      const byKey = new Map<string, Record<string, StoredValue>>();
      for (const row of rows) {
        const record: Record<string, StoredValue> = {};
        for (const c of info) record[c.name] = { type: String(row['t:' + c.name]), value: row['v:' + c.name] };
        byKey.set(JSON.stringify(keyColumns.map((k) => row[k])), record);
      }
      result.set(table, byKey);
    }
    return result;
  });
}

/** Schema objects (tables and indexes) as SQLite stores them, for the given tables. */
export function schemaObjects(file: string, tables: string[]): { type: string; name: string; tbl_name: string; sql: string | null }[] {
  return withDatabase(file, (db) =>
    (db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY type, name`).all() as {
      type: string;
      name: string;
      tbl_name: string;
      sql: string | null;
    }[]).filter((o) => tables.includes(o.tbl_name)),
  );
}

export function sequences(file: string): Record<string, number> {
  return withDatabase(file, (db) => {
    const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`).get();
    if (!exists) return {};
    const rows = db.prepare(`SELECT name, seq FROM sqlite_sequence`).all() as { name: string; seq: number }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.seq]));
  });
}
