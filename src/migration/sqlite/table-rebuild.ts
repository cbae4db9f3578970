/**
 * The one way this package changes the shape of an existing SQLite table that ALTER TABLE cannot
 * change: the legacy adoption and every generated migration that needs a rebuild call it.
 *
 * SQLite's documented table change (create the new shape under another name, copy the rows, drop
 * the old table, rename the copy), atomic (a savepoint inside the caller's transaction), keeping
 * what the new shape does not own: every row and id, the AUTOINCREMENT counter (a rebuild must
 * never hand out an id again), columns the new shape does not define (with their declarations as
 * written: NOT NULL, DEFAULT, CHECK, COLLATE, REFERENCES), the constraints on them and every CHECK
 * constraint, indexes and triggers. Only what the caller names in `dropColumns` / `dropIndexes` is
 * left behind; something that cannot be kept (an index or trigger that uses a dropped column) stops
 * the rebuild with nothing changed.
 */
import type { QueryRunner } from 'typeorm';
import { sqliteIntrospection as db } from '../../dialect';
import { MigrationError } from '../../errors';
import {
  formatCreateTable,
  identifiersIn,
  parseCreateTable,
  parseIndexName,
  quoteIdentifier as quote,
  sameDefinition,
  type ColumnDefinition,
  type TableConstraint,
} from './table-definition';

export interface TableRebuild {
  /** The table to rebuild. */
  table: string;
  /** Its new shape: `CREATE TABLE "<table>" (...)`, as it is to be stored. */
  create: string;
  /** The indexes of the new shape (CREATE INDEX statements), created after the rows are copied. */
  indexes?: string[];
  /** Columns of the old shape left out on purpose: their values are lost. */
  dropColumns?: string[];
  /** Indexes of the old shape left out on purpose, by name. */
  dropIndexes?: string[];
  /** New column name -> old column name: the values move to the new name. */
  renamedColumns?: Record<string, string>;
  /**
   * Fills the copy (named `into`) instead of `INSERT ... SELECT`, for conversions SQL cannot
   * express; rows it leaves out are not counted as lost. Not allowed when columns must be kept.
   */
  copyRows?: (qr: QueryRunner, into: string) => Promise<void>;
}

export interface TableRebuildResult {
  table: string;
  /** Rows in the rebuilt table. */
  rows: number;
  /** Columns the new shape does not define, kept with their declarations. */
  keptColumns: string[];
  /** Table constraints the new shape does not define, kept as written. */
  keptConstraints: string[];
  /** Indexes the new shape does not define, recreated as written. */
  keptIndexes: string[];
  /** Triggers on the table, recreated as written. */
  keptTriggers: string[];
  /** Columns left out on purpose (`dropColumns`) that the table had. */
  droppedColumns: string[];
}

/** Prefix of the copy's name while a rebuild runs; a table with it after a rebuild is a leftover. */
export const REBUILD_PREFIX = '__trinity_rebuild_';

const lower = (name: string) => name.toLowerCase();

