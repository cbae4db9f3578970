import type { SqlExecutor } from '../sql/executor';
import { AgentPublicLink, SlackLinkConnection, SlackPendingVerification, SlackUserVerification } from '../entity';
import type { SlackConnectionByTeamDict, SlackConnectionDict, SlackPendingVerificationDict, SlackUserVerificationDict } from '../model/slack.model';
import {
  SlackConnectionCreate,
  SlackConnectionUpdate,
  SlackPendingVerificationCreate,
  SlackPendingVerificationUpdate,
  SlackUserVerificationCreate,
} from '../model/slack.model';
import { requireString, validateInput } from '../model/validate';
import { BaseRepository, type RepositoryOptions } from './base.repository';
import { tokenUrlsafe } from './ids';

const CONNECTION_COLUMNS = 'id, link_id, slack_team_id, slack_team_name, slack_bot_token, connected_by, connected_at, enabled';
const VERIFICATION_COLUMNS = 'id, link_id, slack_user_id, slack_team_id, verified_email, verification_method, verified_at';
const PENDING_COLUMNS = 'id, link_id, slack_user_id, slack_team_id, email, code, created_at, expires_at, state';

/** Pending email verifications last a fixed ten minutes (restarted by every update). */
const PENDING_TTL_MS = 10 * 60 * 1000;

type Row = Record<string, unknown>;

/**
 * The legacy "one Slack workspace per public link" tables (Python `SlackOperations`). The bot token
 * of this table is stored and returned in plaintext, as the Python layer does.
 */
export class SlackRepository extends BaseRepository {
  constructor(executor: SqlExecutor, options: RepositoryOptions = {}) {
    super(executor, options);
  }

