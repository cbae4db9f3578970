import type { SqlExecutor } from '../sql/executor';
import { isStorableTimestamp, STORABLE_TIMESTAMP } from '../codec/timestamp';
import { AgentGitConfig, AgentOwnership, AgentSharing, User } from '../entity';
import { InputValidationError, NotNullConstraintError, UniqueConstraintError } from '../errors';
import {
  SYSTEM_AGENT_NAME,
  type AgentMetadataDict,
  type AgentNameRow,
  type AgentOwnerDict,
  type AgentShare,
  type AvatarIdentityDict,
  type ReadOnlyModeDict,
  type ResourceLimitsDict,
} from '../model/agent.model';
import type { UserDict } from '../model/user.model';
import { requireInteger, requireString } from '../model/validate';
import { BaseRepository, type RepositoryOptions } from './base.repository';
import { insertUnlessExists } from './insert-unless-exists';
import { UserRepository } from './user.repository';

const DEFAULT_MAX_PARALLEL_TASKS = 3;
const DEFAULT_EXECUTION_TIMEOUT = 900;
const PARALLEL_RANGE = { min: 1, max: 10 };
const TIMEOUT_RANGE = { min: 60, max: 7200 };

/**
 * Every column that holds an agent name and is rewritten by `renameAgent`, in the Python order
 * (17 tables, 18 statements). Tables not listed keep the old name, as in the Python layer.
 */
export const RENAMED_AGENT_COLUMNS: ReadonlyArray<readonly [table: string, column: string]> = [
  ['agent_ownership', 'agent_name'],
  ['agent_sharing', 'agent_name'],
  ['agent_schedules', 'agent_name'],
  ['schedule_executions', 'agent_name'],
  ['chat_sessions', 'agent_name'],
  ['chat_messages', 'agent_name'],
  ['agent_activities', 'agent_name'],
  ['agent_permissions', 'source_agent'],
  ['agent_permissions', 'target_agent'],
  ['agent_shared_folder_config', 'agent_name'],
  ['agent_git_config', 'agent_name'],
  ['agent_skills', 'agent_name'],
  ['agent_tags', 'agent_name'],
  ['agent_public_links', 'agent_name'],
  ['mcp_api_keys', 'agent_name'],
  ['agent_health_checks', 'agent_name'],
  ['agent_dashboard_values', 'agent_name'],
  ['monitoring_alert_cooldowns', 'agent_name'],
];

type Row = Record<string, unknown>;

/**
 * Agent ownership, sharing and per-agent settings (Python `AgentOperations` with its mixins
 * SharingMixin, ResourcesMixin, SecurityMixin, AutonomyMixin, AvatarMixin and MetadataMixin).
 */
const OWNER_SQL = `SELECT o.id, o.agent_name, o.owner_id, u.username AS owner_username, o.created_at, o.is_system
         FROM agent_ownership o JOIN users u ON o.owner_id = u.id
        WHERE o.agent_name = ?`;

export class AgentRepository extends BaseRepository {
  private readonly users: UserRepository;

  constructor(executor: SqlExecutor, options: RepositoryOptions = {}) {
    super(executor, options);
    this.users = new UserRepository(executor, options);
  }

  // -------------------------------------------------------------------------------------------
  // Core ownership (agents.py)
  // -------------------------------------------------------------------------------------------

  /**
   * Registers the owner of a new agent. Returns false when the user is unknown or the agent is
   * already registered; a duplicate with isSystem=true still sets the system flag (never clears it).
   */
  async registerAgentOwner(agentName: string, ownerUsername: string, isSystem = false): Promise<boolean> {
    requireString('agentName', agentName);
    requireString('ownerUsername', ownerUsername);
    requireBoolean('isSystem', isSystem);
    const owner = await this.users.getUserByUsername(ownerUsername);
    if (!owner) return false;
    return this.atomically(async (agents) => {
      if (this.sql.keyLock) await agents.select(this.sql.keyLock, [`agent_ownership.agent_name:${agentName}`]);
      // Not a failing INSERT (it would abort a caller's PostgreSQL transaction) nor ON CONFLICT (it takes an id).
      const { affected } = await agents.execute(
        ...insertUnlessExists(
          'agent_ownership',
          { agent_name: agentName, owner_id: owner.id, created_at: this.encode(AgentOwnership, 'created_at', this.now()), is_system: this.encode(AgentOwnership, 'is_system', isSystem) },
          ['agent_name'],
        ),
      );
      if (affected > 0) return true;
      if (isSystem) await agents.execute(`UPDATE agent_ownership SET is_system = ? WHERE agent_name = ?`, [this.encode(AgentOwnership, 'is_system', true), agentName]);
      return false;
    });
  }

