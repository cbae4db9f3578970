/**
 * Keeps the entity mapping complete: the TypeORM metadata of each driver, the decorator registry and
 * the migrated physical schema are compared with test/fixtures/reference/schema.json (the reference Python schema).
 * A table, column, constraint or index added on one side only makes this test fail.
 */
import { MIGRATIONS_TABLE, type TrinityDataSource } from '../../src/data-source';
import { COLUMN_KINDS, type Driver } from '../../src/dialect';
import { CURRENT_TIMESTAMP, registeredTables, tableSpecOf, type ColumnDefault, type ColumnKind } from '../../src/entity/columns';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';
import { readFixtureJson } from '../support/fixtures';

// ---------------------------------------------------------------------------------------------
// schema.json
// ---------------------------------------------------------------------------------------------

interface SpecColumn {
  name: string;
  sqlite_type: 'TEXT' | 'INTEGER' | 'REAL';
  nullable: boolean;
  default: string | null;
  primary_key: boolean;
  autoincrement: boolean;
  unique: boolean;
  semantic: string;
  timestamp_formats?: string[];
}
interface SpecIndex {
  name: string;
  columns: string[];
}
interface SpecTable {
  table: string;
  columns: SpecColumn[];
  table_constraints: { type: string; columns: string[] }[];
  indexes: SpecIndex[];
}

const SCHEMA = readFixtureJson('reference', 'schema.json') as { tables: SpecTable[] };

/** The 43 application tables: everything except the legacy migration bookkeeping table. */
const APP_TABLES = SCHEMA.tables.filter((t) => t.table !== 'schema_migrations');
const APP_COLUMNS = APP_TABLES.flatMap((t) => t.columns.map((c) => ({ table: t.table, ...c })));

/**
 * INTEGER columns whose values may exceed 2^31 (Telegram update ids), mapped to BigIntColumn so
 * PostgreSQL stores them as bigint. Every other INTEGER int column must be kind 'int' (or 'id').
 */
const BIGINT_COLUMNS = new Set(['telegram_bindings.last_update_id']);

/** The column kind a schema.json column must have (semantic type -> registry kind). */
function expectedKind(table: string, column: SpecColumn): ColumnKind {
  switch (column.semantic) {
    case 'bool':
    case 'timestamp':
    case 'json':
    case 'real':
      return column.semantic;
    case 'int':
      if (column.primary_key && column.autoincrement) return 'id';
      return BIGINT_COLUMNS.has(`${table}.${column.name}`) ? 'bigint' : 'int';
    case 'text':
    case 'uuid-text':
    case 'enum-text':
    case 'secret-text':
      return 'text';
    default:
      throw new Error(`${table}.${column.name}: unexpected semantic ${column.semantic}`);
  }
}

/** A schema.json default literal ('x', 3, 0.0, CURRENT_TIMESTAMP; bools '0'/'1') as a comparable tag. */
function specDefault(column: SpecColumn): string {
  const literal = column.default;
  if (literal === null) return 'none';
  if (literal === 'CURRENT_TIMESTAMP') return 'CURRENT_TIMESTAMP';
  if (column.semantic === 'bool') {
    if (literal === '0' || literal === '1') return `bool:${literal === '1'}`;
    throw new Error(`${column.name}: unexpected bool default ${literal}`);
  }
  if (/^'.*'$/s.test(literal)) return `str:${literal.slice(1, -1).replace(/''/g, "'")}`;
  if (/^-?\d+(\.\d+)?$/.test(literal)) return `num:${Number(literal)}`;
  throw new Error(`${column.name}: unexpected default literal ${literal}`);
}

/** A registry default as the same tag. */
function registryDefault(value: ColumnDefault | undefined): string {
  if (value === undefined) return 'none';
  if (value === CURRENT_TIMESTAMP) return 'CURRENT_TIMESTAMP';
  if (typeof value === 'boolean') return `bool:${value}`;
  if (typeof value === 'number') return `num:${value}`;
  return `str:${String(value)}`;
}

function specPrimaryKey(table: SpecTable): string[] {
  const constraint = table.table_constraints.find((c) => c.type === 'PRIMARY KEY');
  return constraint ? constraint.columns : table.columns.filter((c) => c.primary_key).map((c) => c.name);
}

function specUniques(table: SpecTable): string[][] {
  return [
    ...table.columns.filter((c) => c.unique).map((c) => [c.name]),
    ...table.table_constraints.filter((c) => c.type === 'UNIQUE').map((c) => c.columns),
  ];
}

