/**
 * Creates the baseline schema in a SQLite file, or adopts a legacy trinity.db written by the
 * Python layer (any release, in any state: docs/COMPATIBILITY.md → "Adopting a legacy trinity.db").
 *
 * Everything the legacy migration chain did is additive, so adoption is: create missing tables,
 * rebuild every existing table whose DDL is not the baseline's (this adds missing columns, puts
 * columns in canonical order, and drops the decorative REFERENCES clauses that were never
 * enforced), create missing indexes, and replay the three legacy data steps. Rebuilds go through
 * rebuildTable (./table-rebuild.ts): rows are copied by column name, so no stored value changes,
 * and AUTOINCREMENT counters, columns and constraints the baseline does not define (a newer
 * release's, with their declarations as written), indexes and triggers are carried over. Tables
 * this package does not own (schema_migrations, the scheduler's tables, newer releases' tables)
 * are never touched.
 */
import type { QueryRunner } from 'typeorm';
import { formatTimestamp } from '../../codec/timestamp';
import { sqliteIntrospection as db } from '../../dialect';
import { MigrationError } from '../../errors';
import { indexName, type BaselineTable } from '../baseline-table';
import { quoteIdentifier as quote } from './table-definition';
import { REBUILD_PREFIX, rebuildTable, type TableRebuild } from './table-rebuild';

export interface AdoptionReport {
  /** No application table existed: a fresh install. */
  fresh: boolean;
  created: string[];
  rebuilt: string[];
  indexesCreated: string[];
  /** Tables the baseline does not define (a newer release's, another program's), left as they were, with their row counts. */
  unknownTablesKept: string[];
  /** Columns found in known tables that the baseline does not define; kept with their declarations. */
  unknownColumnsKept: string[];
  /** Constraints, indexes and triggers of rebuilt tables that the baseline does not define; kept as written. */
  unknownObjectsKept: string[];
  /** Legacy data steps that ran, with what they did. */
  dataSteps: string[];
}

/** Tables of the legacy layer itself and of TypeORM, which are neither application tables nor unknown. */
const BOOKKEEPING_TABLES = new Set(['schema_migrations', 'typeorm_migrations']);

export async function createOrAdoptSchema(qr: QueryRunner, baseline: BaselineTable[]): Promise<AdoptionReport> {
  const existingBefore = new Set(await db.tableNames(qr));
  const report: AdoptionReport = {
    fresh: !baseline.some((t) => existingBefore.has(t.name)),
    created: [],
    rebuilt: [],
    indexesCreated: [],
    unknownTablesKept: [],
    unknownColumnsKept: [],
    unknownObjectsKept: [],
    dataSteps: [],
  };
  const leftover = [...existingBefore].filter((name) => name.startsWith(REBUILD_PREFIX));
  if (leftover.length) throw new MigrationError(`unexpected leftover tables from an interrupted rebuild: ${leftover.join(', ')}`);
  const own = new Set(baseline.map((t) => t.name));
  for (const name of existingBefore) {
    if (!own.has(name) && !BOOKKEEPING_TABLES.has(name)) report.unknownTablesKept.push(`${name} (${await db.rowCount(qr, name)} rows)`);
  }

  for (const table of baseline) {
    if (!existingBefore.has(table.name)) {
      await qr.query(table.create);
      report.created.push(table.name);
    } else if ((await db.tableSql(qr, table.name)) !== table.create) {
      const result = await rebuildTable(qr, await adoptionRebuild(qr, table, report));
      report.rebuilt.push(table.name);
      report.unknownColumnsKept.push(...result.keptColumns.map((c) => `${table.name}.${c}`));
      report.unknownObjectsKept.push(
        ...result.keptConstraints.map((c) => `constraint ${c} of ${table.name}`),
        ...result.keptIndexes.map((i) => `index ${i} on ${table.name}`),
        ...result.keptTriggers.map((t) => `trigger ${t} on ${table.name}`),
      );
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

/**
 * The rebuild into the baseline shape. The baseline's indexes are created by createMissingIndexes
 * (and reported there); two pre-history shapes (LEGACY_MIGRATIONS.md §3 state A) need more than a
 * copy by column name.
 */
async function adoptionRebuild(qr: QueryRunner, table: BaselineTable, report: AdoptionReport): Promise<TableRebuild> {
  const columns = new Set((await db.columns(qr, table.name)).map((c) => c.name));
  const rebuild: TableRebuild = { table: table.name, create: table.create, dropIndexes: table.indexes.map(indexName) };
  if (table.name === 'agent_skills' && columns.has('skill_id') && !columns.has('skill_name')) {
    return { ...rebuild, renamedColumns: { skill_name: 'skill_id' } };
  }
  if (table.name === 'agent_sharing' && columns.has('shared_with_id') && !columns.has('shared_with_email')) {
    return { ...rebuild, dropColumns: ['shared_with_id'], copyRows: (runner, into) => copySharesByUserEmail(runner, into, report) };
  }
  return rebuild;
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