  /** The ownership row with the owner's username; null when there is none or the owner user is gone. */
  async getAgentOwner(agentName: string): Promise<AgentOwnerDict | null> {
    const rows = await this.select<Row>(OWNER_SQL, [agentName]);
    if (!rows.length) return null;
    const row = this.decodeRow<Row>(AgentOwnership, rows[0]);
    return {
      id: Number(row.id),
      agent_name: row.agent_name as string,
      owner_id: Number(row.owner_id),
      owner_username: row.owner_username as string,
      created_at: row.created_at as Date,
      is_system: row.is_system === true,
    };
  }

  /** Names of the agents the user owns, in registration (id) order; [] for an unknown user. */
  async getAgentsByOwner(ownerUsername: string): Promise<string[]> {
    const owner = await this.users.getUserByUsername(ownerUsername);
    if (!owner) return [];
    const rows = await this.select<{ agent_name: string }>(`SELECT agent_name FROM agent_ownership WHERE owner_id = ? ORDER BY id`, [owner.id]);
    return rows.map((r) => r.agent_name);
  }

  /**
   * Deletes the agent's shares and its ownership row in one transaction. Returns whether an
   * ownership row was deleted (shares alone do not count). Other tables are left alone.
   */
  async deleteAgentOwnership(agentName: string): Promise<boolean> {
    requireString('agentName', agentName);
    return this.atomically(async (agents) => {
      await agents.execute(`DELETE FROM agent_sharing WHERE agent_name = ?`, [agentName]);
      const { affected } = await agents.execute(`DELETE FROM agent_ownership WHERE agent_name = ?`, [agentName]);
      return affected > 0;
    });
  }

  /** Admins see every agent (even one that does not exist); others need to own it or have it shared. */
  async canUserAccessAgent(username: string, agentName: string): Promise<boolean> {
    const user = await this.users.getUserByUsername(username);
    if (!user) return false;
    if (user.role === 'admin') return true;
    if ((await this.ownerUsername(agentName)) === username) return true;
    return this.isSharedWith(agentName, user);
  }

  /** System agents (DB flag) cannot be deleted, not even by an admin; otherwise admin or owner. */
  async canUserDeleteAgent(username: string, agentName: string): Promise<boolean> {
    return this.isOwnerOrAdminOfNonSystem(username, agentName);
  }

  /** True for the name `trinity-system` (no query), else the DB flag of the owner row. */
  async isSystemAgent(agentName: string): Promise<boolean> {
    if (agentName === SYSTEM_AGENT_NAME) return true;
    return (await this.getAgentOwner(agentName))?.is_system ?? false;
  }

  // -------------------------------------------------------------------------------------------
  // SharingMixin
  // -------------------------------------------------------------------------------------------

  /**
   * Shares the agent with an email (stored lower-cased). Null when the owner is unknown, may not
   * share (not admin or owner), shares with their own email, or the agent is already shared with it.
   */
  async shareAgent(agentName: string, ownerUsername: string, shareWithEmail: string): Promise<AgentShare | null> {
    requireString('agentName', agentName);
    requireString('ownerUsername', ownerUsername);
    requireString('shareWithEmail', shareWithEmail);
    const owner = await this.users.getUserByUsername(ownerUsername);
    if (!owner) return null;
    if (!(await this.canUserShareAgent(ownerUsername, agentName))) return null;
    const email = shareWithEmail.toLowerCase();
    if (owner.email && owner.email.toLowerCase() === email) return null;
    const now = this.encode(AgentSharing, 'created_at', this.now());
    const rows = await this.atomically(async (agents) => {
      if (this.sql.keyLock) await agents.select(this.sql.keyLock, [`agent_sharing:${agentName}|${email}`]);
      return agents.select<{ id: number }>(
        ...insertUnlessExists('agent_sharing', { agent_name: agentName, shared_with_email: email, shared_by_id: owner.id, created_at: now }, ['agent_name', 'shared_with_email'], 'id'),
      );
    });
    if (!rows.length) return null;
    return {
      id: Number(rows[0].id),
      agent_name: agentName,
      shared_with_email: email,
      shared_by_id: owner.id,
      shared_by_email: owner.email || owner.username || 'unknown',
      created_at: this.decode(AgentSharing, 'created_at', now),
    };
  }

