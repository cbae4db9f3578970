import type { SqlExecutor } from '../sql/executor';
import { PublicChatMessage as MessageEntity, PublicChatSession as SessionEntity } from '../entity';
import { InputValidationError } from '../errors';
import type { PublicChatMessage, PublicChatSession } from '../model/public-chat.model';
import { requireInteger, requireString } from '../model/validate';
import { BaseRepository } from './base.repository';
import { tokenUrlsafe } from './ids';

/** The first line of every prompt built for a public-link visitor. */
export const PUBLIC_LINK_MODE_HEADER = '### Trinity: Public Link Access Mode';

const SESSION_COLUMNS = 'id, link_id, session_identifier, identifier_type, created_at, last_message_at, message_count, total_cost';
const MESSAGE_COLUMNS = 'id, session_id, role, content, timestamp, cost';

/** Conversations of public-link visitors (Python `PublicChatOperations`). */
export class PublicChatRepository extends BaseRepository {
  /**
   * The session of (link, identifier), created when missing. The identifier is lower-cased only when
   * `identifierType` is exactly 'email'. Concurrent callers get the same session (no UNIQUE error).
   */
  async getOrCreateSession(linkId: string, sessionIdentifier: string, identifierType: string): Promise<PublicChatSession> {
    requireString('linkId', linkId);
    requireString('sessionIdentifier', sessionIdentifier);
    requireString('identifierType', identifierType);
    const identifier = identifierType === 'email' ? sessionIdentifier.toLowerCase() : sessionIdentifier;
    const existing = await this.findSession(linkId, identifier);
    if (existing) return existing;
    const now = this.encode(SessionEntity, 'created_at', this.now());
    await this.execute(
      `INSERT INTO public_chat_sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 0, 0.0)
       ON CONFLICT (link_id, session_identifier) DO NOTHING`,
      [tokenUrlsafe(16), linkId, identifier, identifierType, now, now],
    );
    return (await this.findSession(linkId, identifier))!;
  }

  /**
   * Looks the identifier up lower-cased, whatever its type: an anonymous id with upper-case letters
   * is never found here (legacy behaviour, kept).
   */
  async getSessionByIdentifier(linkId: string, sessionIdentifier: string): Promise<PublicChatSession | null> {
    return this.findSession(linkId, requireString('sessionIdentifier', sessionIdentifier, { allowEmpty: true }).toLowerCase());
  }

  async getSession(sessionId: string): Promise<PublicChatSession | null> {
    const [row] = await this.select(`SELECT ${SESSION_COLUMNS} FROM public_chat_sessions WHERE id = ?`, [sessionId]);
    return row ? this.toSession(row) : null;
  }

  /**
   * Stores a message and bumps the session's last_message_at, message_count and total_cost (a null
   * cost adds 0) in one transaction. The session is not checked: for an unknown id the message is
   * still stored.
   */
  async addMessage(sessionId: string, role: string, content: string, cost: number | null = null): Promise<PublicChatMessage> {
    requireString('sessionId', sessionId);
    requireString('role', role);
    requireString('content', content, { allowEmpty: true });
    if (cost !== null && cost !== undefined && (typeof cost !== 'number' || !Number.isFinite(cost))) {
      throw new InputValidationError('cost', `expected a finite number or null, got ${typeof cost === 'number' ? cost : typeof cost}`);
    }
    const id = tokenUrlsafe(16);
    const now = this.encode(MessageEntity, 'timestamp', this.now());
    return this.atomically(async (repo) => {
      await repo.execute(`INSERT INTO public_chat_messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`, [id, sessionId, role, content, now, cost ?? null]);
      await repo.execute(
        `UPDATE public_chat_sessions
            SET last_message_at = ?, message_count = COALESCE(message_count, 0) + 1, total_cost = COALESCE(total_cost, 0) + ?
          WHERE id = ?`,
        [this.encode(SessionEntity, 'last_message_at', this.now()), cost || 0, sessionId],
      );
      const [row] = await repo.select(`SELECT ${MESSAGE_COLUMNS} FROM public_chat_messages WHERE id = ?`, [id]);
      return this.toMessage(row);
    });
  }