  /** Plain INSERT: a second connection for the same link or team throws UniqueConstraintError. */
  async createSlackConnection(linkId: string, slackTeamId: string, slackTeamName: string | null, slackBotToken: string, connectedBy: string): Promise<SlackConnectionDict | null> {
    const input = validateInput(
      SlackConnectionCreate,
      { link_id: linkId, slack_team_id: slackTeamId, slack_team_name: slackTeamName, slack_bot_token: slackBotToken, connected_by: connectedBy },
      'connection',
    );
    const id = tokenUrlsafe(16);
    await this.execute(
      `INSERT INTO slack_link_connections (${CONNECTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        input.link_id,
        input.slack_team_id,
        input.slack_team_name ?? null,
        input.slack_bot_token,
        input.connected_by,
        this.encode(SlackLinkConnection, 'connected_at', this.now()),
        this.encode(SlackLinkConnection, 'enabled', true),
      ],
    );
    return this.getSlackConnection(id);
  }

  async getSlackConnection(connectionId: string): Promise<SlackConnectionDict | null> {
    return this.connectionWhere('id', connectionId);
  }

  async getSlackConnectionByLink(linkId: string): Promise<SlackConnectionDict | null> {
    return this.connectionWhere('link_id', linkId);
  }

  /** Only an enabled connection whose public link exists and is enabled; the link's expiry is not checked. */
  async getSlackConnectionByTeam(slackTeamId: string): Promise<SlackConnectionByTeamDict | null> {
    const columns = CONNECTION_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ');
    const rows = await this.select<Row>(
      `SELECT ${columns}, l.agent_name AS link_agent_name, l.require_email AS link_require_email
         FROM slack_link_connections c JOIN agent_public_links l ON c.link_id = l.id
        WHERE c.slack_team_id = ? AND c.enabled = ? AND l.enabled = ?`,
      [slackTeamId, this.encode(SlackLinkConnection, 'enabled', true), this.encode(AgentPublicLink, 'enabled', true)],
    );
    if (!rows.length) return null;
    const { link_agent_name, link_require_email, ...connection } = rows[0];
    return {
      ...this.toConnection(connection),
      agent_name: link_agent_name as string,
      require_email: Boolean(this.decode(AgentPublicLink, 'require_email', link_require_email)),
    };
  }

  /**
   * Sets `enabled` and/or `slack_team_name` where they are not null/undefined (neither can be cleared).
   * Returns the connection, or null when it does not exist.
   */
  async updateSlackConnection(connectionId: string, enabled: boolean | null = null, slackTeamName: string | null = null): Promise<SlackConnectionDict | null> {
    requireString('connectionId', connectionId);
    const input = validateInput(SlackConnectionUpdate, { enabled, slack_team_name: slackTeamName }, 'updates');
    const sets: string[] = [];
    const params: unknown[] = [];
    if (input.enabled !== null && input.enabled !== undefined) {
      sets.push('enabled = ?');
      params.push(this.encode(SlackLinkConnection, 'enabled', input.enabled));
    }
    if (input.slack_team_name !== null && input.slack_team_name !== undefined) {
      sets.push('slack_team_name = ?');
      params.push(input.slack_team_name);
    }
    if (sets.length) await this.execute(`UPDATE slack_link_connections SET ${sets.join(', ')} WHERE id = ?`, [...params, connectionId]);
    return this.getSlackConnection(connectionId);
  }

  /** Deletes the connection and every (pending) verification of its link, whatever their team. One transaction. */
  async deleteSlackConnection(connectionId: string): Promise<boolean> {
    requireString('connectionId', connectionId);
    return this.atomically(async (tx) => {
      const found = await tx.select<{ link_id: string }>(`SELECT link_id FROM slack_link_connections WHERE id = ?`, [connectionId]);
      if (found.length) await tx.deleteVerificationsOfLink(found[0].link_id);
      const { affected } = await tx.execute(`DELETE FROM slack_link_connections WHERE id = ?`, [connectionId]);
      return affected > 0;
    });
  }

  /** Deletes the link's verifications, pending verifications and connection. One transaction. */
  async deleteSlackConnectionByLink(linkId: string): Promise<boolean> {
    requireString('linkId', linkId);
    return this.atomically(async (tx) => {
      await tx.deleteVerificationsOfLink(linkId);
      const { affected } = await tx.execute(`DELETE FROM slack_link_connections WHERE link_id = ?`, [linkId]);
      return affected > 0;
    });
  }

  async getUserVerification(linkId: string, slackUserId: string, slackTeamId: string): Promise<SlackUserVerificationDict | null> {
    const rows = await this.select<Row>(
      `SELECT ${VERIFICATION_COLUMNS} FROM slack_user_verifications WHERE link_id = ? AND slack_user_id = ? AND slack_team_id = ?`,
      [linkId, slackUserId, slackTeamId],
    );
    return rows.length ? this.decodeRow<SlackUserVerificationDict>(SlackUserVerification, rows[0]) : null;
  }

  /**
   * Python's INSERT OR REPLACE: a verification for the same (link, user, team) is replaced by a row
   * with a NEW id, email, method and verified_at. Done as one upsert that also replaces the id, so it
   * is atomic on both drivers (INSERT OR REPLACE does not exist on PostgreSQL).
   */
  async createUserVerification(linkId: string, slackUserId: string, slackTeamId: string, verifiedEmail: string, verificationMethod: string): Promise<SlackUserVerificationDict | null> {
    const input = validateInput(
      SlackUserVerificationCreate,
      { link_id: linkId, slack_user_id: slackUserId, slack_team_id: slackTeamId, verified_email: verifiedEmail, verification_method: verificationMethod },
      'verification',
    );
    await this.execute(
      `INSERT INTO slack_user_verifications (${VERIFICATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (link_id, slack_user_id, slack_team_id) DO UPDATE SET
         id = excluded.id, verified_email = excluded.verified_email,
         verification_method = excluded.verification_method, verified_at = excluded.verified_at`,
      [
        tokenUrlsafe(16),
        input.link_id,
        input.slack_user_id,
        input.slack_team_id,
        input.verified_email,
        input.verification_method,
        this.encode(SlackUserVerification, 'verified_at', this.now()),
      ],
    );
    return this.getUserVerification(input.link_id, input.slack_user_id, input.slack_team_id);
  }

  /** The unexpired pending verification of (user, team), for any link; expired rows are ignored, not deleted. */
  async getPendingVerification(slackUserId: string, slackTeamId: string): Promise<SlackPendingVerificationDict | null> {
    // expires_at is NAIVE_ISO in every row (legacy and ours), so the text comparison orders correctly.
    const rows = await this.select<Row>(
      `SELECT ${PENDING_COLUMNS} FROM slack_pending_verifications
        WHERE slack_user_id = ? AND slack_team_id = ? AND expires_at > ?
        ORDER BY created_at, id LIMIT 1`,
      [slackUserId, slackTeamId, this.encode(SlackPendingVerification, 'expires_at', this.now())],
    );
    return rows.length ? this.decodeRow<SlackPendingVerificationDict>(SlackPendingVerification, rows[0]) : null;
  }

  /**
   * Replaces every pending row of (user, team), for any link, by a new one that expires in ten
   * minutes. One transaction. The code is stored in plaintext, as in Python.
   */
  async createPendingVerification(
    linkId: string,
    slackUserId: string,
    slackTeamId: string,
    email: string | null = null,
    code: string | null = null,
    state = 'awaiting_email',
  ): Promise<SlackPendingVerificationDict | null> {
    const input = validateInput(
      SlackPendingVerificationCreate,
      { link_id: linkId, slack_user_id: slackUserId, slack_team_id: slackTeamId, email, code, state },
      'pendingVerification',
    );
    const now = this.now();
    return this.atomically(async (tx) => {
      await tx.execute(`DELETE FROM slack_pending_verifications WHERE slack_user_id = ? AND slack_team_id = ?`, [input.slack_user_id, input.slack_team_id]);
      await tx.execute(`INSERT INTO slack_pending_verifications (${PENDING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        tokenUrlsafe(16),
        input.link_id,
        input.slack_user_id,
        input.slack_team_id,
        input.email ?? null,
        input.code ?? null,
        this.encode(SlackPendingVerification, 'created_at', now),
        this.encode(SlackPendingVerification, 'expires_at', new Date(now.getTime() + PENDING_TTL_MS)),
        input.state,
      ]);
      return tx.getPendingVerification(input.slack_user_id, input.slack_team_id);
    });
  }

  /**
   * Sets the given fields (null/undefined: unchanged) and ALWAYS restarts the ten-minute timer, on
   * every pending row of (user, team), expired or not: an expired row comes back to life (legacy).
   */
  async updatePendingVerification(
    slackUserId: string,
    slackTeamId: string,
    email: string | null = null,
    code: string | null = null,
    state: string | null = null,
  ): Promise<SlackPendingVerificationDict | null> {
    requireString('slackUserId', slackUserId);
    requireString('slackTeamId', slackTeamId);
    const input = validateInput(SlackPendingVerificationUpdate, { email, code, state }, 'updates');
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const field of ['email', 'code', 'state'] as const) {
      if (input[field] === null || input[field] === undefined) continue;
      sets.push(`${field} = ?`);
      params.push(input[field]);
    }
    sets.push('expires_at = ?');
    params.push(this.encode(SlackPendingVerification, 'expires_at', new Date(this.now().getTime() + PENDING_TTL_MS)));
    await this.execute(`UPDATE slack_pending_verifications SET ${sets.join(', ')} WHERE slack_user_id = ? AND slack_team_id = ?`, [
      ...params,
      slackUserId,
      slackTeamId,
    ]);
    return this.getPendingVerification(slackUserId, slackTeamId);
  }

