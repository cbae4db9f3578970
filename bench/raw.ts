/**
 * Raw-driver versions of the statements the benchmarked facade calls run: better-sqlite3 prepared
 * statements on a separate connection to the same file, or a `pg` Pool of the same size with
 * parameterised queries. Same SQL, same parameters, same legacy text formats on SQLite; rows are
 * returned as the driver gives them, with only the conversions a hand-written caller would need
 * (no codecs, no validation).
 */
import { createHash, randomBytes, randomUUID } from 'crypto';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { formatTimestamp } from '../src/codec/timestamp';
import { placeholders } from '../src/dialect';
import { StatementWithSettings } from '../src/sql/postgres';

type Row = Record<string, any>;

export interface RawDriver {
  getUserByUsername(username: string): Promise<Row | null>;
  validateMcpApiKey(apiKey: string): Promise<Row | null>;
  canUserAccessAgent(username: string, agentName: string): Promise<boolean>;
  createScheduleExecution(scheduleId: string, agentName: string, message: string): Promise<Row>;
  updateExecutionStatus(executionId: string, status: string, response: string, cost: number): Promise<boolean>;
  addChatMessage(sessionId: string, agentName: string, userId: number, userEmail: string, role: string, content: string): Promise<Row>;
  createActivity(agentName: string, activityType: string, userId: number): Promise<string>;
  getAgentExecutions(agentName: string, limit: number): Promise<Row[]>;
  getAllAgentsExecutionStats(hours: number): Promise<Row[]>;
  getAgentTags(agentName: string): Promise<string[]>;
  getPermittedAgents(sourceAgent: string): Promise<string[]>;
  /** `SELECT 1`: the cost of one statement and nothing else. */
  selectOne(): Promise<Row[]>;
  close(): Promise<void>;
}

const SUMMARY_COLUMNS =
  'id, schedule_id, agent_name, status, started_at, completed_at, duration_ms, message, triggered_by, context_used, context_max, cost, source_user_id, source_user_email, source_agent_name, source_mcp_key_id, source_mcp_key_name, claude_session_id, model_used, fan_out_id';
const EXECUTION_COLUMNS = `${SUMMARY_COLUMNS}, response, error, tool_calls, execution_log, subscription_id`;
const USER_COLUMNS = 'id, username, password_hash, role, auth0_sub, name, picture, email, created_at, updated_at, last_login';
const MESSAGE_COLUMNS =
  'id, session_id, agent_name, user_id, user_email, role, content, timestamp, cost, context_used, context_max, tool_calls, execution_time_ms, source, subscription_id, output_tokens';
const KEY_SELECT = `SELECT k.id, k.name, k.description, k.key_prefix, k.created_at, k.last_used_at, k.usage_count,
       k.is_active, k.user_id, k.agent_name, k.scope, u.username, u.email AS user_email
  FROM mcp_api_keys k JOIN users u ON u.id = k.user_id`;

