/**
 * A trinity.db as a later release of the platform leaves it: the newest legacy fixture plus, in
 * plain SQL, what such a release adds and this package does not define: tables (one WITHOUT ROWID,
 * one with AUTOINCREMENT and deleted rows), columns of known tables with NOT NULL, DEFAULT, CHECK,
 * COLLATE and REFERENCES, a known table re-created with table constraints on its new column,
 * partial (and UNIQUE) indexes, triggers on a known table and on a new table that writes to a
 * known one, and a view over a known table. Rows use the new columns and tables.
 */
import { legacyFixtureCopy } from './databases';
import { withDatabase } from './sqlite-snapshot';

export const NEWER_RELEASE_BASE = 'trinity-2026-04-01-8068f0db.db';

export interface NewerReleaseFile {
  url: string;
  path: string;
  /** Tables this package does not define, with the rows they hold. */
  tables: Record<string, number>;
  /** Columns added to known tables, with their definitions exactly as written. */
  columns: { table: string; name: string; definition: string }[];
  /** Table constraints on the added columns, as written. */
  constraints: { table: string; sql: string }[];
  /** Indexes the release added to known tables. */
  knownTableIndexes: string[];
  /** Indexes of the tables this package does not define. */
  unknownTableIndexes: string[];
  /** Triggers on known tables. */
  knownTableTriggers: string[];
  /** Triggers on the tables this package does not define. */
  unknownTableTriggers: string[];
  views: string[];
}

const COLUMNS: NewerReleaseFile['columns'] = [
  { table: 'agent_public_links', name: 'type', definition: `type TEXT NOT NULL DEFAULT 'public' CHECK (type IN ('public', 'private', 'team'))` },
  { table: 'email_whitelist', name: 'default_role', definition: `default_role TEXT NOT NULL DEFAULT 'user'` },
  { table: 'agent_ownership', name: 'deleted_at', definition: 'deleted_at TEXT' },
  { table: 'agent_schedules', name: 'deleted_at', definition: 'deleted_at TEXT' },
  { table: 'schedule_executions', name: 'retry_count', definition: 'retry_count INTEGER NOT NULL DEFAULT 0 CHECK (retry_count >= 0)' },
  { table: 'schedule_executions', name: 'loop_id', definition: 'loop_id TEXT REFERENCES agent_loops(id)' },
  { table: 'schedule_executions', name: 'queued_at', definition: 'queued_at TEXT' },
  { table: 'users', name: 'locale', definition: `locale TEXT NOT NULL DEFAULT 'en' COLLATE NOCASE` },
  { table: 'agent_tags', name: 'color', definition: 'color TEXT COLLATE NOCASE' },
];

const CONSTRAINTS: NewerReleaseFile['constraints'] = [
  { table: 'agent_tags', sql: 'CHECK (color IS NULL OR length(color) = 7)' },
  { table: 'agent_tags', sql: 'UNIQUE (agent_name, color)' },
];

