import type { SqlExecutor } from '../sql/executor';
import { ChatMessage as ChatMessageEntity, ChatSession as ChatSessionEntity } from '../entity';
import { parseJson } from '../codec/python-json';
import { InputValidationError } from '../errors';
import type { ChatMessage, ChatSession } from '../model/chat.model';
import { ChatMessageOptions } from '../model/chat.model';
import { requireInteger, requireString, validateInput } from '../model/validate';
import { BaseRepository } from './base.repository';
import { tokenUrlsafe } from './ids';

const SESSION_COLUMNS =
  'id, agent_name, user_id, user_email, started_at, last_message_at, message_count, total_cost, total_context_used, total_context_max, status, subscription_id';
const MESSAGE_COLUMNS =
  'id, session_id, agent_name, user_id, user_email, role, content, timestamp, cost, context_used, context_max, tool_calls, execution_time_ms, source, subscription_id, output_tokens';

const MESSAGE_COLUMN_LIST = MESSAGE_COLUMNS.split(', ');

/** Authenticated chat sessions and their messages (Python `ChatOperations`). */
export class ChatRepository extends BaseRepository {
  /**
   * Returns the user's active session with the agent (newest first) as it is, else creates one.
   * Keyed on user_id; user_email and subscription_id of an existing session are not updated.
   */
  async getOrCreateChatSession(agentName: string, userId: number, userEmail: string, subscriptionId: string | null = null): Promise<ChatSession> {
    this.checkSessionArgs(agentName, userId, userEmail, subscriptionId);
    return this.atomically(async (chats) => {
      // Nothing in the schema makes the active session unique: concurrent first messages serialise here.
      if (this.sql.keyLock) await chats.select(this.sql.keyLock, [`chat_sessions:${agentName}:${userId}`]);
      const rows = await chats.select<Record<string, unknown>>(
        `SELECT ${SESSION_COLUMNS} FROM chat_sessions WHERE agent_name = ? AND user_id = ? AND status = 'active'
         ORDER BY last_message_at DESC, id DESC LIMIT 1`,
        [agentName, userId],
      );
      if (rows.length) return chats.toSession(rows[0]);
      return chats.insertSession(agentName, userId, userEmail, subscriptionId);
    });
  }