// ---------------------------------------------------------------------------------------------
// A driver-neutral shape of a schema, and the comparison
// ---------------------------------------------------------------------------------------------

interface ColumnShape {
  kind: string;
  nullable: boolean;
  default: string;
}
interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  /** Each UNIQUE constraint as 'a,b'. */
  uniques: string[];
  /** index name -> columns, 'col DESC' for descending ones (schema.json notation). */
  indexes: Record<string, string[]>;
}
type SchemaShape = Record<string, TableShape>;

function shapeFromSpec(tables: SpecTable[]): SchemaShape {
  const shape: SchemaShape = {};
  for (const table of tables) {
    const columns: Record<string, ColumnShape> = {};
    for (const c of table.columns) {
      columns[c.name] = { kind: expectedKind(table.table, c), nullable: c.nullable, default: specDefault(c) };
    }
    shape[table.table] = {
      columns,
      primaryKey: specPrimaryKey(table),
      uniques: specUniques(table).map((u) => u.join(',')),
      indexes: Object.fromEntries(table.indexes.map((i) => [i.name, i.columns])),
    };
  }
  return shape;
}

/** Names and column lists from TypeORM's metadata; kinds, defaults and DESC flags from the registry. */
function shapeFromMetadata(ds: TrinityDataSource): SchemaShape {
  const shape: SchemaShape = {};
  for (const meta of ds.entityMetadatas) {
    const spec = tableSpecOf(meta.target as Function);
    const columns: Record<string, ColumnShape> = {};
    for (const column of meta.columns) {
      const registered = spec.columns.find((c) => c.name === column.databaseName);
      columns[column.databaseName] = {
        kind: registered?.kind ?? '(not in registry)',
        nullable: column.isNullable,
        default: registryDefault(registered?.default),
      };
    }
    shape[meta.tableName] = {
      columns,
      primaryKey: meta.primaryColumns.map((c) => c.databaseName),
      uniques: meta.uniques.map((u) => u.columns.map((c) => c.databaseName).join(',')),
      indexes: Object.fromEntries(
        meta.indices.map((index) => {
          const descending = spec.indexes.find((i) => i.name === index.name)?.descending ?? [];
          return [index.name!, index.columns.map((c) => (descending.includes(c.databaseName) ? `${c.databaseName} DESC` : c.databaseName))];
        }),
      ),
    };
  }
  return shape;
}

function setDiff(label: string, expected: string[], actual: string[]): string[] {
  const diffs: string[] = [];
  for (const e of expected) if (!actual.includes(e)) diffs.push(`${label} missing: ${e}`);
  for (const a of actual) if (!expected.includes(a)) diffs.push(`${label} extra: ${a}`);
  return diffs;
}

/** Every difference between the expected (schema.json) and the actual shape, as readable lines. */
function compareSchemas(expected: SchemaShape, actual: SchemaShape): string[] {
  const diffs = setDiff('table', Object.keys(expected), Object.keys(actual));
  for (const name of Object.keys(expected).filter((t) => t in actual)) {
    const e = expected[name];
    const a = actual[name];
    diffs.push(...setDiff(`${name}: column`, Object.keys(e.columns), Object.keys(a.columns)));
    for (const column of Object.keys(e.columns).filter((c) => c in a.columns)) {
      for (const key of ['kind', 'nullable', 'default'] as const) {
        if (e.columns[column][key] !== a.columns[column][key]) {
          diffs.push(`${name}.${column}: ${key} expected ${e.columns[column][key]}, got ${a.columns[column][key]}`);
        }
      }
    }
    if (e.primaryKey.join(',') !== a.primaryKey.join(',')) {
      diffs.push(`${name}: primary key expected (${e.primaryKey.join(',')}), got (${a.primaryKey.join(',')})`);
    }
    diffs.push(...setDiff(`${name}: unique`, e.uniques, a.uniques));
    diffs.push(...setDiff(`${name}: index`, Object.keys(e.indexes), Object.keys(a.indexes)));
    for (const index of Object.keys(e.indexes).filter((i) => i in a.indexes)) {
      if (e.indexes[index].join(',') !== a.indexes[index].join(',')) {
        diffs.push(`${name}: index ${index} expected (${e.indexes[index].join(', ')}), got (${a.indexes[index].join(', ')})`);
      }
    }
  }
  return diffs;
}

