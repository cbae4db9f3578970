import type { SqlExecutor } from '../sql/executor';
import { CredentialEncryption, decryptBotToken, encryptBotToken } from '../codec/credential-encryption';
import { SlackActiveThread, SlackChannelAgent, SlackWorkspace } from '../entity';
import type { SlackChannelBindingDict, SlackWorkspaceDict } from '../model/slack-channel.model';
import { SlackActiveThreadCreate, SlackChannelBindingCreate, SlackWorkspaceCreate } from '../model/slack-channel.model';
import { requireString, validateInput } from '../model/validate';
import { BaseRepository, type RepositoryOptions } from './base.repository';
import { tokenUrlsafe } from './ids';

export interface SlackChannelRepositoryOptions extends RepositoryOptions {
  /** Encrypts/decrypts workspace bot tokens; the default reads CREDENTIAL_ENCRYPTION_KEY on every call, as Python does. */
  encryption?: CredentialEncryption;
}

const WORKSPACE_COLUMNS = 'id, team_id, team_name, bot_token, connected_by, connected_at, enabled';
const BINDING_COLUMNS = 'id, team_id, slack_channel_id, slack_channel_name, agent_name, is_dm_default, created_by, created_at';
/** Rows copied from slack_link_connections by the legacy migration hold the plaintext token. */
const PLAINTEXT_TOKEN_PREFIX = 'xoxb-';

type Row = Record<string, unknown>;

/** Multi-agent Slack: one bot token per workspace, channel -> agent bindings, active threads (Python `SlackChannelOperations`). */
export class SlackChannelRepository extends BaseRepository {
  private readonly encryption: CredentialEncryption;

  constructor(executor: SqlExecutor, options: SlackChannelRepositoryOptions = {}) {
    super(executor, options);
    this.encryption = options.encryption ?? new CredentialEncryption();
  }

  /**
   * Upserts the workspace of `teamId` with an encrypted token (a missing key throws before any write).
   * On re-connect the id, connected_by and enabled are kept; token, name (even null) and connected_at
   * change. Returns the workspace, or null when it is disabled.
   */
  async createWorkspace(teamId: string, teamName: string | null, botToken: string, connectedBy: string | null = null): Promise<SlackWorkspaceDict | null> {
    const input = validateInput(SlackWorkspaceCreate, { team_id: teamId, team_name: teamName, bot_token: botToken, connected_by: connectedBy }, 'workspace');
    const encrypted = encryptBotToken(this.encryption, input.bot_token);
    await this.execute(
      `INSERT INTO slack_workspaces (id, team_id, team_name, bot_token, connected_by, connected_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (team_id) DO UPDATE SET bot_token = excluded.bot_token, team_name = excluded.team_name, connected_at = excluded.connected_at`,
      [tokenUrlsafe(16), input.team_id, input.team_name ?? null, encrypted, input.connected_by ?? null, this.encode(SlackWorkspace, 'connected_at', this.now())],
    );
    return this.getWorkspaceByTeam(input.team_id);
  }

  /** The enabled workspace of the team; `bot_token` is "" when the stored token cannot be read. */
  async getWorkspaceByTeam(teamId: string): Promise<SlackWorkspaceDict | null> {
    const rows = await this.select<Row>(`SELECT ${WORKSPACE_COLUMNS} FROM slack_workspaces WHERE team_id = ? AND enabled = ?`, [
      teamId,
      this.encode(SlackWorkspace, 'enabled', true),
    ]);
    return rows.length ? this.toWorkspace(rows[0]) : null;
  }

  /** The decrypted token of the team's enabled workspace (may be ""), or null without one. */
  async getWorkspaceBotToken(teamId: string): Promise<string | null> {
    return (await this.getWorkspaceByTeam(teamId))?.bot_token ?? null;
  }

  /** Every enabled workspace (Python has no ORDER BY; we return them in connection order). */
  async getAllWorkspaces(): Promise<SlackWorkspaceDict[]> {
    const rows = await this.select<Row>(`SELECT ${WORKSPACE_COLUMNS} FROM slack_workspaces WHERE enabled = ? ORDER BY connected_at, id`, [
      this.encode(SlackWorkspace, 'enabled', true),
    ]);
    return rows.map((row) => this.toWorkspace(row));
  }

  /**
   * Deletes the team's channel bindings, then the workspace (one transaction). Returns whether a
   * workspace was deleted; active threads and the legacy slack_link_connections row are kept.
   */
  async deleteWorkspace(teamId: string): Promise<boolean> {
    requireString('teamId', teamId);
    return this.atomically(async (tx) => {
      await tx.execute(`DELETE FROM slack_channel_agents WHERE team_id = ?`, [teamId]);
      const { affected } = await tx.execute(`DELETE FROM slack_workspaces WHERE team_id = ?`, [teamId]);
      return affected > 0;
    });
  }

  /**
   * Upserts the binding of (team, channel): agent, channel name and DM flag change; id, created_by and
   * created_at are kept. Other bindings of the team keep their DM flag (several may be flagged).
   */
  async bindChannelToAgent(
    teamId: string,
    slackChannelId: string,
    slackChannelName: string | null,
    agentName: string,
    createdBy: string | null = null,
    isDmDefault = false,
  ): Promise<SlackChannelBindingDict | null> {
    const input = validateInput(
      SlackChannelBindingCreate,
      { team_id: teamId, slack_channel_id: slackChannelId, slack_channel_name: slackChannelName, agent_name: agentName, created_by: createdBy, is_dm_default: isDmDefault },
      'binding',
    );
    await this.execute(
      `INSERT INTO slack_channel_agents (${BINDING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (team_id, slack_channel_id) DO UPDATE SET
         agent_name = excluded.agent_name, slack_channel_name = excluded.slack_channel_name, is_dm_default = excluded.is_dm_default`,
      [
        tokenUrlsafe(16),
        input.team_id,
        input.slack_channel_id,
        input.slack_channel_name ?? null,
        input.agent_name,
        this.encode(SlackChannelAgent, 'is_dm_default', input.is_dm_default),
        input.created_by ?? null,
        this.encode(SlackChannelAgent, 'created_at', this.now()),
      ],
    );
    return this.getChannelAgent(input.team_id, input.slack_channel_id);
  }

