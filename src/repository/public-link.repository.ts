import { randomInt } from 'crypto';
import type { SqlExecutor } from '../sql/executor';
import { AgentPublicLink, PublicLinkUsage, PublicLinkVerification, PublicUserMemory } from '../entity';
import { InputValidationError, InvalidColumnValueError } from '../errors';
import type {
  LinkUsageStatsDict,
  PublicLinkDict,
  PublicLinkValidity,
  PublicUserMemoryDict,
  SessionValidity,
  UsageRecordedDict,
  VerificationCreatedDict,
  VerifyCodeResult,
} from '../model/public-link.model';
import { PublicLinkCreate, PublicLinkUpdate } from '../model/public-link.model';
import { requireInteger, requireString, timeFromNow, validateInput } from '../model/validate';
import { BaseRepository } from './base.repository';
import { tokenUrlsafe } from './ids';

const LINK_COLUMNS = 'id, agent_name, token, created_by, created_at, expires_at, enabled, name, require_email';
const MEMORY_COLUMNS = 'id, agent_name, user_email, memory_text, message_count, created_at, updated_at';

/** Verification row states (`public_link_verifications.verified` is a tri-state, not a bool). */
const PENDING = 0;
const VERIFIED = 1;
const SUPERSEDED = -1;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Public chat links, their e-mail verifications, usage counters and per-visitor memory
 * (Python `PublicLinkOperations`). The Python constructor took `user_ops` and `agent_ops` and never
 * used them; this repository takes the usual (executor, options).
 */
export class PublicLinkRepository extends BaseRepository {
  // ------------------------------------------------------------------ links