/** The TypeORM metadata default a column must have on a driver, derived from the schema.json literal. */
function expectedMetadataDefault(driver: Driver, column: SpecColumn): string {
  const tag = specDefault(column);
  if (tag === 'none') return 'undefined';
  if (tag === 'CURRENT_TIMESTAMP') return 'sql:CURRENT_TIMESTAMP';
  const [type, value] = [tag.slice(0, tag.indexOf(':')), tag.slice(tag.indexOf(':') + 1)];
  // SQLite has no boolean type: a bool default is the integer 0/1 there.
  if (type === 'bool') return driver === 'sqlite' ? `number:${value === 'true' ? 1 : 0}` : `boolean:${value}`;
  return type === 'num' ? `number:${Number(value)}` : `string:${value}`;
}

function metadataDefault(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `sql:${(value as () => string)()}`;
  return `${typeof value}:${String(value)}`;
}

const byName = <T extends { name: string }>(rows: T[]) => rows.map((r) => r.name).sort();

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

afterAll(cleanupTestDatabases);

describe('schema.json itself', () => {
  it('has 43 application tables and 98 named indexes', () => {
    expect(APP_TABLES).toHaveLength(43);
    expect(APP_TABLES.flatMap((t) => t.indexes)).toHaveLength(98);
  });

  it('registers exactly one entity per application table', () => {
    expect(registeredTables().map((t) => t.tableName).sort()).toEqual(APP_TABLES.map((t) => t.table).sort());
  });
});