  /** Removes a share (admin or owner only). Returns whether a row was deleted. */
  async unshareAgent(agentName: string, ownerUsername: string, shareWithEmail: string): Promise<boolean> {
    requireString('agentName', agentName);
    requireString('ownerUsername', ownerUsername);
    requireString('shareWithEmail', shareWithEmail);
    if (!(await this.canUserShareAgent(ownerUsername, agentName))) return false;
    const { affected } = await this.execute(`DELETE FROM agent_sharing WHERE agent_name = ? AND shared_with_email = ?`, [agentName, shareWithEmail.toLowerCase()]);
    return affected > 0;
  }

  /** Shares of an agent, newest first; shares whose sharer user was deleted are left out (inner join). */
  async getAgentShares(agentName: string): Promise<AgentShare[]> {
    const rows = await this.select<Row>(
      `SELECT s.id, s.agent_name, s.shared_with_email, s.shared_by_id, s.created_at, COALESCE(u.email, u.username) AS shared_by_email
         FROM agent_sharing s JOIN users u ON s.shared_by_id = u.id
        WHERE s.agent_name = ?
        ORDER BY s.created_at DESC, s.id DESC`,
      [agentName],
    );
    return rows.map((row) => this.rowToAgentShare(row));
  }

  /** Agents shared with the user's email (lower-cased), in share (id) order; [] without a user or email. */
  async getSharedAgents(username: string): Promise<string[]> {
    const user = await this.users.getUserByUsername(username);
    if (!user || !user.email) return [];
    const rows = await this.select<{ agent_name: string }>(`SELECT agent_name FROM agent_sharing WHERE shared_with_email = ? ORDER BY id`, [user.email.toLowerCase()]);
    return rows.map((r) => r.agent_name);
  }

  async isAgentSharedWithUser(agentName: string, username: string): Promise<boolean> {
    const user = await this.users.getUserByUsername(username);
    return user ? this.isSharedWith(agentName, user) : false;
  }

  /** Admin, or the owner of an existing agent (false, not Python's None, when there is no owner row). */
  async canUserShareAgent(username: string, agentName: string): Promise<boolean> {
    const user = await this.users.getUserByUsername(username);
    if (!user) return false;
    if (user.role === 'admin') return true;
    const owner = await this.getAgentOwner(agentName);
    return owner !== null && owner.owner_username === username;
  }

  /** Deletes every share of the agent; returns how many were deleted. */
  async deleteAgentShares(agentName: string): Promise<number> {
    requireString('agentName', agentName);
    const { affected } = await this.execute(`DELETE FROM agent_sharing WHERE agent_name = ?`, [agentName]);
    return affected;
  }

  /** Python `_row_to_agent_share`: a falsy sharer email/username reads as "unknown". */
  rowToAgentShare(row: Row): AgentShare {
    const share = this.decodeRow<Row>(AgentSharing, row);
    return {
      id: Number(share.id),
      agent_name: share.agent_name as string,
      shared_with_email: share.shared_with_email as string,
      shared_by_id: Number(share.shared_by_id),
      shared_by_email: (share.shared_by_email as string | null) || 'unknown',
      created_at: share.created_at as Date,
    };
  }

  // -------------------------------------------------------------------------------------------
  // ResourcesMixin
  // -------------------------------------------------------------------------------------------

