/**
 * Column and table decorators for trinity-db entities.
 *
 * They only record what each property is (its column kind and legacy name) in a registry.
 * Nothing here knows about a database driver: `createDataSource()` turns the registry into
 * TypeORM EntitySchemas for one driver (see src/dialect.ts), so a SQLite and a PostgreSQL
 * DataSource can live side by side in one process.
 */

/** What a column holds, independent of the driver that stores it. */
export type ColumnKind =
  | 'id' // INTEGER PRIMARY KEY AUTOINCREMENT / SERIAL
  | 'text'
  | 'int'
  | 'bigint' // integers that may exceed 2^31 (stored as BIGINT on PostgreSQL)
  | 'real'
  | 'bool'
  | 'timestamp'
  | 'json';

/**
 * The legacy text shapes of timestamps in SQLite (the format codes of test/fixtures/reference/schema.json):
 * naive        2026-04-01T14:59:29.123456        (fraction dropped when zero)
 * naive+Z      2026-04-01T14:59:29.123456Z       (fraction dropped when zero)
 * Z6           2026-04-01T14:59:29.123456Z       (always six digits)
 * +00:00       2026-04-01T14:59:29.123456+00:00  (fraction dropped when zero)
 * local-offset 2026-04-02T09:00:00+02:00         (schedule's zone; a Date is written as +00:00)
 * sqlite-default 2026-04-01 14:59:29             (CURRENT_TIMESTAMP)
 * external     stored as supplied; a Date is written as Z6
 */
export type TimestampFormat = 'naive' | 'naive+Z' | 'Z6' | '+00:00' | 'local-offset' | 'sqlite-default' | 'external';

/** A column default. `CURRENT_TIMESTAMP` is the only SQL expression the schema uses. */
export type ColumnDefault = string | number | boolean | typeof CURRENT_TIMESTAMP;
export const CURRENT_TIMESTAMP = Symbol('CURRENT_TIMESTAMP');

export interface ColumnSpec {
  propertyName: string;
  name: string;
  kind: ColumnKind;
  nullable: boolean;
  primary: boolean;
  default?: ColumnDefault;
  /** Only for kind 'timestamp'. */
  format?: TimestampFormat;
}

export interface IndexSpec {
  name: string;
  /** Legacy column names in index order. */
  columns: string[];
  /** Column names stored in descending order (legacy DDL `col DESC`). */
  descending: string[];
}

export interface TableSpec {
  target: Function;
  tableName: string;
  columns: ColumnSpec[];
  /** Multi- or single-column UNIQUE constraints, by legacy column names. */
  uniques: string[][];
  indexes: IndexSpec[];
}

export interface ColumnOptions {
  /** Legacy column name (required: property names are camelCase, columns are snake_case). */
  name: string;
  /** SQL NULL allowed. Defaults to true, as in the legacy DDL; primary keys are never nullable. */
  nullable?: boolean;
  default?: ColumnDefault;
  primary?: boolean;
  /** Single-column UNIQUE constraint. */
  unique?: boolean;
}

export interface TimestampColumnOptions extends ColumnOptions {
  format: TimestampFormat;
}

interface PendingTable {
  columns: ColumnSpec[];
  uniques: string[][];
  indexes: IndexSpec[];
}

const pending = new Map<Function, PendingTable>();
const tables = new Map<Function, TableSpec>();

function pendingFor(target: Function): PendingTable {
  let entry = pending.get(target);
  if (!entry) {
    entry = { columns: [], uniques: [], indexes: [] };
    pending.set(target, entry);
  }
  return entry;
}

function columnDecorator(kind: ColumnKind, options: ColumnOptions & { format?: TimestampFormat }): PropertyDecorator {
  return (prototype, propertyKey) => {
    const entry = pendingFor(prototype.constructor);
    const primary = options.primary === true || kind === 'id';
    entry.columns.push({
      propertyName: String(propertyKey),
      name: options.name,
      kind,
      nullable: primary ? false : options.nullable !== false,
      primary,
      default: options.default,
      format: options.format,
    });
    if (options.unique) entry.uniques.push([options.name]);
  };
}

/** INTEGER PRIMARY KEY AUTOINCREMENT (SQLite) / SERIAL (PostgreSQL). */
export const IdColumn = (name = 'id') => columnDecorator('id', { name });
export const TextColumn = (options: ColumnOptions) => columnDecorator('text', options);
export const IntColumn = (options: ColumnOptions) => columnDecorator('int', options);
export const BigIntColumn = (options: ColumnOptions) => columnDecorator('bigint', options);
export const RealColumn = (options: ColumnOptions) => columnDecorator('real', options);
export const BoolColumn = (options: ColumnOptions) => columnDecorator('bool', options);
export const JsonColumn = (options: ColumnOptions) => columnDecorator('json', options);
export const TimestampColumn = (options: TimestampColumnOptions) => columnDecorator('timestamp', options);

/**
 * A named index with the legacy name and column order. Prefix a column with '-' for DESC,
 * as in `@Index('idx_activities_agent', ['agent_name', '-created_at'])`.
 */
export function Index(name: string, columns: string[]): ClassDecorator {
  return (target) => {
    pendingFor(target).indexes.push({
      name,
      columns: columns.map((c) => c.replace(/^-/, '')),
      descending: columns.filter((c) => c.startsWith('-')).map((c) => c.slice(1)),
    });
  };
}

/** A multi-column UNIQUE constraint. */
export function Unique(columns: string[]): ClassDecorator {
  return (target) => {
    pendingFor(target).uniques.push(columns);
  };
}

/**
 * Marks a class as the entity of a legacy table. Class decorators run bottom-up, so
 * `@Table` must be the outermost (first written) decorator; @Index/@Unique go below it.
 */
export function Table(tableName: string): ClassDecorator {
  return (target) => {
    const entry = pendingFor(target);
    pending.delete(target);
    const names = new Set(entry.columns.map((c) => c.name));
    for (const index of entry.indexes) assertColumns(tableName, `index ${index.name}`, index.columns, names);
    for (const unique of entry.uniques) assertColumns(tableName, 'unique constraint', unique, names);
    // Property decorators run in declaration order; indexes were collected bottom-up.
    tables.set(target, {
      target,
      tableName,
      columns: entry.columns,
      uniques: entry.uniques.reverse(),
      indexes: entry.indexes.reverse(),
    });
  };
}

function assertColumns(table: string, what: string, columns: string[], known: Set<string>): void {
  const unknown = columns.filter((c) => !known.has(c));
  if (unknown.length) throw new Error(`${table}: ${what} names unknown column(s) ${unknown.join(', ')}`);
}

/** Every table registered so far (entity modules register themselves when imported). */
export function registeredTables(): TableSpec[] {
  return [...tables.values()];
}

export function tableSpecOf(target: Function): TableSpec {
  const spec = tables.get(target);
  if (!spec) throw new Error(`${target.name} is not a trinity-db entity (missing @Table)`);
  return spec;
}