  async deletePendingVerification(slackUserId: string, slackTeamId: string): Promise<boolean> {
    requireString('slackUserId', slackUserId);
    requireString('slackTeamId', slackTeamId);
    const { affected } = await this.execute(`DELETE FROM slack_pending_verifications WHERE slack_user_id = ? AND slack_team_id = ?`, [slackUserId, slackTeamId]);
    return affected > 0;
  }

  /** Deletes the pending rows that expired before now; returns how many. */
  async cleanupExpiredPendingVerifications(): Promise<number> {
    const { affected } = await this.execute(`DELETE FROM slack_pending_verifications WHERE expires_at < ?`, [
      this.encode(SlackPendingVerification, 'expires_at', this.now()),
    ]);
    return affected;
  }

  private async deleteVerificationsOfLink(linkId: string): Promise<void> {
    await this.execute(`DELETE FROM slack_user_verifications WHERE link_id = ?`, [linkId]);
    await this.execute(`DELETE FROM slack_pending_verifications WHERE link_id = ?`, [linkId]);
  }

  private async connectionWhere(column: 'id' | 'link_id', value: string): Promise<SlackConnectionDict | null> {
    const rows = await this.select<Row>(`SELECT ${CONNECTION_COLUMNS} FROM slack_link_connections WHERE ${column} = ?`, [value]);
    return rows.length ? this.toConnection(rows[0]) : null;
  }

  /** Python `_row_to_connection`: `enabled` through bool(), so NULL reads as false. */
  private toConnection(row: Row): SlackConnectionDict {
    const connection = this.decodeRow<SlackConnectionDict>(SlackLinkConnection, row);
    connection.enabled = Boolean(connection.enabled);
    return connection;
  }
}