  /** Memory and CPU limits; null when the agent is unknown or both are NULL. */
  async getResourceLimits(agentName: string): Promise<ResourceLimitsDict | null> {
    const row = await this.ownershipRow(agentName, 'memory_limit, cpu_limit');
    if (!row) return null;
    const memory = (row.memory_limit as string | null) ?? null;
    const cpu = (row.cpu_limit as string | null) ?? null;
    if (memory === null && cpu === null) return null;
    return { memory, cpu };
  }

  /** Writes both limits (an omitted one is cleared to NULL); the format is not checked. */
  async setResourceLimits(agentName: string, memory: string | null = null, cpu: string | null = null): Promise<boolean> {
    requireString('agentName', agentName);
    requireOptionalString('memory', memory);
    requireOptionalString('cpu', cpu);
    return this.updateOwnership(agentName, { memory_limit: memory ?? null, cpu_limit: cpu ?? null });
  }

  async getMaxParallelTasks(agentName: string): Promise<number> {
    const row = await this.ownershipRow(agentName, 'max_parallel_tasks');
    return row ? Number(row.max_parallel_tasks ?? DEFAULT_MAX_PARALLEL_TASKS) : DEFAULT_MAX_PARALLEL_TASKS;
  }

  /** A value outside 1..10 returns false without touching the database. */
  async setMaxParallelTasks(agentName: string, maxTasks: number): Promise<boolean> {
    requireString('agentName', agentName);
    if (!inIntegerRange('maxTasks', maxTasks, PARALLEL_RANGE)) return false;
    return this.updateOwnership(agentName, { max_parallel_tasks: maxTasks });
  }

  /** agent_name -> max parallel tasks (default 3) for every agent. */
  async getAllAgentsParallelCapacity(): Promise<Record<string, number>> {
    const rows = await this.select<Row>(`SELECT agent_name, max_parallel_tasks FROM agent_ownership ORDER BY id`);
    return Object.fromEntries(rows.map((r) => [r.agent_name as string, Number(r.max_parallel_tasks ?? DEFAULT_MAX_PARALLEL_TASKS)]));
  }

  async getExecutionTimeout(agentName: string): Promise<number> {
    const row = await this.ownershipRow(agentName, 'execution_timeout_seconds');
    return row ? Number(row.execution_timeout_seconds ?? DEFAULT_EXECUTION_TIMEOUT) : DEFAULT_EXECUTION_TIMEOUT;
  }

  /** A value outside 60..7200 seconds returns false without touching the database. */
  async setExecutionTimeout(agentName: string, timeoutSeconds: number): Promise<boolean> {
    requireString('agentName', agentName);
    if (!inIntegerRange('timeoutSeconds', timeoutSeconds, TIMEOUT_RANGE)) return false;
    return this.updateOwnership(agentName, { execution_timeout_seconds: timeoutSeconds });
  }

  // -------------------------------------------------------------------------------------------
  // SecurityMixin
  // -------------------------------------------------------------------------------------------

  async getFullCapabilities(agentName: string): Promise<boolean> {
    return this.getFlag(agentName, 'full_capabilities', false);
  }

  async setFullCapabilities(agentName: string, enabled: boolean): Promise<boolean> {
    return this.setFlag(agentName, 'full_capabilities', enabled, 'enabled');
  }

  /** `{enabled, config}`; config is null when NULL, empty or not valid JSON. Unknown agent: `{false, null}`. */
  async getReadOnlyMode(agentName: string): Promise<ReadOnlyModeDict> {
    const row = await this.ownershipRow(agentName, 'read_only_mode, read_only_config');
    if (!row) return { enabled: false, config: null };
    return {
      enabled: row.read_only_mode === true,
      config: (row.read_only_config as Record<string, unknown> | null) ?? null,
    };
  }

  /** Writes both columns; an empty config (`{}`) is stored as NULL, as Python's truthiness test does. */
  async setReadOnlyMode(agentName: string, enabled: boolean, config: Record<string, unknown> | null = null): Promise<boolean> {
    requireString('agentName', agentName);
    requireBoolean('enabled', enabled);
    if (config !== null && config !== undefined && (typeof config !== 'object' || Array.isArray(config))) {
      throw new InputValidationError('config', 'expected an object or null');
    }
    const stored = config && Object.keys(config).length ? config : null;
    return this.updateOwnership(agentName, { read_only_mode: enabled, read_only_config: stored });
  }

