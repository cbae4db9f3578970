/**
 * Creates the baseline schema in a SQLite file, or adopts a legacy trinity.db written by the
 * Python layer (any release, in any state: docs/COMPATIBILITY.md → "Adopting a legacy trinity.db").
 *
 * Everything the legacy migration chain did is additive, so adoption is: create missing tables,
 * rebuild every existing table whose DDL is not the baseline's (this adds missing columns, puts
 * columns in canonical order, and drops the decorative REFERENCES clauses that were never
 * enforced), create missing indexes, and replay the three legacy data steps. Rebuilds copy rows by
 * column name, so no stored value changes; AUTOINCREMENT counters are carried over. Tables this
 * package does not own (schema_migrations, the scheduler's tables, newer releases' tables) are
 * never touched, nor are columns and indexes it does not know (they are kept through rebuilds).
 */
import type { QueryRunner } from 'typeorm';
import { formatTimestamp } from '../../codec/timestamp';
import { sqliteIntrospection as db, type SqliteColumnInfo } from '../../dialect';
import { MigrationError } from '../../errors';
import { indexName, type BaselineTable } from '../baseline-table';

export interface AdoptionReport {
  /** No application table existed: a fresh install. */
  fresh: boolean;
  created: string[];
  rebuilt: string[];
  indexesCreated: string[];
  /** Columns found in known tables that the baseline does not define; kept as they were. */
  unknownColumnsKept: string[];
  /** Legacy data steps that ran, with what they did. */
  dataSteps: string[];
}

const REBUILD_PREFIX = '__trinity_rebuild_';

export async function createOrAdoptSchema(qr: QueryRunner, baseline: BaselineTable[]): Promise<AdoptionReport> {
  const existingBefore = new Set(await db.tableNames(qr));
  const report: AdoptionReport = {
    fresh: !baseline.some((t) => existingBefore.has(t.name)),
    created: [],
    rebuilt: [],
    indexesCreated: [],
    unknownColumnsKept: [],
    dataSteps: [],
  };
  const leftover = [...existingBefore].filter((name) => name.startsWith(REBUILD_PREFIX));
  if (leftover.length) throw new MigrationError(`unexpected leftover tables from an interrupted rebuild: ${leftover.join(', ')}`);

  for (const table of baseline) {
    if (!existingBefore.has(table.name)) {
      await qr.query(table.create);
      report.created.push(table.name);
    } else if ((await db.tableSql(qr, table.name)) !== table.create) {
      await rebuildTable(qr, table, report);
      report.rebuilt.push(table.name);
    }
    await createMissingIndexes(qr, table, report);
  }

  if (!report.fresh) await replayLegacyDataSteps(qr, existingBefore, report);
  return report;
}

async function createMissingIndexes(qr: QueryRunner, table: BaselineTable, report: AdoptionReport): Promise<void> {
  const present = new Set((await db.indexes(qr, table.name)).map((i) => i.name));
  for (const statement of table.indexes) {
    const name = indexName(statement);
    if (present.has(name)) continue;
    await qr.query(statement);
    report.indexesCreated.push(name);
  }
}

/** Legacy tables whose old shape needs more than a copy by column name (the pre-history shapes of legacy migrations #1 and #9). */
type ColumnSource = Record<string, string>;

