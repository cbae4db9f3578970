/**
 * What a migration must do to bring a database at the head of its track to the entities, planned
 * so that it loses nothing: TypeORM's schema builder decides WHAT differs (the same comparison as
 * `migration:check`), this module decides HOW each difference is made, by standing in for the
 * query runner methods the builder calls.
 *
 * SQLite: TypeORM makes every column change by copying the table through `temporary_<table>`,
 * which copies only the columns it knows (so it drops the columns a newer release added), drops
 * the table's triggers and resets its AUTOINCREMENT counter (ids are handed out again). Instead:
 * - an added column that SQLite can add in place (nullable, or NOT NULL with a constant default;
 *   not a key) is `ALTER TABLE ... ADD COLUMN`;
 * - a renamed column is `ALTER TABLE ... RENAME COLUMN`;
 * - an added or dropped index stays TypeORM's `CREATE INDEX` / `DROP INDEX`;
 * - anything else that needs a new table shape is a call of rebuildTable
 *   (src/migration/sqlite/table-rebuild.ts), which keeps every row, id, counter, unknown column,
 *   index and trigger.
 * PostgreSQL: TypeORM's statements (ALTER TABLE ADD/RENAME COLUMN, CREATE INDEX, ...) stand,
 * except that a type change it makes by DROP COLUMN + ADD is reported as destructive.
 *
 * Destructive changes (a dropped column or table, a type change that can rewrite or lose values)
 * are collected with the statement to write by hand instead; migration:generate refuses them
 * unless told otherwise.
 */