  // -------------------------------------------------------------------------------------------
  // AutonomyMixin
  // -------------------------------------------------------------------------------------------

  /** Default (and unknown agent): true. */
  async getUsePlatformApiKey(agentName: string): Promise<boolean> {
    return this.getFlag(agentName, 'use_platform_api_key', true);
  }

  async setUsePlatformApiKey(agentName: string, usePlatformKey: boolean): Promise<boolean> {
    return this.setFlag(agentName, 'use_platform_api_key', usePlatformKey, 'usePlatformKey');
  }

  async getAutonomyEnabled(agentName: string): Promise<boolean> {
    return this.getFlag(agentName, 'autonomy_enabled', false);
  }

  async setAutonomyEnabled(agentName: string, enabled: boolean): Promise<boolean> {
    return this.setFlag(agentName, 'autonomy_enabled', enabled, 'enabled');
  }

  /** agent_name -> autonomy flag (NULL reads false) for every agent. */
  async getAllAgentsAutonomyStatus(): Promise<Record<string, boolean>> {
    const rows = await this.select<Row>(`SELECT agent_name, autonomy_enabled FROM agent_ownership ORDER BY id`);
    return Object.fromEntries(rows.map((r) => [r.agent_name as string, this.decode(AgentOwnership, 'autonomy_enabled', r.autonomy_enabled) === true]));
  }

  // -------------------------------------------------------------------------------------------
  // AvatarMixin
  // -------------------------------------------------------------------------------------------

  /**
   * Sets a custom avatar identity (is_default_avatar = 0). `updatedAt` is the caller's timestamp: a
   * string is stored verbatim on SQLite (it must parse as ISO-8601), a Date in the column's +00:00 shape.
   */
  async setAvatarIdentity(agentName: string, prompt: string, updatedAt: string | Date): Promise<boolean> {
    return this.writeAvatar(agentName, prompt, updatedAt, false, 'prompt');
  }

  /** Null when the agent is unknown or its prompt is NULL or empty. */
  async getAvatarIdentity(agentName: string): Promise<AvatarIdentityDict | null> {
    const row = await this.ownershipRow(agentName, 'avatar_identity_prompt, avatar_updated_at');
    if (!row || !row.avatar_identity_prompt) return null;
    return { identity_prompt: row.avatar_identity_prompt as string, updated_at: (row.avatar_updated_at as Date | null) ?? null };
  }

  /** Clears the prompt and its timestamp, and marks the avatar as not default. */
  async clearAvatarIdentity(agentName: string): Promise<boolean> {
    requireString('agentName', agentName);
    return this.updateOwnership(agentName, { avatar_identity_prompt: null, avatar_updated_at: null, is_default_avatar: false });
  }

  /** Agents with no avatar timestamp or a default avatar, in id order. */
  async getAgentsWithoutCustomAvatar(): Promise<AgentNameRow[]> {
    return this.select<AgentNameRow>(`SELECT agent_name FROM agent_ownership WHERE avatar_updated_at IS NULL OR is_default_avatar = ? ORDER BY id`, [
      this.encode(AgentOwnership, 'is_default_avatar', true),
    ]);
  }

  /** Like setAvatarIdentity, but marks the avatar as the generated default (is_default_avatar = 1). */
  async setDefaultAvatar(agentName: string, identityPrompt: string, updatedAt: string | Date): Promise<boolean> {
    return this.writeAvatar(agentName, identityPrompt, updatedAt, true, 'identityPrompt');
  }

  // -------------------------------------------------------------------------------------------
  // MetadataMixin
  // -------------------------------------------------------------------------------------------