function preHistorySource(table: string, columns: Set<string>): ColumnSource | 'agent_sharing_by_user_id' {
  if (table === 'agent_skills' && columns.has('skill_id') && !columns.has('skill_name')) return { skill_name: 'skill_id' };
  if (table === 'agent_sharing' && columns.has('shared_with_id') && !columns.has('shared_with_email')) return 'agent_sharing_by_user_id';
  return {};
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** The canonical CREATE TABLE for another name, with unknown columns appended to the column list. */
function createStatementFor(table: BaselineTable, name: string, extraColumns: SqliteColumnInfo[]): string {
  const head = `CREATE TABLE ${quote(table.name)} (`;
  if (!table.create.startsWith(head)) throw new MigrationError(`baseline DDL of ${table.name} has an unexpected shape`);
  let body = table.create.slice(head.length, -1);
  if (extraColumns.length) {
    const extras = extraColumns
      .map((c) => `${quote(c.name)}${c.type ? ' ' + c.type : ''}${c.defaultValue !== null ? ' DEFAULT ' + c.defaultValue : ''}`)
      .join(', ');
    const constraintsAt = body.indexOf(', CONSTRAINT ');
    body = constraintsAt < 0 ? `${body}, ${extras}` : `${body.slice(0, constraintsAt)}, ${extras}${body.slice(constraintsAt)}`;
  }
  return `CREATE TABLE ${quote(name)} (${body})`;
}

/**
 * SQLite's documented 12-step table change: create the new shape under a temporary name, copy
 * the rows, drop the old table, rename. Runs inside the migration's transaction.
 */
async function rebuildTable(qr: QueryRunner, table: BaselineTable, report: AdoptionReport): Promise<void> {
  const oldColumns = await db.columns(qr, table.name);
  const oldNames = new Set(oldColumns.map((c) => c.name));
  const source = preHistorySource(table.name, oldNames);
  // Columns consumed by a pre-history conversion are not "unknown".
  const consumed = new Set(source === 'agent_sharing_by_user_id' ? ['shared_with_id'] : Object.values(source));
  const canonical = new Set(table.columns);
  const extraColumns = oldColumns.filter((c) => !canonical.has(c.name) && !consumed.has(c.name));
  for (const c of extraColumns) report.unknownColumnsKept.push(`${table.name}.${c.name}`);

  const unknownIndexes = (await db.indexes(qr, table.name)).filter(
    (i) => i.origin === 'c' && i.sql && !table.indexes.some((s) => indexName(s) === i.name),
  );
  const sequence = await db.sequenceValue(qr, table.name);
  const temporary = REBUILD_PREFIX + table.name;

  await qr.query(createStatementFor(table, temporary, extraColumns));
  try {
    if (source === 'agent_sharing_by_user_id') {
      await copySharesByUserEmail(qr, temporary, report);
    } else {
      const targets = [...table.columns.filter((c) => oldNames.has(c) || source[c]), ...extraColumns.map((c) => c.name)];
      const selects = targets.map((c) => quote(source[c] ?? c));
      await qr.query(
        `INSERT INTO ${quote(temporary)} (${targets.map(quote).join(', ')}) SELECT ${selects.join(', ')} FROM ${quote(table.name)}`,
      );
    }
  } catch (error) {
    const reason = (error as Error).message.replace(REBUILD_PREFIX, '');
    throw new MigrationError(`baseline: the rows of ${table.name} cannot be carried into the baseline schema (${reason}); nothing was changed`);
  }
  if (sequence !== null) await db.setSequenceValue(qr, temporary, sequence);
  await qr.query(`DROP TABLE ${quote(table.name)}`);
  await qr.query(`ALTER TABLE ${quote(temporary)} RENAME TO ${quote(table.name)}`);
  for (const index of unknownIndexes) await qr.query(index.sql!);
}

/**
 * Legacy migration #1: the pre-history sharing table keyed shares by user id. Shares are re-keyed
 * by the user's email, lower-cased as Python's str.lower() does; shares whose user or email is
 * gone cannot be expressed in the new shape and are reported (the Python migration dropped them too).
 */
async function copySharesByUserEmail(qr: QueryRunner, temporary: string, report: AdoptionReport): Promise<void> {
  const rows: { agent_name: string; email: string | null; shared_by_id: number; created_at: string }[] = await qr.query(
    `SELECT s.agent_name, u.email, s.shared_by_id, s.created_at FROM "agent_sharing" s LEFT JOIN "users" u ON u.id = s.shared_with_id ORDER BY s.id`,
  );
  let copied = 0;
  for (const row of rows) {
    if (!row.email) continue;
    const result = await qr.query(
      `INSERT OR IGNORE INTO ${quote(temporary)} (agent_name, shared_with_email, shared_by_id, created_at) VALUES (?, ?, ?, ?)`,
      [row.agent_name, row.email.toLowerCase(), row.shared_by_id, row.created_at],
      true,
    );
    copied += result.affected ?? 0;
  }
  report.dataSteps.push(`agent_sharing: converted ${copied} of ${rows.length} user-id shares to email shares`);
}

async function replayLegacyDataSteps(qr: QueryRunner, existingBefore: Set<string>, report: AdoptionReport): Promise<void> {
  // #32: the first start with multi-agent Slack tables copied each legacy link connection into
  // slack_workspaces (ids kept, tokens as they were).
  if (!existingBefore.has('slack_workspaces') && existingBefore.has('slack_link_connections')) {
    await qr.query(
      `INSERT OR IGNORE INTO "slack_workspaces" (id, team_id, team_name, bot_token, connected_by, connected_at, enabled)
       SELECT id, slack_team_id, slack_team_name, slack_bot_token, connected_by, connected_at, enabled FROM "slack_link_connections"`,
    );
    const [{ n }] = await qr.query(`SELECT COUNT(*) AS n FROM "slack_workspaces"`);
    report.dataSteps.push(`slack_workspaces: copied ${n} legacy link connection(s)`);
  }
  // #19: mark setup as completed on installs whose literal 'admin' user already has a password.
  if (!(await legacyMigrationRecorded(qr, existingBefore, 'setup_completed_backfill'))) {
    const done = await qr.query(`SELECT 1 FROM "system_settings" WHERE key = 'setup_completed'`);
    const admin = await qr.query(
      `SELECT 1 FROM "users" WHERE username = 'admin' AND password_hash IS NOT NULL AND password_hash != ''`,
    );
    if (!done.length && admin.length) {
      await qr.query(`INSERT INTO "system_settings" (key, value, updated_at) VALUES ('setup_completed', 'true', ?)`, [
        formatTimestamp(new Date(), 'naive'),
      ]);
      report.dataSteps.push('system_settings: back-filled setup_completed = true');
    }
  }
}

async function legacyMigrationRecorded(qr: QueryRunner, existing: Set<string>, name: string): Promise<boolean> {
  if (!existing.has('schema_migrations')) return false;
  const rows = await qr.query(`SELECT 1 FROM "schema_migrations" WHERE name = ?`, [name]);
  return rows.length > 0;
}