/** A private copy of the newest legacy fixture, turned into a newer release's file. */
export function newerReleaseCopy(): NewerReleaseFile {
  const copy = legacyFixtureCopy(NEWER_RELEASE_BASE);
  withDatabase(
    copy.path,
    (db) => {
      db.pragma('foreign_keys = OFF'); // as the Python layer runs
      db.exec(`
        CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          event_type TEXT NOT NULL,
          actor TEXT,
          target TEXT,
          details TEXT,
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f', 'now'))
        );
        CREATE INDEX idx_audit_log_target ON audit_log (target, created_at DESC);
        CREATE TABLE agent_loops (
          id TEXT PRIMARY KEY,
          agent_name TEXT NOT NULL,
          status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'paused', 'done')),
          iterations INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL
        );
        CREATE TABLE agent_sessions (
          agent_name TEXT NOT NULL COLLATE NOCASE,
          session_id TEXT NOT NULL,
          started_at TEXT NOT NULL,
          PRIMARY KEY (agent_name, session_id)
        ) WITHOUT ROWID;
      `);
      for (const { table, definition } of COLUMNS.filter((c) => c.table !== 'agent_tags')) {
        db.exec(`ALTER TABLE ${table} ADD COLUMN ${definition}`);
      }
      // A table the release re-created in its own shape, with constraints on its new column.
      const tags = COLUMNS.find((c) => c.table === 'agent_tags')!;
      db.exec(`
        CREATE TABLE agent_tags_next (
          agent_name TEXT NOT NULL,
          tag TEXT NOT NULL,
          created_at TEXT DEFAULT CURRENT_TIMESTAMP,
          ${tags.definition},
          PRIMARY KEY (agent_name, tag),
          FOREIGN KEY (agent_name) REFERENCES agent_ownership(agent_name) ON DELETE CASCADE,
          ${CONSTRAINTS.map((c) => c.sql).join(',\n          ')}
        );
        INSERT INTO agent_tags_next (agent_name, tag, created_at) SELECT agent_name, tag, created_at FROM agent_tags;
        DROP TABLE agent_tags;
        ALTER TABLE agent_tags_next RENAME TO agent_tags;
        CREATE INDEX idx_agent_tags_tag ON agent_tags(tag);
        CREATE INDEX idx_agent_tags_agent ON agent_tags(agent_name);
      `);
      db.exec(`
        CREATE UNIQUE INDEX idx_schedules_live_name ON agent_schedules (agent_name, name) WHERE deleted_at IS NULL;
        CREATE INDEX idx_executions_loop ON schedule_executions (loop_id) WHERE loop_id IS NOT NULL;
        CREATE TRIGGER trg_agent_ownership_soft_delete AFTER UPDATE OF deleted_at ON agent_ownership
          WHEN new.deleted_at IS NOT NULL
          BEGIN INSERT INTO audit_log (event_type, target) VALUES ('agent_deleted', new.agent_name); END;
        CREATE TRIGGER trg_agent_loops_started AFTER INSERT ON agent_loops
          BEGIN
            INSERT INTO audit_log (event_type, target) VALUES ('loop_started', new.agent_name);
            UPDATE agent_ownership SET autonomy_enabled = 1 WHERE agent_name = new.agent_name;
          END;
        CREATE VIEW live_agents AS SELECT agent_name, owner_id FROM agent_ownership WHERE deleted_at IS NULL;
      `);
      // Rows that use all of it.
      db.exec(`
        INSERT INTO agent_loops (id, agent_name, created_at) VALUES ('loop-1', 'research-bot', '2026-04-20T08:00:00');
        INSERT INTO agent_loops (id, agent_name, status, iterations, created_at) VALUES ('loop-2', 'ops-agent', 'done', 12, '2026-04-21T08:00:00');
        UPDATE agent_ownership SET deleted_at = '2026-04-22T10:00:00' WHERE agent_name = 'legacy-importer';
        INSERT INTO audit_log (event_type, actor, target, details) VALUES ('login', 'admin', NULL, '{"ip": "10.0.0.1"}');
        INSERT INTO audit_log (event_type, actor, target) VALUES ('scratch', 'admin', 'nothing');
        DELETE FROM audit_log WHERE event_type = 'scratch';
        INSERT INTO agent_sessions VALUES ('Research-Bot', 's-1', '2026-04-20T08:00:00'), ('ops-agent', 's-2', '2026-04-21T08:00:00');
        UPDATE agent_public_links SET type = 'team' WHERE token = 'v8H4ptPQN4G_6E42a5KcV10noPg91XhN';
        UPDATE email_whitelist SET default_role = 'admin' WHERE id = 2;
        UPDATE agent_schedules SET deleted_at = '2026-04-22T11:00:00' WHERE id = 'qg9weOP5be4UbjmA5lwBDw';
        INSERT INTO agent_schedules (id, agent_name, name, cron_expression, message, owner_id, created_at, updated_at, deleted_at)
          VALUES ('deleted-twin', 'ops-agent', 'Weekly report', '0 9 * * 1', 'report', 2, '2026-04-01T00:00:00', '2026-04-01T00:00:00', '2026-04-02T00:00:00');
        UPDATE schedule_executions SET retry_count = 2, loop_id = 'loop-1', queued_at = '2026-04-20T07:59:58' WHERE id = 'MgSQC1PtFpTkF70fcatXRQ';
        UPDATE users SET locale = 'de' WHERE id = 2;
        UPDATE agent_tags SET color = '#ff8800' WHERE rowid = (SELECT MIN(rowid) FROM agent_tags);
      `);
    },
    false,
  );
  const tables = withDatabase(copy.path, (db) => {
    const count = (t: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    return { audit_log: count('audit_log'), agent_loops: count('agent_loops'), agent_sessions: count('agent_sessions') };
  });
  return {
    ...copy,
    tables,
    columns: COLUMNS,
    constraints: CONSTRAINTS,
    knownTableIndexes: ['idx_schedules_live_name', 'idx_executions_loop'],
    unknownTableIndexes: ['idx_audit_log_target'],
    knownTableTriggers: ['trg_agent_ownership_soft_delete'],
    unknownTableTriggers: ['trg_agent_loops_started'],
    views: ['live_agents'],
  };
}
