/** One table of a baseline schema, frozen as DDL text. */
export interface BaselineTable {
  name: string;
  /** Column names in canonical order. */
  columns: string[];
  create: string;
  /** CREATE INDEX statements under the legacy index names. */
  indexes: string[];
}

/** Name of an index from its CREATE INDEX statement. */
export function indexName(createIndex: string): string {
  const match = /^CREATE INDEX "([^"]+)"/.exec(createIndex);
  if (!match) throw new Error(`not a CREATE INDEX statement: ${createIndex}`);
  return match[1];
}