describe.each(DRIVERS)('entity metadata and migrated schema on %s', (driver) => {
  let ds: TrinityDataSource;

  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });

  // Proves the comparison can fail: a modified copy of schema.json must be reported, line by line.
  it('negative control: the comparison reports an extra and a missing column, a DESC flag and a default', () => {
    const actual = shapeFromMetadata(ds);
    expect(compareSchemas(shapeFromSpec(APP_TABLES), actual)).toEqual([]);

    // A copy of the table list: users gains a column the entities lack, agent_tags loses created_at.
    const modified: SpecTable[] = structuredClone(APP_TABLES);
    const users = modified.find((t) => t.table === 'users')!;
    users.columns.push({ ...users.columns.find((c) => c.name === 'email')!, name: 'nickname' });
    const tags = modified.find((t) => t.table === 'agent_tags')!;
    tags.columns = tags.columns.filter((c) => c.name !== 'created_at');
    expect(compareSchemas(shapeFromSpec(modified), actual)).toEqual(['users: column missing: nickname', 'agent_tags: column extra: created_at']);

    // Index direction and defaults are compared too.
    const activities = modified.find((t) => t.table === 'agent_activities')!;
    activities.indexes.find((i) => i.name === 'idx_activities_agent')!.columns = ['agent_name', 'created_at'];
    users.columns.find((c) => c.name === 'role')!.default = "'admin'";
    expect(compareSchemas(shapeFromSpec(modified), actual)).toEqual([
      'users: column missing: nickname',
      'users.role: default expected str:admin, got str:user',
      'agent_activities: index idx_activities_agent expected (agent_name, created_at), got (agent_name, created_at DESC)',
      'agent_tags: column extra: created_at',
    ]);
  });

  it('metadata matches schema.json: tables, columns, nullability, kinds, keys, defaults, uniques, indexes', () => {
    expect(ds.entityMetadatas).toHaveLength(43);
    expect(compareSchemas(shapeFromSpec(APP_TABLES), shapeFromMetadata(ds))).toEqual([]);
  });

  it("metadata column types, generation and defaults are the driver's for each kind", () => {
    const problems: string[] = [];
    for (const table of APP_TABLES) {
      const meta = ds.entityMetadatas.find((m) => m.tableName === table.table);
      if (!meta) {
        problems.push(`${table.table}: no entity`);
        continue;
      }
      for (const specColumn of table.columns) {
        const column = meta.findColumnWithDatabaseName(specColumn.name);
        if (!column) {
          problems.push(`${table.table}.${specColumn.name}: no metadata column`);
          continue;
        }
        const where = `${table.table}.${specColumn.name}`;
        const kind = expectedKind(table.table, specColumn);
        if (column.type !== COLUMN_KINDS[driver][kind].type) problems.push(`${where}: type ${String(column.type)}, expected ${String(COLUMN_KINDS[driver][kind].type)}`);
        const generated = column.isGenerated && column.generationStrategy === 'increment';
        if (generated !== (kind === 'id')) problems.push(`${where}: generated ${generated}`);
        if (column.isPrimary && column.isNullable) problems.push(`${where}: nullable primary key`);
        const dflt = metadataDefault(column.default);
        if (dflt !== expectedMetadataDefault(driver, specColumn)) problems.push(`${where}: default ${dflt}, expected ${expectedMetadataDefault(driver, specColumn)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every timestamp column has one of the formats schema.json lists for it', () => {
    const problems: string[] = [];
    for (const table of APP_TABLES) {
      const spec = registeredTables().find((t) => t.tableName === table.table)!;
      for (const column of table.columns.filter((c) => c.semantic === 'timestamp')) {
        const format = spec.columns.find((c) => c.name === column.name)?.format;
        if (!format || !column.timestamp_formats!.includes(format)) {
          problems.push(`${table.table}.${column.name}: ${format} not in ${column.timestamp_formats!.join('/')}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  if (driver === 'sqlite') {
    it('physical SQLite schema: legacy affinities, keys, uniques and the 98 named indexes', async () => {
      const tables: { name: string }[] = await ds.query(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ?`,
        [MIGRATIONS_TABLE],
      );
      expect(byName(tables)).toEqual(APP_TABLES.map((t) => t.table).sort());
      expect(tables).toHaveLength(43);

      const problems: string[] = [];
      let namedIndexes = 0;
      for (const table of APP_TABLES) {
        const columns: { name: string; type: string; notnull: number; pk: number }[] = await ds.query(
          `SELECT name, type, "notnull", pk FROM pragma_table_info(?)`,
          [table.table],
        );
        expect(byName(columns)).toEqual(byName(table.columns));
        for (const c of table.columns) {
          const physical = columns.find((p) => p.name === c.name)!;
          if (physical.type.toUpperCase() !== c.sqlite_type) problems.push(`${table.table}.${c.name}: type ${physical.type}, expected ${c.sqlite_type}`);
          const nullable = physical.notnull === 0 && physical.pk === 0;
          if (nullable !== c.nullable) problems.push(`${table.table}.${c.name}: nullable ${nullable}`);
        }
        const pk = columns.filter((c) => c.pk > 0).sort((x, y) => x.pk - y.pk).map((c) => c.name);
        if (pk.join(',') !== specPrimaryKey(table).join(',')) problems.push(`${table.table}: primary key (${pk.join(',')})`);

        const indexList: { name: string; origin: string }[] = await ds.query(`SELECT name, origin FROM pragma_index_list(?)`, [table.table]);
        const physicalIndexes: Record<string, string[]> = {};
        const physicalUniques: string[] = [];
        for (const index of indexList) {
          const info: { name: string; desc: number; key: number }[] = await ds.query(
            `SELECT name, "desc", "key" FROM pragma_index_xinfo(?) ORDER BY seqno`,
            [index.name],
          );
          const keyColumns = info.filter((i) => i.key === 1);
          if (index.origin === 'c') physicalIndexes[index.name] = keyColumns.map((i) => (i.desc === 1 ? `${i.name} DESC` : i.name));
          if (index.origin === 'u') physicalUniques.push(keyColumns.map((i) => i.name).join(','));
        }
        namedIndexes += Object.keys(physicalIndexes).length;
        expect({ table: table.table, indexes: physicalIndexes }).toEqual({
          table: table.table,
          indexes: Object.fromEntries(table.indexes.map((i) => [i.name, i.columns])),
        });
        problems.push(...setDiff(`${table.table}: unique`, specUniques(table).map((u) => u.join(',')), physicalUniques));
      }
      expect(problems).toEqual([]);
      expect(namedIndexes).toBe(98);
      const [{ n }] = await ds.query(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'`);
      expect(n).toBe(98);
    });
  }

  if (driver === 'postgres') {
    /** information_schema.columns.data_type for each kind. */
    const PG_DATA_TYPE: Record<ColumnKind, string> = {
      id: 'integer',
      int: 'integer',
      bigint: 'bigint',
      text: 'text',
      real: 'double precision',
      bool: 'boolean',
      timestamp: 'timestamp with time zone',
      json: 'jsonb',
    };

    it('physical PostgreSQL tables and column types (boolean / timestamptz / jsonb / serial)', async () => {
      const tables: { name: string }[] = await ds.query(
        `SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1`,
        [MIGRATIONS_TABLE],
      );
      expect(byName(tables)).toEqual(APP_TABLES.map((t) => t.table).sort());

      const rows: { table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }[] =
        await ds.query(
          `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name <> $1`,
          [MIGRATIONS_TABLE],
        );
      const physical = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
      expect([...physical.keys()].sort()).toEqual(APP_COLUMNS.map((c) => `${c.table}.${c.name}`).sort());

      const problems: string[] = [];
      for (const c of APP_COLUMNS) {
        const row = physical.get(`${c.table}.${c.name}`)!;
        const kind = expectedKind(c.table, c);
        if (row.data_type !== PG_DATA_TYPE[kind]) problems.push(`${c.table}.${c.name}: ${row.data_type}, expected ${PG_DATA_TYPE[kind]}`);
        if ((row.is_nullable === 'YES') !== c.nullable) problems.push(`${c.table}.${c.name}: is_nullable ${row.is_nullable}`);
        // SERIAL = integer with a nextval() default, on exactly the autoincrement columns.
        const serial = (row.column_default ?? '').startsWith('nextval(');
        if (serial !== c.autoincrement) problems.push(`${c.table}.${c.name}: default ${row.column_default}`);
      }
      expect(problems).toEqual([]);

      // The counts the issue states, computed from schema.json and found in the database.
      const count = (semantic: string) => APP_COLUMNS.filter((c) => c.semantic === semantic).length;
      const countType = (type: string) => rows.filter((r) => r.data_type === type).length;
      const computed = { bool: count('bool'), timestamp: count('timestamp'), json: count('json') };
      expect(computed).toEqual({ bool: 26, timestamp: 77, json: 12 });
      expect({ bool: countType('boolean'), timestamp: countType('timestamp with time zone'), json: countType('jsonb') }).toEqual(computed);
    });

    it('physical PostgreSQL keys, uniques and the 98 named indexes with column order and DESC', async () => {
      // Indexes that back no constraint are the named ones; indoption bit 0 is DESC.
      const indexRows: { table_name: string; index_name: string; column_name: string; descending: boolean }[] = await ds.query(
        `SELECT tc.relname AS table_name, ic.relname AS index_name, a.attname AS column_name,
                ((i.indoption::int2[])[array_lower(i.indoption::int2[], 1) + k.ord - 1] & 1) = 1 AS descending
           FROM pg_index i
           JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_class tc ON tc.oid = i.indrelid
           JOIN pg_namespace n ON n.oid = tc.relnamespace
           CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
          WHERE n.nspname = current_schema()
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
          ORDER BY ic.relname, k.ord`,
      );
      const physicalIndexes: Record<string, string[]> = {};
      for (const r of indexRows) {
        (physicalIndexes[`${r.table_name}.${r.index_name}`] ??= []).push(r.descending ? `${r.column_name} DESC` : r.column_name);
      }
      const expectedIndexes = Object.fromEntries(APP_TABLES.flatMap((t) => t.indexes.map((i) => [`${t.table}.${i.name}`, i.columns])));
      expect(physicalIndexes).toEqual(expectedIndexes);
      expect(Object.keys(physicalIndexes)).toHaveLength(98);

      const constraints: { table_name: string; contype: string; columns: string }[] = await ds.query(
        `SELECT tc.relname AS table_name, c.contype,
                string_agg(a.attname, ',' ORDER BY k.ord) AS columns
           FROM pg_constraint c
           JOIN pg_class tc ON tc.oid = c.conrelid
           JOIN pg_namespace n ON n.oid = tc.relnamespace
           CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
          WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u') AND tc.relname <> $1
          GROUP BY tc.relname, c.oid, c.contype`,
        [MIGRATIONS_TABLE],
      );
      const problems: string[] = [];
      for (const table of APP_TABLES) {
        const mine = constraints.filter((c) => c.table_name === table.table);
        const pk = mine.filter((c) => c.contype === 'p').map((c) => c.columns);
        if (pk.join('|') !== specPrimaryKey(table).join(',')) problems.push(`${table.table}: primary key ${pk.join('|')}`);
        problems.push(...setDiff(`${table.table}: unique`, specUniques(table).map((u) => u.join(',')), mine.filter((c) => c.contype === 'u').map((c) => c.columns)));
      }
      expect(problems).toEqual([]);
    });
  }
});