  /** The OLDEST `limit` messages, oldest first (a negative limit returns all). */
  async getSessionMessages(sessionId: string, limit = 20): Promise<PublicChatMessage[]> {
    requireInteger('limit', limit);
    const rows = await this.select(
      ...this.withLimit(`SELECT ${MESSAGE_COLUMNS} FROM public_chat_messages WHERE session_id = ? ORDER BY timestamp ASC, id ASC`, [sessionId], limit),
    );
    return rows.map((row) => this.toMessage(row));
  }

  /** The NEWEST `limit` messages, oldest first (a negative limit returns all). */
  async getRecentMessages(sessionId: string, limit = 20): Promise<PublicChatMessage[]> {
    requireInteger('limit', limit);
    const [recent, params] = this.withLimit(
      `SELECT ${MESSAGE_COLUMNS} FROM public_chat_messages WHERE session_id = ? ORDER BY timestamp DESC, id DESC`,
      [sessionId],
      limit,
    );
    const rows = await this.select(`SELECT ${MESSAGE_COLUMNS} FROM (${recent}) recent ORDER BY timestamp ASC, id ASC`, params);
    return rows.map((row) => this.toMessage(row));
  }

  /** Deletes the session's messages, then the session (one transaction); true when a session was deleted. */
  async clearSession(sessionId: string): Promise<boolean> {
    requireString('sessionId', sessionId);
    return this.atomically(async (repo) => {
      await repo.execute(`DELETE FROM public_chat_messages WHERE session_id = ?`, [sessionId]);
      const { affected } = await repo.execute(`DELETE FROM public_chat_sessions WHERE id = ?`, [sessionId]);
      return affected > 0;
    });
  }

  /**
   * The agent prompt: the public-mode header, the last `maxTurns * 2` messages ("User:" for role
   * 'user', "Assistant:" for any other role), then the new message. Lines joined with "\n", content verbatim.
   */
  async buildContextPrompt(sessionId: string, newMessage: string, maxTurns = 10): Promise<string> {
    requireInteger('maxTurns', maxTurns);
    const history = await this.getRecentMessages(sessionId, maxTurns * 2);
    const lines = [PUBLIC_LINK_MODE_HEADER, ''];
    if (history.length) {
      lines.push('Previous conversation:');
      for (const message of history) lines.push(`${message.role === 'user' ? 'User' : 'Assistant'}: ${message.content}`);
      lines.push('');
    }
    lines.push('Current message:', `User: ${newMessage}`);
    return lines.join('\n');
  }

  /** Deletes every session of the link with its messages (one transaction); returns the session count. */
  async deleteLinkSessions(linkId: string): Promise<number> {
    requireString('linkId', linkId);
    return this.atomically(async (repo) => {
      await repo.execute(`DELETE FROM public_chat_messages WHERE session_id IN (SELECT id FROM public_chat_sessions WHERE link_id = ?)`, [linkId]);
      const { affected } = await repo.execute(`DELETE FROM public_chat_sessions WHERE link_id = ?`, [linkId]);
      return affected;
    });
  }

  private async findSession(linkId: string, identifier: string): Promise<PublicChatSession | null> {
    const [row] = await this.select(`SELECT ${SESSION_COLUMNS} FROM public_chat_sessions WHERE link_id = ? AND session_identifier = ?`, [linkId, identifier]);
    return row ? this.toSession(row) : null;
  }

  private toSession(row: Record<string, unknown>): PublicChatSession {
    const session = this.decodeRow<PublicChatSession>(SessionEntity, row);
    return { ...session, message_count: Number(session.message_count ?? 0), total_cost: Number(session.total_cost ?? 0) };
  }

  private toMessage(row: Record<string, unknown>): PublicChatMessage {
    const message = this.decodeRow<PublicChatMessage>(MessageEntity, row);
    return { ...message, cost: message.cost === null ? null : Number(message.cost) };
  }
}