  /**
   * Admin: every agent. Otherwise the agents whose owner's email, or a share's email, equals
   * `userEmail` after ASCII-only lower-casing (SQLite `LOWER`). Sorted by name (binary order), as
   * SQLite's index scan / UNION returned them.
   */
  async getAccessibleAgentNames(userEmail: string, isAdmin = false): Promise<string[]> {
    if (isAdmin) {
      const rows = await this.select<{ agent_name: string }>(`SELECT agent_name FROM agent_ownership`);
      return sortBinary(rows.map((r) => r.agent_name));
    }
    const rows = await this.select<{ agent_name: string }>(
      `SELECT o.agent_name FROM agent_ownership o JOIN users u ON o.owner_id = u.id WHERE ${this.sql.asciiLower('u.email')} = ${this.sql.asciiLower('?')}
       UNION
       SELECT s.agent_name FROM agent_sharing s WHERE ${this.sql.asciiLower('s.shared_with_email')} = ${this.sql.asciiLower('?')}`,
      [userEmail, userEmail],
    );
    return sortBinary(rows.map((r) => r.agent_name));
  }

  /**
   * Renames an agent in the 17 tables that reference it, in one transaction. False when the old name
   * has no owner row, the new name has one, or a constraint (e.g. an orphan row already under the
   * new name) fails; then nothing is changed. Any other error propagates, also after a rollback.
   * No permission check (see canUserRenameAgent).
   */
  async renameAgent(oldName: string, newName: string): Promise<boolean> {
    requireString('oldName', oldName);
    requireString('newName', newName);
    try {
      return await this.atomically(async (agents) => {
        if (!(await agents.ownershipRow(oldName, 'id'))) return false;
        if (await agents.ownershipRow(newName, 'id')) return false;
        for (const [table, column] of RENAMED_AGENT_COLUMNS) {
          await agents.execute(`UPDATE ${table} SET ${column} = ? WHERE ${column} = ?`, [newName, oldName]);
        }
        return true;
      });
    } catch (error) {
      if (error instanceof UniqueConstraintError || error instanceof NotNullConstraintError) return false;
      throw error;
    }
  }

  /** Same rule as canUserDeleteAgent: system agents never, else admin or owner. */
  async canUserRenameAgent(username: string, agentName: string): Promise<boolean> {
    return this.isOwnerOrAdminOfNonSystem(username, agentName);
  }