export async function rebuildTable(qr: QueryRunner, rebuild: TableRebuild): Promise<TableRebuildResult> {
  const { table } = rebuild;
  const fail = (why: string) => new MigrationError(`rebuilding ${table}: ${why}; nothing was changed`);
  if (await db.foreignKeysEnforced(qr)) {
    throw fail('foreign keys are enforced on this connection, so dropping the old table would delete or refuse rows of other tables');
  }
  const oldSql = await db.tableSql(qr, table);
  if (oldSql === null) throw fail('there is no such table');
  const old = parseCreateTable(oldSql);
  const target = parseCreateTable(rebuild.create);
  if (lower(target.name) !== lower(table)) throw fail(`the new shape is a CREATE TABLE of ${target.name}`);

  const plan = planRebuild(table, old.columns, old.constraints, target.columns, target.constraints, rebuild, fail);
  if (rebuild.copyRows && plan.keptColumns.length) {
    throw fail(`columns ${plan.keptColumns.map((c) => c.name).join(', ')} would not be copied by the row conversion`);
  }
  const newIndexNames = new Set((rebuild.indexes ?? []).map((sql) => lower(parseIndexName(sql))));
  const droppedIndexes = new Set((rebuild.dropIndexes ?? []).map(lower));
  const keptIndexes = (await db.indexes(qr, table)).filter(
    (i) => i.origin === 'c' && i.sql && !newIndexNames.has(lower(i.name)) && !droppedIndexes.has(lower(i.name)),
  );
  const triggers = await db.schemaObjects(qr, 'trigger');
  const ownTriggers = triggers.filter((t) => lower(t.table) === lower(table));
  assertNothingUsesGoneColumns(table, plan.goneColumns, keptIndexes, triggers, await db.schemaObjects(qr, 'view'), fail);
  const sequence = await db.sequenceValue(qr, table);
  const rowsBefore = await db.rowCount(qr, table);
  const copy = REBUILD_PREFIX + table;

  await qr.startTransaction(); // a savepoint inside the caller's transaction
  try {
    await qr.query(
      formatCreateTable(
        copy,
        [...target.columns, ...plan.keptColumns, ...target.constraints, ...plan.keptConstraints].map((d) => d.sql),
        target.options,
      ),
    );
    try {
      if (rebuild.copyRows) {
        await rebuild.copyRows(qr, copy);
      } else {
        await qr.query(
          `INSERT INTO ${quote(copy)} (${plan.copied.map(([to]) => quote(to)).join(', ')}) ` +
            `SELECT ${plan.copied.map(([, from]) => quote(from)).join(', ')} FROM ${quote(table)}`,
        );
      }
    } catch (error) {
      const reason = (error as Error).message.replace(/^SqliteError: /, '').split(REBUILD_PREFIX).join('');
      throw fail(`its rows cannot be copied into the new shape (${reason})`);
    }
    const rows = await db.rowCount(qr, copy);
    if (!rebuild.copyRows && rows !== rowsBefore) throw fail(`${rowsBefore} rows before the copy, ${rows} after`);
    if (sequence !== null) await db.setSequenceValue(qr, copy, sequence);
    await qr.query(`DROP TABLE ${quote(table)}`);
    await db.renameRebuiltTable(qr, copy, table);
    for (const sql of rebuild.indexes ?? []) await qr.query(sql);
    for (const index of keptIndexes) await recreate(qr, `index ${index.name}`, index.sql!, fail);
    for (const trigger of ownTriggers) await recreate(qr, `trigger ${trigger.name}`, trigger.sql, fail);
    await qr.commitTransaction();
    return {
      table,
      rows,
      keptColumns: plan.keptColumns.map((c) => c.name),
      keptConstraints: plan.keptConstraints.map((c) => c.sql),
      keptIndexes: keptIndexes.map((i) => i.name),
      keptTriggers: ownTriggers.map((t) => t.name),
      droppedColumns: plan.droppedColumns,
    };
  } catch (error) {
    await qr.rollbackTransaction();
    throw error;
  }
}

interface RebuildPlan {
  /** [new column, old column] pairs copied by INSERT ... SELECT. */
  copied: [string, string][];
  keptColumns: ColumnDefinition[];
  keptConstraints: TableConstraint[];
  droppedColumns: string[];
  /** Old column names that the rebuilt table no longer has (dropped or renamed), lower-cased. */
  goneColumns: Set<string>;
}

/**
 * Which old columns and constraints the new shape owns, which it keeps as written, and which are
 * left out on purpose. Old PRIMARY KEY, UNIQUE and FOREIGN KEY constraints that name only columns
 * of the new shape are the new shape's to declare; every CHECK, and every constraint on a kept
 * column, is kept.
 */