  /**
   * Inserts a message and updates its session's counters in one transaction: message_count + 1,
   * total_cost + cost, context values replaced by the latest non-null ones. The session is not
   * checked: with an unknown id only the message is written.
   * @param opts Python's keyword arguments: cost, contextUsed, contextMax, toolCalls, executionTimeMs, source, subscriptionId, outputTokens.
   */
  async addChatMessage(
    sessionId: string,
    agentName: string,
    userId: number,
    userEmail: string,
    role: string,
    content: string,
    opts: Partial<ChatMessageOptions> = {},
  ): Promise<ChatMessage> {
    requireString('sessionId', sessionId);
    requireString('agentName', agentName);
    requireInteger('userId', userId);
    requireString('userEmail', userEmail, { allowEmpty: true });
    requireString('role', role);
    requireString('content', content, { allowEmpty: true });
    const o = validateInput(ChatMessageOptions, opts ?? {}, 'opts');
    const toolCalls = parseToolCalls(o.toolCalls);
    const now = this.now();
    const id = tokenUrlsafe(16);
    const values = [
      id,
      sessionId,
      agentName,
      userId,
      userEmail,
      role,
      content,
      this.encode(ChatMessageEntity, 'timestamp', now),
      o.cost ?? null,
      o.contextUsed ?? null,
      o.contextMax ?? null,
      this.encode(ChatMessageEntity, 'tool_calls', toolCalls ?? null),
      o.executionTimeMs ?? null,
      o.source || 'text',
      o.subscriptionId ?? null,
      o.outputTokens ?? null,
    ];
    return this.atomically(async (chats) => {
      await chats.execute(`INSERT INTO chat_messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, values);
      // One atomic UPDATE: concurrent messages never lose a count.
      await chats.execute(
        `UPDATE chat_sessions SET last_message_at = ?, message_count = message_count + 1, total_cost = total_cost + ?,
           total_context_used = COALESCE(?, total_context_used), total_context_max = COALESCE(?, total_context_max)
         WHERE id = ?`,
        [chats.encode(ChatSessionEntity, 'last_message_at', now), o.cost ?? 0, o.contextUsed ?? null, o.contextMax ?? null, sessionId],
      );
      // The row is what was just bound (every column is written explicitly), so it is not read back,
      // except tool_calls JSON, which the database may normalise (jsonb key order on PostgreSQL).
      if (toolCalls !== null && toolCalls !== undefined) {
        const [row] = await chats.select<Record<string, unknown>>(`SELECT ${MESSAGE_COLUMNS} FROM chat_messages WHERE id = ?`, [id]);
        return chats.toMessage(row);
      }
      return chats.toMessage(Object.fromEntries(MESSAGE_COLUMN_LIST.map((column, i) => [column, values[i]])));
    });
  }

  async getChatSession(sessionId: string): Promise<ChatSession | null> {
    const rows = await this.select<Record<string, unknown>>(`SELECT ${SESSION_COLUMNS} FROM chat_sessions WHERE id = ?`, [sessionId]);
    return rows.length ? this.toSession(rows[0]) : null;
  }

  /** The latest `limit` messages of the session, oldest first (ties on the timestamp by id). */
  async getChatMessages(sessionId: string, limit = 100): Promise<ChatMessage[]> {
    requireInteger('limit', limit);
    const [latest, params] = this.withLimit(
      `SELECT ${MESSAGE_COLUMNS} FROM chat_messages WHERE session_id = ? ORDER BY timestamp DESC, id DESC`,
      [sessionId],
      limit,
    );
    const rows = await this.select<Record<string, unknown>>(`SELECT ${MESSAGE_COLUMNS} FROM (${latest}) latest ORDER BY timestamp ASC, id ASC`, params);
    return rows.map((row) => this.toMessage(row));
  }

  /** Messages of all the agent's sessions, newest first; a falsy userId (null, 0) means all users. */
  async getAgentChatHistory(agentName: string, userId: number | null = null, limit = 100): Promise<ChatMessage[]> {
    requireInteger('limit', limit);
    const params: unknown[] = [agentName];
    let where = 'agent_name = ?';
    if (userId) {
      where += ' AND user_id = ?';
      params.push(userId);
    }
    const rows = await this.select<Record<string, unknown>>(
      ...this.withLimit(`SELECT ${MESSAGE_COLUMNS} FROM chat_messages WHERE ${where} ORDER BY timestamp DESC, id DESC`, params, limit),
    );
    return rows.map((row) => this.toMessage(row));
  }

  /** The agent's sessions, most recently active first; falsy filters are not applied. No limit. */
  async getAgentChatSessions(agentName: string, userId: number | null = null, status: string | null = null): Promise<ChatSession[]> {
    const params: unknown[] = [agentName];
    let where = 'agent_name = ?';
    if (userId) {
      where += ' AND user_id = ?';
      params.push(userId);
    }
    if (status) {
      where += ' AND status = ?';
      params.push(status);
    }
    const rows = await this.select<Record<string, unknown>>(
      `SELECT ${SESSION_COLUMNS} FROM chat_sessions WHERE ${where} ORDER BY last_message_at DESC, id DESC`,
      params,
    );
    return rows.map((row) => this.toSession(row));
  }

  /** Marks the session closed; true when it exists (also when it was already closed). */
  async closeChatSession(sessionId: string): Promise<boolean> {
    const { affected } = await this.execute(`UPDATE chat_sessions SET status = 'closed' WHERE id = ?`, [sessionId]);
    return affected > 0;
  }

  /** Closes every active session of (agent, user) and creates a new one, in one transaction. */
  async createNewChatSession(agentName: string, userId: number, userEmail: string, subscriptionId: string | null = null): Promise<ChatSession> {
    this.checkSessionArgs(agentName, userId, userEmail, subscriptionId);
    return this.atomically(async (chats) => {
      await chats.execute(`UPDATE chat_sessions SET status = 'closed' WHERE agent_name = ? AND user_id = ? AND status = 'active'`, [agentName, userId]);
      return chats.insertSession(agentName, userId, userEmail, subscriptionId);
    });
  }

  /** Deletes the session's messages, then the session; true when the session existed. */
  async deleteChatSession(sessionId: string): Promise<boolean> {
    return this.atomically(async (chats) => {
      await chats.execute(`DELETE FROM chat_messages WHERE session_id = ?`, [sessionId]);
      const { affected } = await chats.execute(`DELETE FROM chat_sessions WHERE id = ?`, [sessionId]);
      return affected > 0;
    });
  }

  private checkSessionArgs(agentName: unknown, userId: unknown, userEmail: unknown, subscriptionId: unknown): void {
    requireString('agentName', agentName);
    requireInteger('userId', userId);
    requireString('userEmail', userEmail, { allowEmpty: true });
    if (subscriptionId !== null && subscriptionId !== undefined) requireString('subscriptionId', subscriptionId, { allowEmpty: true });
  }

  /** INSERT with the DB defaults for counters and status, then re-read (as Python does). */
  private async insertSession(agentName: string, userId: number, userEmail: string, subscriptionId: string | null): Promise<ChatSession> {
    const id = tokenUrlsafe(16);
    const now = this.now();
    await this.execute(
      `INSERT INTO chat_sessions (id, agent_name, user_id, user_email, started_at, last_message_at, subscription_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [id, agentName, userId, userEmail, this.encode(ChatSessionEntity, 'started_at', now), this.encode(ChatSessionEntity, 'last_message_at', now), subscriptionId ?? null],
    );
    const [row] = await this.select<Record<string, unknown>>(`SELECT ${SESSION_COLUMNS} FROM chat_sessions WHERE id = ?`, [id]);
    return this.toSession(row);
  }

  private toSession(row: Record<string, unknown>): ChatSession {
    const s = this.decodeRow<ChatSession>(ChatSessionEntity, row);
    return { ...s, user_id: Number(s.user_id), total_cost: s.total_cost === null ? s.total_cost : Number(s.total_cost) };
  }

  private toMessage(row: Record<string, unknown>): ChatMessage {
    const m = this.decodeRow<ChatMessage>(ChatMessageEntity, row);
    return { ...m, user_id: Number(m.user_id) };
  }
}

/** Python callers pass tool_calls as JSON text; it is stored as JSON, so the text must parse. */
function parseToolCalls(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return parseJson(value);
  } catch {
    throw new InputValidationError('toolCalls', 'expected JSON text or a JSON value');
  }
}