/** The statements, with `?` placeholders (and per-driver fragments), as the repositories spell them. */
function statements(driver: 'sqlite' | 'postgres') {
  const startedAt = driver === 'sqlite' ? `strftime('%Y-%m-%dT%H:%M:%f', started_at)` : 'started_at';
  const binary = (e: string) => (driver === 'sqlite' ? e : `${e} COLLATE "C"`);
  const statusSums = ['success', 'failed', 'running'].map((s) => `SUM(CASE WHEN status = '${s}' THEN 1 ELSE 0 END) AS ${s}_count`).join(', ');
  return {
    user: `SELECT ${USER_COLUMNS} FROM users WHERE username = ? ORDER BY id LIMIT 1`,
    keyByHash: `${KEY_SELECT} WHERE k.key_hash = ?`,
    keyUse: `UPDATE mcp_api_keys SET last_used_at = ?, usage_count = COALESCE(usage_count, 0) + 1 WHERE id = ? AND is_active = ?`,
    owner: `SELECT o.id, o.agent_name, o.owner_id, u.username AS owner_username, o.created_at, o.is_system
         FROM agent_ownership o JOIN users u ON o.owner_id = u.id
        WHERE o.agent_name = ?`,
    shared: `SELECT 1 AS found FROM agent_sharing WHERE agent_name = ? AND shared_with_email = ? LIMIT 1`,
    insertExecution: `INSERT INTO schedule_executions (id, schedule_id, agent_name, status, started_at, message, triggered_by, source_user_id, source_user_email,
         source_agent_name, source_mcp_key_id, source_mcp_key_name, model_used, fan_out_id, subscription_id)
       VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    executionStart: `SELECT started_at FROM schedule_executions WHERE id = ?`,
    executionFinish: `UPDATE schedule_executions SET status = ?, completed_at = ?, duration_ms = ?, response = ?, error = ?, context_used = ?,
         context_max = ?, cost = ?, tool_calls = ?, execution_log = ?, claude_session_id = ? WHERE id = ?`,
    insertMessage: `INSERT INTO chat_messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    bumpSession: `UPDATE chat_sessions SET last_message_at = ?, message_count = message_count + 1, total_cost = total_cost + ?,
           total_context_used = COALESCE(?, total_context_used), total_context_max = COALESCE(?, total_context_max)
         WHERE id = ?`,
    insertActivity: `INSERT INTO agent_activities (id, agent_name, activity_type, activity_state, parent_activity_id, started_at, user_id, triggered_by,
         related_chat_message_id, related_execution_id, details, error, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    agentExecutions: `SELECT ${EXECUTION_COLUMNS} FROM schedule_executions WHERE agent_name = ? ORDER BY started_at DESC, id DESC LIMIT ?`,
    fleetStats: `SELECT agent_name, COUNT(*) AS task_count, ${statusSums}, SUM(COALESCE(cost, 0)) AS total_cost,
         MAX(${startedAt}) AS last_execution_at
       FROM schedule_executions WHERE ${startedAt} > ? GROUP BY agent_name ORDER BY ${binary('agent_name')}`,
    tags: `SELECT tag FROM agent_tags WHERE agent_name = ? ORDER BY ${binary('tag')}`,
    permitted: `SELECT target_agent FROM agent_permissions WHERE source_agent = ? ORDER BY ${binary('target_agent')}`,
  };
}

export type StatementName = keyof ReturnType<typeof statements>;

/** The benchmarked statements with `$n` placeholders on PostgreSQL (for EXPLAIN). */
export function statementTexts(driver: 'sqlite' | 'postgres'): Record<StatementName, string> {
  const s = statements(driver);
  if (driver === 'sqlite') return s;
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, placeholders(driver, v)])) as Record<StatementName, string>;
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');
const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const sqliteSince = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString().slice(0, 23);

/** `pragmas`: the facade connection's (journal_mode = WAL, synchronous, busy_timeout, foreign_keys = OFF). */
export function rawSqlite(file: string, pragmas: string[]): RawDriver {
  const db = new Database(file);
  for (const pragma of pragmas) db.pragma(pragma);
  const sql = statements('sqlite');
  const st = Object.fromEntries(Object.entries(sql).map(([k, v]) => [k, db.prepare(v)])) as Record<StatementName, Database.Statement>;
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  const selectOne = db.prepare('SELECT 1 AS one');
  const rollback = db.prepare('ROLLBACK');
  const user = (username: string) => (st.user.get(username) as Row | undefined) ?? null;
  return {
    async getUserByUsername(username) {
      return user(username);
    },
    async validateMcpApiKey(apiKey) {
      const key = st.keyByHash.get(hashKey(apiKey)) as Row | undefined;
      if (!key || !key.is_active) return null;
      const { changes } = st.keyUse.run(formatTimestamp(new Date(), 'naive'), key.id, 1);
      if (!changes) return null;
      return { key_id: key.id, key_name: key.name, user_id: key.username, user_email: key.user_email, agent_name: key.agent_name, scope: key.scope };
    },
    async canUserAccessAgent(username, agentName) {
      const u = user(username);
      if (!u) return false;
      if (u.role === 'admin') return true;
      const owner = st.owner.get(agentName) as Row | undefined;
      if (owner && owner.owner_username === username) return true;
      if (!u.email) return false;
      return st.shared.get(agentName, String(u.email).toLowerCase()) !== undefined;
    },
    async createScheduleExecution(scheduleId, agentName, message) {
      const id = token(16);
      const now = new Date();
      st.insertExecution.run(id, scheduleId, agentName, formatTimestamp(now, 'Z6'), message, 'schedule', null, null, null, null, null, null, null, null);
      return { id, schedule_id: scheduleId, agent_name: agentName, status: 'running', started_at: now, message };
    },
    async updateExecutionStatus(executionId, status, response, cost) {
      const row = st.executionStart.get(executionId) as Row | undefined;
      if (!row) return false;
      const completed = new Date();
      const duration = completed.getTime() - Date.parse(row.started_at);
      const { changes } = st.executionFinish.run(status, formatTimestamp(completed, 'Z6'), duration, response, null, null, null, cost, null, null, null, executionId);
      return changes > 0;
    },
    async addChatMessage(sessionId, agentName, userId, userEmail, role, content) {
      const id = token(16);
      const now = formatTimestamp(new Date(), 'naive');
      begin.run();
      try {
        st.insertMessage.run(id, sessionId, agentName, userId, userEmail, role, content, now, null, null, null, null, null, 'text', null, null);
        st.bumpSession.run(now, 0, null, null, sessionId);
        commit.run();
      } catch (error) {
        rollback.run();
        throw error;
      }
      return { id, session_id: sessionId, agent_name: agentName, user_id: userId, user_email: userEmail, role, content, timestamp: now };
    },
    async createActivity(agentName, activityType, userId) {
      const id = randomUUID();
      const now = formatTimestamp(new Date(), 'Z6');
      st.insertActivity.run(id, agentName, activityType, 'started', null, now, userId, 'user', null, null, null, null, now);
      return id;
    },
    async getAgentExecutions(agentName, limit) {
      return st.agentExecutions.all(agentName, limit) as Row[];
    },
    async getAllAgentsExecutionStats(hours) {
      return st.fleetStats.all(sqliteSince(hours)) as Row[];
    },
    async getAgentTags(agentName) {
      return (st.tags.all(agentName) as Row[]).map((r) => r.tag);
    },
    async getPermittedAgents(sourceAgent) {
      return (st.permitted.all(sourceAgent) as Row[]).map((r) => r.target_agent);
    },
    async selectOne() {
      return selectOne.all() as Row[];
    },
    async close() {
      db.close();
    },
  };
}

export function rawPostgres(
  url: string,
  poolMax: number,
): RawDriver & { pool: Pool; selectOneExtended(): Promise<Row[]>; selectOneWithSettings(prelude: string): Promise<Row[]> } {
  // No startup options (a transaction pooler refuses them); Dates are sent with their offset.
  const pool = new Pool({ connectionString: url, max: poolMax });
  const sql = statementTexts('postgres');
  const q = (text: string, values: unknown[]) => pool.query(text, values);
  const user = async (username: string) => (await q(sql.user, [username])).rows[0] ?? null;
  return {
    pool,
    getUserByUsername: user,
    async validateMcpApiKey(apiKey) {
      const key = (await q(sql.keyByHash, [hashKey(apiKey)])).rows[0];
      if (!key || !key.is_active) return null;
      const { rowCount } = await q(sql.keyUse, [new Date(), key.id, true]);
      if (!rowCount) return null;
      return { key_id: key.id, key_name: key.name, user_id: key.username, user_email: key.user_email, agent_name: key.agent_name, scope: key.scope };
    },
    async canUserAccessAgent(username, agentName) {
      const u = await user(username);
      if (!u) return false;
      if (u.role === 'admin') return true;
      const owner = (await q(sql.owner, [agentName])).rows[0];
      if (owner && owner.owner_username === username) return true;
      if (!u.email) return false;
      return (await q(sql.shared, [agentName, String(u.email).toLowerCase()])).rows.length > 0;
    },
    async createScheduleExecution(scheduleId, agentName, message) {
      const id = token(16);
      const now = new Date();
      await q(sql.insertExecution, [id, scheduleId, agentName, now, message, 'schedule', null, null, null, null, null, null, null, null]);
      return { id, schedule_id: scheduleId, agent_name: agentName, status: 'running', started_at: now, message };
    },
    async updateExecutionStatus(executionId, status, response, cost) {
      const row = (await q(sql.executionStart, [executionId])).rows[0];
      if (!row) return false;
      const completed = new Date();
      const duration = completed.getTime() - (row.started_at as Date).getTime();
      const { rowCount } = await q(sql.executionFinish, [status, completed, duration, response, null, null, null, cost, null, null, null, executionId]);
      return (rowCount ?? 0) > 0;
    },
    async addChatMessage(sessionId, agentName, userId, userEmail, role, content) {
      const id = token(16);
      const now = new Date();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(sql.insertMessage, [id, sessionId, agentName, userId, userEmail, role, content, now, null, null, null, null, null, 'text', null, null]);
        await client.query(sql.bumpSession, [now, 0, null, null, sessionId]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
      return { id, session_id: sessionId, agent_name: agentName, user_id: userId, user_email: userEmail, role, content, timestamp: now };
    },
    async createActivity(agentName, activityType, userId) {
      const id = randomUUID();
      const now = new Date();
      await q(sql.insertActivity, [id, agentName, activityType, 'started', null, now, userId, 'user', null, null, null, null, now]);
      return id;
    },
    async getAgentExecutions(agentName, limit) {
      return (await q(sql.agentExecutions, [agentName, limit])).rows;
    },
    async getAllAgentsExecutionStats(hours) {
      return (await q(sql.fleetStats, [new Date(Date.now() - hours * 3_600_000)])).rows;
    },
    async getAgentTags(agentName) {
      return (await q(sql.tags, [agentName])).rows.map((r) => r.tag);
    },
    async getPermittedAgents(sourceAgent) {
      return (await q(sql.permitted, [sourceAgent])).rows.map((r) => r.target_agent);
    },
    async selectOne() {
      return (await pool.query('SELECT 1 AS one')).rows;
    },
    /** `SELECT 1` as the extended protocol sends a statement with parameters (Parse, Bind, Execute, Sync). */
    async selectOneExtended() {
      return (await pool.query({ text: 'SELECT 1 AS one', queryMode: 'extended' } as { text: string })).rows;
    },
    /** The same behind the executor's settings prelude, in the same round trip (src/sql/postgres.ts). */
    async selectOneWithSettings(prelude) {
      const client = await pool.connect();
      try {
        return (await client.query(new StatementWithSettings(prelude, { text: 'SELECT 1 AS one' })).result).rows as Row[];
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
