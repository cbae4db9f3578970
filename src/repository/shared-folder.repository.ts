import { AgentSharedFolderConfig } from '../entity';
import type { SharedFolderConfig } from '../model/shared-folder.model';
import { requireString } from '../model/validate';
import { InputValidationError } from '../errors';
import { BaseRepository } from './base.repository';

const CONFIG_COLUMNS = 'agent_name, expose_enabled, consume_enabled, created_at, updated_at';

/**
 * Per-agent shared-folder switches (Python `SharedFolderOperations`). Python took `permission_ops`
 * and asked `is_permitted` once per candidate; here the permission check is an EXISTS in the same
 * query (same result, no query per row).
 */
export class SharedFolderRepository extends BaseRepository {
  /** Python `get_shared_volume_name`. */
  static getSharedVolumeName(agentName: string): string {
    return `agent-${agentName}-shared`;
  }

  /** Python `get_shared_mount_path`. */
  static getSharedMountPath(sourceAgent: string): string {
    return `/home/developer/shared-in/${sourceAgent}`;
  }

  /** Null when the agent has no row (callers then assume both switches off). */
  async getSharedFolderConfig(agentName: string): Promise<SharedFolderConfig | null> {
    const rows = await this.select(`SELECT ${CONFIG_COLUMNS} FROM agent_shared_folder_config WHERE agent_name = ?`, [agentName]);
    return rows.length ? this.rowToConfig(rows[0]) : null;
  }

  /**
   * Creates the row (a missing flag is false) or updates it (a missing flag keeps its stored value;
   * created_at is kept). updated_at is bumped even when both flags are missing. One atomic upsert.
   */
  async upsertSharedFolderConfig(agentName: string, exposeEnabled: boolean | null = null, consumeEnabled: boolean | null = null): Promise<SharedFolderConfig> {
    requireString('agentName', agentName);
    const expose = optionalFlag('exposeEnabled', exposeEnabled);
    const consume = optionalFlag('consumeEnabled', consumeEnabled);
    const now = this.now();
    const flag = (value: boolean | null) => (value === null ? null : this.encode(AgentSharedFolderConfig, 'expose_enabled', value));
    const rows = await this.select(
      `INSERT INTO agent_shared_folder_config AS c (agent_name, expose_enabled, consume_enabled, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (agent_name) DO UPDATE SET
         expose_enabled = COALESCE(?, c.expose_enabled),
         consume_enabled = COALESCE(?, c.consume_enabled),
         updated_at = excluded.updated_at
       RETURNING ${CONFIG_COLUMNS}`,
      [
        agentName,
        flag(expose ?? false),
        flag(consume ?? false),
        this.encode(AgentSharedFolderConfig, 'created_at', now),
        this.encode(AgentSharedFolderConfig, 'updated_at', now),
        flag(expose),
        flag(consume),
      ],
    );
    return this.rowToConfig(rows[0]);
  }

  async deleteSharedFolderConfig(agentName: string): Promise<boolean> {
    const { affected } = await this.execute(`DELETE FROM agent_shared_folder_config WHERE agent_name = ?`, [agentName]);
    return affected > 0;
  }

  /** Agents with expose_enabled, by name (BINARY order). */
  async getAgentsExposingFolders(): Promise<string[]> {
    return this.agentNames(`SELECT agent_name FROM agent_shared_folder_config WHERE expose_enabled = ? ORDER BY ${this.sql.binary('agent_name')}`, [this.flagTrue]);
  }

  /**
   * Exposing agents other than the requester that the requester may call (permission
   * requester -> exposer). The requester's own consume switch is not checked.
   */
  async getAvailableSharedFolders(requestingAgent: string): Promise<string[]> {
    return this.agentNames(
      `SELECT c.agent_name FROM agent_shared_folder_config c
        WHERE c.expose_enabled = ? AND c.agent_name <> ?
          AND EXISTS (SELECT 1 FROM agent_permissions p WHERE p.source_agent = ? AND p.target_agent = c.agent_name)
        ORDER BY ${this.sql.binary('c.agent_name')}`,
      [this.flagTrue, requestingAgent, requestingAgent],
    );
  }

  /**
   * Consuming agents other than the source that may call the source (permission consumer -> source).
   * Whether the source exposes anything is not checked.
   */
  async getConsumingAgents(sourceAgent: string): Promise<string[]> {
    return this.agentNames(
      `SELECT c.agent_name FROM agent_shared_folder_config c
        WHERE c.consume_enabled = ? AND c.agent_name <> ?
          AND EXISTS (SELECT 1 FROM agent_permissions p WHERE p.source_agent = c.agent_name AND p.target_agent = ?)
        ORDER BY ${this.sql.binary('c.agent_name')}`,
      [this.flagTrue, sourceAgent, sourceAgent],
    );
  }

  private async agentNames(sql: string, params: unknown[]): Promise<string[]> {
    const rows = await this.select<{ agent_name: string }>(sql, params);
    return rows.map((r) => r.agent_name);
  }

  private get flagTrue(): unknown {
    return this.encode(AgentSharedFolderConfig, 'expose_enabled', true);
  }

  /** Python `_row_to_config`: bool() of each flag, so NULL reads as false. */
  private rowToConfig(raw: Record<string, unknown>): SharedFolderConfig {
    const row = this.decodeRow<Record<string, unknown>>(AgentSharedFolderConfig, raw);
    return {
      agent_name: row.agent_name as string,
      expose_enabled: row.expose_enabled === true,
      consume_enabled: row.consume_enabled === true,
      created_at: row.created_at as Date,
      updated_at: row.updated_at as Date,
    };
  }
}

function optionalFlag(field: string, value: unknown): boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'boolean') throw new InputValidationError(field, `expected a boolean or null, got ${typeof value}`);
  return value;
}
