/**
 * A one-row INSERT that takes an id only when it inserts a row.
 *
 * Ids are part of the API (returned and listed), and the Python layer's duplicates were plain
 * INSERTs that failed: on SQLite a failed statement leaves the AUTOINCREMENT counter alone, so the
 * next row got the next id. `INSERT OR IGNORE` / `ON CONFLICT DO NOTHING` advance that counter for a
 * skipped row on SQLite, and on PostgreSQL every INSERT that fails or is skipped takes a sequence
 * value. `INSERT … SELECT … WHERE NOT EXISTS` forms no row for a duplicate, so nothing is taken on
 * either driver.
 *
 * On PostgreSQL two callers racing on one key could both pass NOT EXISTS (the loser would fail on
 * the unique constraint and take a value): run it in a transaction under the key's lock
 * (SqlFragments.keyLock), as the repositories do.
 */
export function insertUnlessExists(table: string, row: Record<string, unknown>, key: readonly string[], returning?: string): [string, unknown[]] {
  const columns = Object.keys(row);
  const sql =
    `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.map(() => '?').join(', ')}` +
    ` WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE ${key.map((column) => `${column} = ?`).join(' AND ')})` +
    (returning ? ` RETURNING ${returning}` : '');
  return [sql, [...columns.map((column) => row[column]), ...key.map((column) => row[column])]];
}