  /**
   * Everything the agent list needs, in one query, keyed by agent_name. `is_shared_with_user` matches
   * shares to `userEmail` (ASCII-only case folding); with no email only a share to '' could match.
   */
  async getAllAgentMetadata(userEmail: string | null = null): Promise<Record<string, AgentMetadataDict>> {
    const rows = await this.select<Row>(
      `SELECT o.agent_name, o.owner_id, u.username AS owner_username, u.email AS owner_email,
              o.is_system, o.autonomy_enabled, o.read_only_mode, o.use_platform_api_key,
              o.memory_limit, o.cpu_limit, g.github_repo, g.working_branch, s.id AS share_id, o.avatar_updated_at
         FROM agent_ownership o
         LEFT JOIN users u ON o.owner_id = u.id
         LEFT JOIN agent_git_config g ON g.agent_name = o.agent_name
         LEFT JOIN agent_sharing s ON s.agent_name = o.agent_name AND ${this.sql.asciiLower('s.shared_with_email')} = ${this.sql.asciiLower('?')}
        ORDER BY o.id`,
      [userEmail || ''],
    );
    const result: Record<string, AgentMetadataDict> = {};
    for (const raw of rows) {
      const row = this.decodeRow<Row>(AgentOwnership, raw);
      result[row.agent_name as string] = {
        owner_id: row.owner_id === null || row.owner_id === undefined ? null : Number(row.owner_id),
        owner_username: (row.owner_username as string | null) ?? null,
        owner_email: (row.owner_email as string | null) ?? null,
        is_system: row.is_system === true,
        autonomy_enabled: row.autonomy_enabled === true,
        read_only_enabled: row.read_only_mode === true,
        use_platform_api_key: row.use_platform_api_key === null || row.use_platform_api_key === undefined ? true : row.use_platform_api_key === true,
        memory_limit: (row.memory_limit as string | null) ?? null,
        cpu_limit: (row.cpu_limit as string | null) ?? null,
        github_repo: (raw.github_repo as string | null) ?? null,
        github_branch: (raw.working_branch as string | null) ?? null,
        is_shared_with_user: raw.share_id !== null && raw.share_id !== undefined,
        avatar_updated_at: (row.avatar_updated_at as Date | null) ?? null,
      };
    }
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------

  /** One decoded agent_ownership row (only the listed columns), or null. */
  private async ownershipRow(agentName: string, columns: string): Promise<Row | null> {
    const rows = await this.select<Row>(`SELECT ${columns} FROM agent_ownership WHERE agent_name = ?`, [agentName]);
    return rows.length ? this.decodeRow<Row>(AgentOwnership, rows[0]) : null;
  }

  /** UPDATE of the agent's ownership row; true when the row exists (even if nothing changed). */
  private async updateOwnership(agentName: string, values: Record<string, unknown>): Promise<boolean> {
    const columns = Object.keys(values);
    const { affected } = await this.execute(`UPDATE agent_ownership SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE agent_name = ?`, [
      ...columns.map((c) => this.encode(AgentOwnership, c, values[c])),
      agentName,
    ]);
    return affected > 0;
  }

  /** A boolean setting; NULL (and an unknown agent) read as the column's legacy COALESCE default. */
  private async getFlag(agentName: string, column: string, fallback: boolean): Promise<boolean> {
    const row = await this.ownershipRow(agentName, column);
    const value = row?.[column];
    return value === null || value === undefined ? fallback : value === true;
  }

  private async setFlag(agentName: string, column: string, value: boolean, field: string): Promise<boolean> {
    requireString('agentName', agentName);
    requireBoolean(field, value);
    return this.updateOwnership(agentName, { [column]: value });
  }

  private async writeAvatar(agentName: string, prompt: string, updatedAt: string | Date, isDefault: boolean, promptField: string): Promise<boolean> {
    requireString('agentName', agentName);
    requireString(promptField, prompt, { allowEmpty: true });
    if (!isStorableTimestamp(updatedAt)) throw new InputValidationError('updatedAt', `expected ${STORABLE_TIMESTAMP}`);
    return this.updateOwnership(agentName, { avatar_identity_prompt: prompt, avatar_updated_at: updatedAt, is_default_avatar: isDefault });
  }

  /** canUserDeleteAgent / canUserRenameAgent. */
  private async isOwnerOrAdminOfNonSystem(username: string, agentName: string): Promise<boolean> {
    const user = await this.users.getUserByUsername(username);
    if (!user) return false;
    const owner = await this.getAgentOwner(agentName);
    if (owner?.is_system) return false;
    if (user.role === 'admin') return true;
    return owner !== null && owner.owner_username === username;
  }

  /** Whether the agent is shared with the user's (lower-cased) email; false without an email. */
  private isSharedWith(agentName: string, user: UserDict): Promise<boolean> {
    if (!user.email) return Promise.resolve(false);
    return this.select(`SELECT 1 AS found FROM agent_sharing WHERE agent_name = ? AND shared_with_email = ? LIMIT 1`, [agentName, user.email.toLowerCase()]).then(
      (rows) => rows.length > 0,
    );
  }

  /** getAgentOwner(agentName)?.owner_username without decoding the row (same statement). */
  private ownerUsername(agentName: string): Promise<string | null> {
    return this.select<Row>(OWNER_SQL, [agentName]).then((rows) => (rows.length ? (rows[0].owner_username as string) : null));
  }
}

function requireBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InputValidationError(field, `expected a boolean, got ${value === null ? 'null' : typeof value}`);
  return value;
}

function requireOptionalString(field: string, value: unknown): void {
  if (value !== null && value !== undefined && typeof value !== 'string') throw new InputValidationError(field, `expected a string or null, got ${typeof value}`);
}

/** Range check of the legacy setters: out of range is a `false` result, a non-integer is bad input. */
function inIntegerRange(field: string, value: unknown, range: { min: number; max: number }): boolean {
  requireInteger(field, value);
  return (value as number) >= range.min && (value as number) <= range.max;
}

/** SQLite BINARY order (UTF-8 bytes = code points), independent of the PostgreSQL collation. */
function sortBinary(names: string[]): string[] {
  return names.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}