  async getChannelAgent(teamId: string, slackChannelId: string): Promise<SlackChannelBindingDict | null> {
    const rows = await this.select<Row>(`SELECT ${BINDING_COLUMNS} FROM slack_channel_agents WHERE team_id = ? AND slack_channel_id = ?`, [teamId, slackChannelId]);
    return rows.length ? this.toBinding(rows[0]) : null;
  }

  async getAgentNameForChannel(teamId: string, slackChannelId: string): Promise<string | null> {
    return (await this.getChannelAgent(teamId, slackChannelId))?.agent_name ?? null;
  }

  /** One DM-default agent of the team. Python picks an arbitrary one; we pick the oldest binding. */
  async getDmDefaultAgent(teamId: string): Promise<string | null> {
    const rows = await this.select<{ agent_name: string }>(
      `SELECT agent_name FROM slack_channel_agents WHERE team_id = ? AND is_dm_default = ? ORDER BY created_at, id LIMIT 1`,
      [teamId, this.encode(SlackChannelAgent, 'is_dm_default', true)],
    );
    return rows.length ? rows[0].agent_name : null;
  }

  /** Every binding of the team, oldest first. */
  async getAgentsForWorkspace(teamId: string): Promise<SlackChannelBindingDict[]> {
    const rows = await this.select<Row>(`SELECT ${BINDING_COLUMNS} FROM slack_channel_agents WHERE team_id = ? ORDER BY created_at ASC, id ASC`, [teamId]);
    return rows.map((row) => this.toBinding(row));
  }

  /** One binding of the agent in the team (Python: the first found; we pick the oldest). */
  async getChannelForAgent(teamId: string, agentName: string): Promise<SlackChannelBindingDict | null> {
    const rows = await this.select<Row>(
      `SELECT ${BINDING_COLUMNS} FROM slack_channel_agents WHERE team_id = ? AND agent_name = ? ORDER BY created_at, id LIMIT 1`,
      [teamId, agentName],
    );
    return rows.length ? this.toBinding(rows[0]) : null;
  }

  /** Deletes all of the agent's bindings in the team. */
  async unbindAgent(teamId: string, agentName: string): Promise<boolean> {
    requireString('teamId', teamId);
    requireString('agentName', agentName);
    const { affected } = await this.execute(`DELETE FROM slack_channel_agents WHERE team_id = ? AND agent_name = ?`, [teamId, agentName]);
    return affected > 0;
  }

  async unbindChannel(teamId: string, slackChannelId: string): Promise<boolean> {
    requireString('teamId', teamId);
    requireString('slackChannelId', slackChannelId);
    const { affected } = await this.execute(`DELETE FROM slack_channel_agents WHERE team_id = ? AND slack_channel_id = ?`, [teamId, slackChannelId]);
    return affected > 0;
  }

  /** Python's INSERT OR IGNORE: the first agent to register a thread keeps it. */
  async registerActiveThread(teamId: string, channelId: string, threadTs: string, agentName: string): Promise<void> {
    const input = validateInput(SlackActiveThreadCreate, { team_id: teamId, channel_id: channelId, thread_ts: threadTs, agent_name: agentName }, 'thread');
    await this.execute(
      `INSERT INTO slack_active_threads (team_id, channel_id, thread_ts, agent_name, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (team_id, channel_id, thread_ts) DO NOTHING`,
      [input.team_id, input.channel_id, input.thread_ts, input.agent_name, this.encode(SlackActiveThread, 'created_at', this.now())],
    );
  }

  /** The agent that owns the thread, or null (named like a boolean check, as in Python). */
  async isActiveThread(teamId: string, channelId: string, threadTs: string): Promise<string | null> {
    const rows = await this.select<{ agent_name: string }>(
      `SELECT agent_name FROM slack_active_threads WHERE team_id = ? AND channel_id = ? AND thread_ts = ?`,
      [teamId, channelId, threadTs],
    );
    return rows.length ? rows[0].agent_name : null;
  }

  /**
   * Python `_decrypt_token`: never throws. A stored text that cannot be decrypted is returned as is
   * when it is a legacy plaintext 'xoxb-' token (an envelope is JSON text, never starts so), else null.
   */
  private decryptToken(stored: string): string | null {
    return decryptBotToken(this.encryption, stored) ?? (typeof stored === 'string' && stored.startsWith(PLAINTEXT_TOKEN_PREFIX) ? stored : null);
  }

  /** Python `_row_to_workspace`: the token decrypted (or ""), `enabled` through bool(). */
  private toWorkspace(row: Row): SlackWorkspaceDict {
    const workspace = this.decodeRow<SlackWorkspaceDict>(SlackWorkspace, row);
    workspace.bot_token = this.decryptToken(row.bot_token as string) || '';
    workspace.enabled = Boolean(workspace.enabled);
    return workspace;
  }

  /** Python `_row_to_channel_agent`: `is_dm_default` through bool(). */
  private toBinding(row: Row): SlackChannelBindingDict {
    const binding = this.decodeRow<SlackChannelBindingDict>(SlackChannelAgent, row);
    binding.is_dm_default = Boolean(binding.is_dm_default);
    return binding;
  }
}