function planRebuild(
  table: string,
  oldColumns: ColumnDefinition[],
  oldConstraints: TableConstraint[],
  newColumns: ColumnDefinition[],
  newConstraints: TableConstraint[],
  rebuild: TableRebuild,
  fail: (why: string) => MigrationError,
): RebuildPlan {
  const oldNames = new Map(oldColumns.map((c) => [lower(c.name), c.name]));
  const newNames = new Set(newColumns.map((c) => lower(c.name)));
  const renamed = new Map(Object.entries(rebuild.renamedColumns ?? {}).map(([to, from]) => [lower(to), from]));
  const renamedFrom = new Set([...renamed.values()].map(lower));
  const dropped = new Set((rebuild.dropColumns ?? []).map(lower));
  for (const [to, from] of renamed) {
    if (!newNames.has(to)) throw fail(`renamed column ${to} is not in the new shape`);
    if (!oldNames.has(lower(from))) throw fail(`renamed column ${from} is not in the table`);
  }
  for (const name of dropped) if (newNames.has(name)) throw fail(`column ${name} is both dropped and in the new shape`);

  const copied: [string, string][] = [];
  for (const column of newColumns) {
    const from = renamed.get(lower(column.name)) ?? oldNames.get(lower(column.name));
    if (from !== undefined) copied.push([column.name, from]);
  }
  const keptColumns = oldColumns.filter((c) => !newNames.has(lower(c.name)) && !dropped.has(lower(c.name)) && !renamedFrom.has(lower(c.name)));
  for (const column of keptColumns) copied.push([column.name, column.name]);
  const keptNames = new Set(keptColumns.map((c) => lower(c.name)));
  const droppedColumns = oldColumns.filter((c) => dropped.has(lower(c.name))).map((c) => c.name);
  const goneColumns = new Set([...droppedColumns.map(lower), ...[...renamedFrom].filter((n) => !newNames.has(n))]);

  const keptConstraints = oldConstraints.filter((constraint) => {
    if (newConstraints.some((n) => sameDefinition(n.sql, constraint.sql))) return false;
    const names = identifiersIn(constraint.sql);
    return constraint.kind === 'check' || [...names].some((n) => keptNames.has(n));
  });
  for (const constraint of keptConstraints) {
    const gone = [...identifiersIn(constraint.sql)].filter((n) => goneColumns.has(n));
    if (gone.length) throw fail(`cannot keep the constraint ${constraint.sql} of ${table}: it uses ${gone.join(', ')}, which this rebuild removes`);
  }
  return { copied, keptColumns, keptConstraints, droppedColumns, goneColumns };
}

/** Refuses a rebuild that would leave an index, trigger or view naming a column it removes. */
function assertNothingUsesGoneColumns(
  table: string,
  gone: Set<string>,
  keptIndexes: { name: string; sql: string | null }[],
  triggers: { name: string; table: string; sql: string }[],
  views: { name: string; sql: string }[],
  fail: (why: string) => MigrationError,
): void {
  if (!gone.size) return;
  const users = [
    ...keptIndexes.map((i) => ({ what: `index ${i.name}`, sql: i.sql!, own: true })),
    ...triggers.map((t) => ({ what: `trigger ${t.name}`, sql: t.sql, own: lower(t.table) === lower(table) })),
    ...views.map((v) => ({ what: `view ${v.name}`, sql: v.sql, own: false })),
  ];
  for (const user of users) {
    const names = identifiersIn(user.sql);
    if (!user.own && !names.has(lower(table))) continue;
    const used = [...names].filter((n) => gone.has(n));
    if (used.length) throw fail(`${user.what} uses ${used.join(', ')}, which this rebuild removes; change or drop it first`);
  }
}

async function recreate(qr: QueryRunner, what: string, sql: string, fail: (why: string) => MigrationError): Promise<void> {
  try {
    await qr.query(sql);
  } catch (error) {
    throw fail(`cannot keep ${what} (${(error as Error).message.replace(/^SqliteError: /, '')})`);
  }
}