  /** Creates an enabled link with a fresh 32-char token; `expiresAt` is stored as given ('' = none). */
  async createPublicLink(
    agentName: string,
    createdBy: string,
    name: string | null = null,
    requireEmail = false,
    expiresAt: string | Date | null = null,
  ): Promise<PublicLinkDict | null> {
    const input = validateInput(
      PublicLinkCreate,
      { agent_name: agentName, created_by: createdBy, name, require_email: requireEmail, expires_at: expiresAt },
      'createPublicLink',
    );
    const id = tokenUrlsafe(16);
    await this.execute(
      `INSERT INTO agent_public_links (${LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        input.agent_name,
        tokenUrlsafe(24),
        input.created_by,
        this.encode(AgentPublicLink, 'created_at', this.now()),
        this.encodeExpiry(input.expires_at),
        this.encode(AgentPublicLink, 'enabled', true),
        input.name ?? null,
        this.encode(AgentPublicLink, 'require_email', input.require_email ?? false),
      ],
    );
    return this.getPublicLink(id);
  }

  async getPublicLink(linkId: string): Promise<PublicLinkDict | null> {
    const [row] = await this.select(`SELECT ${LINK_COLUMNS} FROM agent_public_links WHERE id = ?`, [linkId]);
    return row ? this.toLink(row) : null;
  }

  /** Exact, case-sensitive token match. */
  async getPublicLinkByToken(token: string): Promise<PublicLinkDict | null> {
    const [row] = await this.select(`SELECT ${LINK_COLUMNS} FROM agent_public_links WHERE token = ?`, [token]);
    return row ? this.toLink(row) : null;
  }

  /** The agent's links, newest first. */
  async listAgentPublicLinks(agentName: string): Promise<PublicLinkDict[]> {
    const rows = await this.select(`SELECT ${LINK_COLUMNS} FROM agent_public_links WHERE agent_name = ? ORDER BY created_at DESC, id DESC`, [agentName]);
    return rows.map((row) => this.toLink(row));
  }

  /**
   * Sets the given fields (null/undefined = unchanged, so name cannot be cleared; '' is written).
   * `expiresAt = ''` removes the expiry. Returns the link, or null for an unknown id.
   */
  async updatePublicLink(
    linkId: string,
    name?: string | null,
    enabled?: boolean | null,
    requireEmail?: boolean | null,
    expiresAt?: string | Date | null,
  ): Promise<PublicLinkDict | null> {
    requireString('linkId', linkId);
    const input = validateInput(PublicLinkUpdate, { name, enabled, require_email: requireEmail, expires_at: expiresAt }, 'updatePublicLink');
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (column: string, value: unknown) => {
      sets.push(`${column} = ?`);
      params.push(value);
    };
    if (input.name != null) set('name', input.name);
    if (input.enabled != null) set('enabled', this.encode(AgentPublicLink, 'enabled', input.enabled));
    if (input.require_email != null) set('require_email', this.encode(AgentPublicLink, 'require_email', input.require_email));
    if (input.expires_at != null) set('expires_at', this.encodeExpiry(input.expires_at));
    if (sets.length) await this.execute(`UPDATE agent_public_links SET ${sets.join(', ')} WHERE id = ?`, [...params, linkId]);
    return this.getPublicLink(linkId);
  }

  /**
   * Deletes the link's verifications, usage rows and the link (one transaction). Child rows go even
   * when the link does not exist. Returns whether a link row was deleted.
   */
  async deletePublicLink(linkId: string): Promise<boolean> {
    requireString('linkId', linkId);
    return this.atomically(async (repo) => {
      await repo.execute(`DELETE FROM public_link_verifications WHERE link_id = ?`, [linkId]);
      await repo.execute(`DELETE FROM public_link_usage WHERE link_id = ?`, [linkId]);
      const { affected } = await repo.execute(`DELETE FROM agent_public_links WHERE id = ?`, [linkId]);
      return affected > 0;
    });
  }

  /** Deletes every link of the agent with its verifications and usage rows; returns the link count. */
  async deleteAgentPublicLinks(agentName: string): Promise<number> {
    requireString('agentName', agentName);
    return this.atomically(async (repo) => {
      const ofAgent = `link_id IN (SELECT id FROM agent_public_links WHERE agent_name = ?)`;
      await repo.execute(`DELETE FROM public_link_verifications WHERE ${ofAgent}`, [agentName]);
      await repo.execute(`DELETE FROM public_link_usage WHERE ${ofAgent}`, [agentName]);
      const { affected } = await repo.execute(`DELETE FROM agent_public_links WHERE agent_name = ?`, [agentName]);
      return affected;
    });
  }

  /**
   * [true, null, link], or [false, 'not_found' | 'disabled' | 'expired', null]; disabled is reported
   * before expiry, and a link expiring exactly now is still valid. A legacy expiry that is not a
   * timestamp throws InvalidColumnValueError, as Python's fromisoformat raised.
   */
  async isLinkValid(token: string): Promise<PublicLinkValidity> {
    const [row] = await this.select(`SELECT ${LINK_COLUMNS} FROM agent_public_links WHERE token = ?`, [token]);
    if (!row) return [false, 'not_found', null];
    const link = this.toLink(row);
    if (!link.enabled) return [false, 'disabled', null];
    if (link.expires_at === null && typeof row.expires_at === 'string' && row.expires_at !== '') {
      throw new InvalidColumnValueError('agent_public_links.expires_at', 'stored value is not an ISO-8601 timestamp');
    }
    if (link.expires_at && this.now().getTime() > link.expires_at.getTime()) return [false, 'expired', null];
    return [true, null, link];
  }

  // ------------------------------------------------------------------ e-mail verification

  /**
   * Issues a 6-digit code for (link, lower-cased email) valid for `expiryMinutes`; earlier pending codes
   * of the same pair are superseded (verified = -1). One transaction. The code is stored in plaintext.
   */
  async createVerification(linkId: string, email: string, expiryMinutes = 10): Promise<VerificationCreatedDict> {
    requireString('linkId', linkId);
    const address = requireString('email', email).toLowerCase();
    requireInteger('expiryMinutes', expiryMinutes, { min: 0 });
    const id = tokenUrlsafe(16);
    const code = String(randomInt(100000, 1000000));
    const now = this.now();
    const expiresAt = timeFromNow('expiryMinutes', now, expiryMinutes, MINUTE_MS);
    await this.atomically(async (repo) => {
      await repo.execute(`UPDATE public_link_verifications SET verified = ? WHERE link_id = ? AND email = ? AND verified = ?`, [SUPERSEDED, linkId, address, PENDING]);
      await repo.execute(
        `INSERT INTO public_link_verifications (id, link_id, email, code, created_at, expires_at, verified) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [id, linkId, address, code, this.encode(PublicLinkVerification, 'created_at', now), this.encode(PublicLinkVerification, 'expires_at', expiresAt), PENDING],
      );
    });
    return { id, code, expires_at: this.roundTrip(PublicLinkVerification, 'expires_at', expiresAt), expires_in_seconds: expiryMinutes * 60 };
  }

  /**
   * Consumes a pending code: [true, null, {session_token, expires_at}], else [false, 'invalid_code'] (unknown,
   * used or superseded) or [false, 'code_expired'] (the row stays pending). A code is consumed at most once,
   * also under concurrent calls.
   */
  async verifyCode(linkId: string, email: string, code: string, sessionHours = 24): Promise<VerifyCodeResult> {
    requireString('linkId', linkId);
    const address = requireString('email', email).toLowerCase();
    requireString('code', code, { allowEmpty: true });
    requireInteger('sessionHours', sessionHours);
    const [row] = await this.select<{ id: string; expires_at: unknown }>(
      `SELECT id, expires_at FROM public_link_verifications WHERE link_id = ? AND email = ? AND code = ? AND verified = ? ORDER BY created_at, id LIMIT 1`,
      [linkId, address, code, PENDING],
    );
    if (!row) return [false, 'invalid_code', null];
    const now = this.now();
    const expiresAt = this.decode<Date | null>(PublicLinkVerification, 'expires_at', row.expires_at);
    if (!expiresAt || now.getTime() > expiresAt.getTime()) return [false, 'code_expired', null];
    const sessionToken = `session_${tokenUrlsafe(32)}`;
    const sessionExpiresAt = timeFromNow('sessionHours', now, sessionHours, HOUR_MS);
    // `verified = PENDING` in the WHERE: a concurrent caller that consumed the code first wins.
    const { affected } = await this.execute(
      `UPDATE public_link_verifications SET verified = ?, session_token = ?, session_expires_at = ? WHERE id = ? AND verified = ?`,
      [VERIFIED, sessionToken, this.encode(PublicLinkVerification, 'session_expires_at', sessionExpiresAt), row.id, PENDING],
    );
    if (!affected) return [false, 'invalid_code', null];
    return [true, null, { session_token: sessionToken, expires_at: this.roundTrip(PublicLinkVerification, 'session_expires_at', sessionExpiresAt) }];
  }

  /** [true, email] for a live session token of the link, else [false, null]. */
  async validateSession(linkId: string, sessionToken: string): Promise<SessionValidity> {
    const rows = await this.select<{ email: string; session_expires_at: unknown }>(
      `SELECT email, session_expires_at FROM public_link_verifications WHERE link_id = ? AND session_token = ? AND verified = ? ORDER BY created_at, id LIMIT 1`,
      [linkId, sessionToken, VERIFIED],
    );
    if (!rows.length) return [false, null];
    const expiresAt = this.decode<Date | null>(PublicLinkVerification, 'session_expires_at', rows[0].session_expires_at);
    if (!expiresAt || this.now().getTime() > expiresAt.getTime()) return [false, null];
    return [true, rows[0].email];
  }

  /** Codes requested for the lower-cased email in the last `minutes`, across all links and states. */
  async countRecentVerificationRequests(email: string, minutes = 10): Promise<number> {
    const address = requireString('email', email, { allowEmpty: true }).toLowerCase();
    const cutoff = this.minutesAgo('minutes', minutes);
    const [row] = await this.select<{ n: unknown }>(`SELECT COUNT(*) AS n FROM public_link_verifications WHERE email = ? AND created_at > ?`, [
      address,
      this.encode(PublicLinkVerification, 'created_at', cutoff),
    ]);
    return Number(row.n);
  }

  // ------------------------------------------------------------------ usage counters

  /**
   * Counts one message for (link, email, ip): increments the first matching row, else inserts one with
   * count 1. Email matches exactly (case-sensitive, NULL = NULL); a row with a NULL ip matches any ip.
   * The increment is atomic and the check-then-insert is serialised per link, so concurrent calls
   * neither lose counts nor create duplicate rows.
   */
  async recordUsage(linkId: string, email: string | null = null, ipAddress: string | null = null): Promise<UsageRecordedDict> {
    requireString('linkId', linkId);
    if (email !== null && typeof email !== 'string') throw new InputValidationError('email', `expected a string or null, got ${typeof email}`);
    if (ipAddress !== null && typeof ipAddress !== 'string') throw new InputValidationError('ipAddress', `expected a string or null, got ${typeof ipAddress}`);
    const now = this.encode(PublicLinkUsage, 'last_used_at', this.now());
    return this.atomically(async (repo) => {
      await repo.lockKey(`public_link_usage:${linkId}`);
      const emailMatch = email === null ? 'email IS NULL' : 'email = ?';
      const ipMatch = ipAddress === null ? 'ip_address IS NULL' : '(ip_address = ? OR ip_address IS NULL)';
      const params = [linkId, ...(email === null ? [] : [email]), ...(ipAddress === null ? [] : [ipAddress])];
      const [match] = await repo.select<{ id: string }>(
        `SELECT id FROM public_link_usage WHERE link_id = ? AND ${emailMatch} AND ${ipMatch} ORDER BY created_at, id LIMIT 1`,
        params,
      );
      if (match) {
        await repo.execute(`UPDATE public_link_usage SET message_count = COALESCE(message_count, 0) + 1, last_used_at = ? WHERE id = ?`, [now, match.id]);
        return { id: match.id, recorded: true as const };
      }
      const id = tokenUrlsafe(16);
      await repo.execute(
        `INSERT INTO public_link_usage (id, link_id, email, ip_address, message_count, created_at, last_used_at) VALUES (?, ?, ?, ?, 1, ?, ?)`,
        [id, linkId, email, ipAddress, now, now],
      );
      return { id, recorded: true as const };
    });
  }

  /** Total messages, distinct non-NULL emails (case-sensitive) and ips, and the last use of the link. */
  async getLinkUsageStats(linkId: string): Promise<LinkUsageStatsDict> {
    const [row] = await this.select<Record<string, unknown>>(
      `SELECT COALESCE(SUM(message_count), 0) AS total_messages, COUNT(DISTINCT email) AS unique_users,
              COUNT(DISTINCT ip_address) AS unique_ips, MAX(last_used_at) AS last_used_at
         FROM public_link_usage WHERE link_id = ?`,
      [linkId],
    );
    return {
      total_messages: Number(row.total_messages),
      unique_users: Number(row.unique_users),
      unique_ips: Number(row.unique_ips),
      last_used_at: this.decode<Date | null>(PublicLinkUsage, 'last_used_at', row.last_used_at),
    };
  }

  /**
   * Sum of the lifetime message_count of every usage row (all links) of this ip used in the last
   * `minutes` (a legacy quirk kept on purpose: not the messages sent within the window).
   */
  async countRecentMessagesByIp(ipAddress: string, minutes = 1): Promise<number> {
    return this.sumRecentUsage('ip_address', ipAddress, minutes);
  }

  /** The same as countRecentMessagesByIp, for one link id (not the token). */
  async countRecentMessagesByToken(linkId: string, minutes = 1): Promise<number> {
    return this.sumRecentUsage('link_id', linkId, minutes);
  }

  // ------------------------------------------------------------------ per-visitor memory

  /** The memory row of (agent, lower-cased email), created empty when missing (race-safe). */
  async getOrCreateUserMemory(agentName: string, userEmail: string): Promise<PublicUserMemoryDict> {
    requireString('agentName', agentName);
    const email = requireString('userEmail', userEmail).toLowerCase();
    const existing = await this.findMemory(agentName, email);
    if (existing) return existing;
    const now = this.encode(PublicUserMemory, 'created_at', this.now());
    // ON CONFLICT: a concurrent creator wins and we return its row (Python raised IntegrityError).
    await this.execute(
      `INSERT INTO public_user_memory (${MEMORY_COLUMNS}) VALUES (?, ?, ?, '', 0, ?, ?) ON CONFLICT (agent_name, user_email) DO NOTHING`,
      [tokenUrlsafe(16), agentName, email, now, now],
    );
    return (await this.findMemory(agentName, email))!;
  }

  /** Atomically adds one to the pair's message_count; returns the new count, or 0 when there is no row. */
  async incrementMessageCount(agentName: string, userEmail: string): Promise<number> {
    requireString('agentName', agentName);
    const email = requireString('userEmail', userEmail).toLowerCase();
    const rows = await this.select<{ message_count: unknown }>(
      `UPDATE public_user_memory SET message_count = COALESCE(message_count, 0) + 1, updated_at = ?
        WHERE agent_name = ? AND user_email = ? RETURNING message_count`,
      [this.encode(PublicUserMemory, 'updated_at', this.now()), agentName, email],
    );
    return rows.length ? Number(rows[0].message_count) : 0;
  }

  /** Replaces the memory text; false when the pair has no row. */
  async updateUserMemory(agentName: string, userEmail: string, memoryText: string): Promise<boolean> {
    requireString('agentName', agentName);
    const email = requireString('userEmail', userEmail).toLowerCase();
    requireString('memoryText', memoryText, { allowEmpty: true });
    const { affected } = await this.execute(`UPDATE public_user_memory SET memory_text = ?, updated_at = ? WHERE agent_name = ? AND user_email = ?`, [
      memoryText,
      this.encode(PublicUserMemory, 'updated_at', this.now()),
      agentName,
      email,
    ]);
    return affected > 0;
  }

  // ------------------------------------------------------------------ helpers

  private toLink(row: Record<string, unknown>): PublicLinkDict {
    const link = this.decodeRow<PublicLinkDict>(AgentPublicLink, row);
    // Python applies bool(): NULL reads as false.
    return { ...link, enabled: Boolean(link.enabled), require_email: Boolean(link.require_email) };
  }

  /** '' (the legacy "no expiry") is stored as NULL: PostgreSQL's timestamptz cannot hold ''. */
  private encodeExpiry(value: string | Date | null | undefined): unknown {
    if (value === '' || value == null) return null;
    return this.encode(AgentPublicLink, 'expires_at', value);
  }

  /** A Date as it reads back after being stored (the same on both drivers: millisecond precision). */
  private roundTrip(entity: Function, column: string, value: Date): Date {
    return this.decode<Date>(entity, column, this.encode(entity, column, value));
  }

  private minutesAgo(field: string, minutes: number): Date {
    return timeFromNow(field, this.now(), -minutes, MINUTE_MS);
  }

  private async sumRecentUsage(column: 'ip_address' | 'link_id', value: string, minutes: number): Promise<number> {
    const cutoff = this.minutesAgo('minutes', minutes);
    const [row] = await this.select<{ n: unknown }>(
      `SELECT COALESCE(SUM(message_count), 0) AS n FROM public_link_usage WHERE ${column} = ? AND last_used_at > ?`,
      [value, this.encode(PublicLinkUsage, 'last_used_at', cutoff)],
    );
    return Number(row.n);
  }

  private async findMemory(agentName: string, email: string): Promise<PublicUserMemoryDict | null> {
    const [row] = await this.select(`SELECT ${MEMORY_COLUMNS} FROM public_user_memory WHERE agent_name = ? AND user_email = ?`, [agentName, email]);
    if (!row) return null;
    const memory = this.decodeRow<PublicUserMemoryDict>(PublicUserMemory, row);
    return { ...memory, message_count: Number(memory.message_count ?? 0) };
  }

  /** Serialises check-then-insert sections per key inside the current transaction (see SqlFragments.keyLock). */
  private async lockKey(key: string): Promise<void> {
    if (this.sql.keyLock) await this.select(this.sql.keyLock, [key]);
  }
}