import { Query } from 'typeorm/driver/Query';
import type { QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import type { TrinityDataSource } from '../src/data-source';
import type { Driver } from '../src/dialect';
import type { TableRebuild } from '../src/migration/sqlite/table-rebuild';

/** One step of up(); down() runs the steps' `down` in reverse order. */
export type Step =
  | { kind: 'sql'; up: Query[]; down: Query[] }
  | { kind: 'rebuild'; why: string; up: TableRebuild; down: TableRebuild };

export interface DestructiveChange {
  change: string;
  /** What to write by hand instead (statements and advice). */
  alternative: string[];
}

export interface MigrationPlan {
  driver: Driver;
  steps: Step[];
  destructive: DestructiveChange[];
  /** Things that are not destructive but deserve a look (e.g. a NOT NULL column without a default). */
  notes: string[];
}

/** The members of TypeORM's query runners this module uses (public at runtime, partly protected in the types). */
interface BuilderRunner {
  dataSource: { namingStrategy: { indexName(table: Table, columns: string[], where?: string): string } };
  getCachedTable(name: string): Promise<Table>;
  replaceCachedTable(table: Table, changed: Table): void;
  executeQueries(up: Query | Query[], down: Query | Query[]): Promise<void>;
  escapePath(target: Table | string): string;
  createTableSql(table: Table, createForeignKeys?: boolean): Query;
  createIndexSql(table: Table, index: TableIndex): Query;
  buildCreateColumnSql(...args: unknown[]): string;
  driver: { createFullType(column: TableColumn): string };
  [method: string]: unknown;
}

type Method = (this: BuilderRunner, ...args: any[]) => Promise<unknown>;

/** Plans the migration that brings `dataSource` (at the head of its track) to the entities. */
export async function planMigration(dataSource: TrinityDataSource): Promise<MigrationPlan> {
  const plan: MigrationPlan = { driver: dataSource.driverName, steps: [], destructive: [], notes: [] };
  const runner = dataSource.createQueryRunner() as unknown as BuilderRunner;
  const overrides = dataSource.driverName === 'sqlite' ? sqliteMethods(plan, runner) : postgresMethods(plan, runner);
  overrides.executeQueries = recordingQueries(plan, classMethod(runner, 'executeQueries'));
  const previous = new Map(Object.keys(overrides).map((name) => [name, Object.getOwnPropertyDescriptor(runner, name)]));
  Object.assign(runner, overrides);
  // The schema builder's log() asks the DataSource for its runner: hand it the instrumented one.
  const createQueryRunner = Object.getOwnPropertyDescriptor(dataSource, 'createQueryRunner');
  dataSource.createQueryRunner = () => runner as unknown as QueryRunner;
  try {
    await dataSource.driver.createSchemaBuilder().log();
  } finally {
    if (createQueryRunner) Object.defineProperty(dataSource, 'createQueryRunner', createQueryRunner);
    else delete (dataSource as { createQueryRunner?: unknown }).createQueryRunner;
    for (const [name, descriptor] of previous) {
      if (descriptor) Object.defineProperty(runner, name, descriptor);
      else delete runner[name];
    }
  }
  return plan;
}

function recordingQueries(plan: MigrationPlan, original: Method): Method {
  return async function (this: BuilderRunner, up: Query | Query[], down: Query | Query[]) {
    const step: Step = { kind: 'sql', up: ([] as Query[]).concat(up), down: ([] as Query[]).concat(down) };
    if (step.up.length || step.down.length) plan.steps.push(step);
    return original.call(this, up, down);
  };
}

async function tableOf(runner: BuilderRunner, tableOrName: Table | string): Promise<Table> {
  return typeof tableOrName === 'string' ? runner.getCachedTable(tableOrName) : tableOrName;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

// ---------------------------------------------------------------------------------------------
// SQLite

/** A literal SQLite accepts as the default of a column added in place (no function, no CURRENT_TIMESTAMP). */
const CONSTANT_DEFAULT = /^\(?\s*(?:[-+]?\d+(?:\.\d+)?|'(?:[^']|'')*'|NULL|TRUE|FALSE)\s*\)?$/i;

function addableInPlace(column: TableColumn): boolean {
  if (column.isPrimary || column.isUnique || column.isGenerated || column.generatedType || column.asExpression) return false;
  const hasDefault = column.default !== undefined && column.default !== null;
  if (hasDefault && !CONSTANT_DEFAULT.test(String(column.default))) return false;
  return column.isNullable || hasDefault;
}

/** Column properties that a rename must leave as they are. */
const COLUMN_PROPERTIES: (keyof TableColumn)[] = [
  'type', 'length', 'isNullable', 'default', 'isPrimary', 'isUnique', 'isGenerated', 'generationStrategy', 'collation', 'asExpression', 'generatedType', 'enum',
];

/** The query runner class's own method, whatever the instance has been given since. */
function classMethod(runner: BuilderRunner, name: string): Method {
  return Object.getPrototypeOf(runner)[name] as Method;
}

function sqliteMethods(plan: MigrationPlan, runner: BuilderRunner): Record<string, Method> {
  const original = (name: string) => classMethod(runner, name);
  const addColumns = original('addColumns');
  const renameColumn = original('renameColumn');

  return {
    async addColumns(tableOrName: Table | string, columns: TableColumn[]) {
      const table = await tableOf(this, tableOrName);
      if (!columns.every(addableInPlace)) return addColumns.call(this, table, columns);
      const changed = table.clone();
      const up: Query[] = [];
      const down: Query[] = [];
      for (const column of columns) {
        up.push(new Query(`ALTER TABLE ${this.escapePath(table)} ADD COLUMN ${this.buildCreateColumnSql(column, false)}`));
        down.push(new Query(`ALTER TABLE ${this.escapePath(table)} DROP COLUMN ${quoted(column.name)}`));
        changed.addColumn(column);
      }
      await this.executeQueries(up, down);
      this.replaceCachedTable(table, changed);
    },

    async renameColumn(tableOrName: Table | string, oldColumnOrName: TableColumn | string, newColumnOrName: TableColumn | string) {
      const table = await tableOf(this, tableOrName);
      const oldColumn = typeof oldColumnOrName === 'string' ? table.findColumnByName(oldColumnOrName) : oldColumnOrName;
      if (!oldColumn) return renameColumn.call(this, table, oldColumnOrName, newColumnOrName);
      const newName = typeof newColumnOrName === 'string' ? newColumnOrName : newColumnOrName.name;
      // The builder "renames" a column to its own name when only its type changed; the change follows.
      if (newName === oldColumn.name) return;
      await this.executeQueries(
        new Query(`ALTER TABLE ${this.escapePath(table)} RENAME COLUMN ${quoted(oldColumn.name)} TO ${quoted(newName)}`),
        new Query(`ALTER TABLE ${this.escapePath(table)} RENAME COLUMN ${quoted(newName)} TO ${quoted(oldColumn.name)}`),
      );
      // SQLite's RENAME COLUMN rewrites the column in indexes, constraints and triggers; so does the model.
      const changed = table.clone();
      const rename = (names: string[]) => names.map((n) => (n === oldColumn.name ? newName : n));
      const renamed = changed.findColumnByName(oldColumn.name)!;
      renamed.name = newName;
      for (const index of changed.indices) index.columnNames = rename(index.columnNames);
      for (const unique of changed.uniques) unique.columnNames = rename(unique.columnNames);
      for (const foreignKey of changed.foreignKeys) foreignKey.columnNames = rename(foreignKey.columnNames);
      this.replaceCachedTable(table, changed);
      // A rename that changes more than the name: the rest is a change of the renamed column.
      if (typeof newColumnOrName !== 'string' && COLUMN_PROPERTIES.some((p) => JSON.stringify(newColumnOrName[p]) !== JSON.stringify(renamed[p]))) {
        await (this.changeColumn as Method).call(this, changed, renamed, newColumnOrName);
      }
    },

    async dropTable(tableOrName: Table | string) {
      const table = await tableOf(this, tableOrName);
      plan.destructive.push(droppedTable(table.name));
      return (original('dropTable') as Method).apply(this, [...arguments]);
    },

    /** Where TypeORM would copy the table through temporary_<table>: one rebuildTable call. */
    async recreateTable(newTable: Table, oldTable: Table) {
      for (const table of [newTable, oldTable]) {
        for (const index of table.indices) index.name ??= this.dataSource.namingStrategy.indexName(table, index.columnNames, index.where);
      }
      const up = rebuildSpec(this, newTable, oldTable);
      const down = rebuildSpec(this, oldTable, newTable);
      const why = describeRebuild(this, newTable, oldTable);
      plan.steps.push({ kind: 'rebuild', why, up, down });
      for (const column of up.dropColumns ?? []) plan.destructive.push(droppedColumn('SQLite', oldTable.name, column));
      for (const column of newTable.columns) {
        const before = oldTable.columns.find((c) => c.name === column.name);
        if (before && before.type !== column.type) plan.destructive.push(sqliteTypeChange(oldTable.name, column.name, before.type, column.type));
        if (!before && !column.isNullable && (column.default === undefined || column.default === null)) {
          plan.notes.push(notNullWithoutDefault('SQLite', oldTable.name, column.name));
        }
      }
      this.replaceCachedTable(oldTable, newTable);
    },
  };
}

/** The rebuildTable arguments that turn `from` into `to` (both TypeORM models of one table). */
function rebuildSpec(runner: BuilderRunner, to: Table, from: Table): TableRebuild {
  const toColumns = new Set(to.columns.map((c) => c.name));
  const toIndexes = new Set(to.indices.map((i) => i.name));
  const spec: TableRebuild = { table: from.name, create: runner.createTableSql(to, true).query };
  const indexes = to.indices.map((index) => runner.createIndexSql(to, index).query.trim());
  const dropColumns = from.columns.filter((c) => !toColumns.has(c.name)).map((c) => c.name);
  const dropIndexes = from.indices.filter((i) => !toIndexes.has(i.name!)).map((i) => i.name!);
  if (indexes.length) spec.indexes = indexes;
  if (dropColumns.length) spec.dropColumns = dropColumns;
  if (dropIndexes.length) spec.dropIndexes = dropIndexes;
  return spec;
}

/** Why a table is rebuilt, in a line: the column definitions that change, and the table constraints. */
function describeRebuild(runner: BuilderRunner, to: Table, from: Table): string {
  const definition = (column: TableColumn) => runner.buildCreateColumnSql(column, false);
  const changes: string[] = [];
  for (const column of to.columns) {
    const before = from.columns.find((c) => c.name === column.name);
    if (!before) changes.push(`adds ${definition(column)}`);
    else if (definition(before) !== definition(column)) changes.push(`changes ${definition(before)} to ${definition(column)}`);
  }
  for (const column of from.columns) if (!to.columns.some((c) => c.name === column.name)) changes.push(`drops ${quoted(column.name)}`);
  const constraints = (table: Table) =>
    JSON.stringify([table.uniques.map((u) => u.columnNames), table.checks.map((c) => c.expression), table.foreignKeys.map((f) => f.columnNames)]);
  if (constraints(to) !== constraints(from)) changes.push('changes the table constraints');
  return `${from.name}: ${changes.join('; ') || 'changes the table definition'}`;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

function postgresMethods(plan: MigrationPlan, runner: BuilderRunner): Record<string, Method> {
  const original = (name: string) => classMethod(runner, name);
  let changing: { table: string; oldColumn: TableColumn; newColumn: TableColumn } | undefined;
  return {
    async changeColumn(tableOrName: Table | string, oldColumnOrName: TableColumn | string, newColumn: TableColumn) {
      const table = await tableOf(this, tableOrName);
      const oldColumn = typeof oldColumnOrName === 'string' ? table.findColumnByName(oldColumnOrName)! : oldColumnOrName;
      changing = { table: table.name, oldColumn, newColumn };
      try {
        return await original('changeColumn').call(this, table, oldColumn, newColumn);
      } finally {
        changing = undefined;
      }
    },

    async dropColumn(tableOrName: Table | string, columnOrName: TableColumn | string, ifExists?: boolean) {
      const table = await tableOf(this, tableOrName);
      const name = typeof columnOrName === 'string' ? columnOrName : columnOrName.name;
      if (changing && changing.table === table.name && changing.oldColumn.name === name) {
        plan.destructive.push(postgresTypeChange(this, table.name, changing.oldColumn, changing.newColumn));
      } else {
        plan.destructive.push(droppedColumn('PostgreSQL', table.name, name));
      }
      return original('dropColumn').call(this, table, columnOrName, ifExists);
    },

    async addColumn(tableOrName: Table | string, column: TableColumn) {
      const table = await tableOf(this, tableOrName);
      if (!changing && !column.isNullable && (column.default === undefined || column.default === null) && !column.isGenerated) {
        plan.notes.push(notNullWithoutDefault('PostgreSQL', table.name, column.name));
      }
      return original('addColumn').call(this, table, column);
    },

    async dropTable(tableOrName: Table | string) {
      const table = await tableOf(this, tableOrName);
      plan.destructive.push(droppedTable(table.name));
      return (original('dropTable') as Method).apply(this, [...arguments]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// What is destructive, and what to write instead

function droppedColumn(driver: string, table: string, column: string): DestructiveChange {
  return {
    change: `${driver}: drops column ${quoted(table)}.${quoted(column)} and every value in it`,
    alternative: [
      'Keep the property in the entity until nothing reads the column any more; then drop it on purpose, after a backup,',
      `in a migration of its own: ALTER TABLE ${quoted(table)} DROP COLUMN ${quoted(column)}`,
      '(or run migration:generate with --allow-destructive to write exactly that change).',
    ],
  };
}

function droppedTable(table: string): DestructiveChange {
  return {
    change: `drops table ${quoted(table)} and every row in it`,
    alternative: ['Keep the entity until the table is no longer needed; drop the table by hand, after a backup, in a migration of its own.'],
  };
}

function sqliteTypeChange(table: string, column: string, from: string, to: string): DestructiveChange {
  return {
    change: `SQLite: changes the type of ${quoted(table)}.${quoted(column)} from ${from} to ${to} by rebuilding the table (values are converted by the new type's affinity: '007' would become 7)`,
    alternative: [
      `Add a column of the new type and fill it, then move the readers to it and drop the old column in a later release:`,
      `  ALTER TABLE ${quoted(table)} ADD COLUMN ${quoted(`${column}_${to}`)} ${to};`,
      `  UPDATE ${quoted(table)} SET ${quoted(`${column}_${to}`)} = CAST(${quoted(column)} AS ${to.toUpperCase()});`,
    ],
  };
}

function postgresTypeChange(runner: BuilderRunner, table: string, oldColumn: TableColumn, newColumn: TableColumn): DestructiveChange {
  const type = runner.driver.createFullType(newColumn);
  const target = `${quoted(table)}`;
  const statements = [`ALTER TABLE ${target} ALTER COLUMN ${quoted(newColumn.name)} TYPE ${type} USING ${quoted(oldColumn.name)}::${type}`];
  if (oldColumn.isNullable !== newColumn.isNullable) {
    statements.push(`ALTER TABLE ${target} ALTER COLUMN ${quoted(newColumn.name)} ${newColumn.isNullable ? 'DROP' : 'SET'} NOT NULL`);
  }
  if (oldColumn.default !== newColumn.default) {
    statements.push(
      newColumn.default === undefined || newColumn.default === null
        ? `ALTER TABLE ${target} ALTER COLUMN ${quoted(newColumn.name)} DROP DEFAULT`
        : `ALTER TABLE ${target} ALTER COLUMN ${quoted(newColumn.name)} SET DEFAULT ${newColumn.default}`,
    );
  }
  return {
    change: `PostgreSQL: changes the type of ${target}.${quoted(oldColumn.name)} from ${runner.driver.createFullType(oldColumn)} to ${type} by DROP COLUMN + ADD: every value of the column is lost`,
    alternative: ['Convert the values in place instead (adjust USING to the conversion you need):', ...statements.map((s) => `  ${s};`)],
  };
}

function notNullWithoutDefault(driver: string, table: string, column: string): string {
  return `${driver}: adds NOT NULL column ${quoted(table)}.${quoted(column)} without a default: the migration fails on a table that has rows (give the column a default)`;
}
