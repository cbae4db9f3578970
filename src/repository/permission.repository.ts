import { AgentPermission as AgentPermissionEntity } from '../entity';
import type { AgentPermission } from '../model/permission.model';
import { requireString } from '../model/validate';
import { InputValidationError } from '../errors';
import { BaseRepository } from './base.repository';
import { insertUnlessExists } from './insert-unless-exists';
import { chunks } from './ids';

const PERMISSION_COLUMNS = 'id, source_agent, target_agent, created_at, created_by';

/**
 * Directed agent-to-agent call permissions (Python `PermissionOperations`): a row means "source may
 * call target". Python's constructor took `user_ops` and `agent_ops` but never used them; they are
 * left out.
 */
export class PermissionRepository extends BaseRepository {
  /** Target agents the source may call, in SQLite BINARY order (upper case before lower case). */
  async getPermittedAgents(sourceAgent: string): Promise<string[]> {
    const rows = await this.select<{ target_agent: string }>(
      `SELECT target_agent FROM agent_permissions WHERE source_agent = ? ORDER BY ${this.sql.binary('target_agent')}`,
      [sourceAgent],
    );
    return rows.map((r) => r.target_agent);
  }

  async getPermissionDetails(sourceAgent: string): Promise<AgentPermission[]> {
    const rows = await this.select(
      `SELECT ${PERMISSION_COLUMNS} FROM agent_permissions WHERE source_agent = ? ORDER BY ${this.sql.binary('target_agent')}`,
      [sourceAgent],
    );
    return rows.map((row) => this.rowToPermission(row));
  }

  /** Exact (case-sensitive, directional) match. The facade calls it `is_agent_permitted`. */
  async isPermitted(sourceAgent: string, targetAgent: string): Promise<boolean> {
    const rows = await this.select(`SELECT 1 AS found FROM agent_permissions WHERE source_agent = ? AND target_agent = ? LIMIT 1`, [sourceAgent, targetAgent]);
    return rows.length > 0;
  }

  /**
   * Grants source -> target; null when the pair already exists. There is no self-permission guard
   * (source == target is allowed here, unlike setPermissions). A duplicate is not inserted at all
   * (no caught violation, which would abort a caller's PostgreSQL transaction, and no id taken).
   */
  async addPermission(sourceAgent: string, targetAgent: string, createdBy: string): Promise<AgentPermission | null> {
    requireString('sourceAgent', sourceAgent);
    requireString('targetAgent', targetAgent);
    requireString('createdBy', createdBy);
    const createdAt = this.encode(AgentPermissionEntity, 'created_at', this.now());
    const rows = await this.atomically(async (repo) => {
      // The lock setPermissions takes: a replacement and an addition of one source serialise.
      if (this.sql.keyLock) await repo.select(this.sql.keyLock, [`agent_permissions:${sourceAgent}`]);
      return repo.select(
        ...insertUnlessExists(
          'agent_permissions',
          { source_agent: sourceAgent, target_agent: targetAgent, created_at: createdAt, created_by: createdBy },
          ['source_agent', 'target_agent'],
          PERMISSION_COLUMNS,
        ),
      );
    });
    return rows.length ? this.rowToPermission(rows[0]) : null;
  }

  async removePermission(sourceAgent: string, targetAgent: string): Promise<boolean> {
    const { affected } = await this.execute(`DELETE FROM agent_permissions WHERE source_agent = ? AND target_agent = ?`, [sourceAgent, targetAgent]);
    return affected > 0;
  }

  /**
   * Replaces all outgoing permissions of the source in one transaction: inserts the targets in list
   * order with one shared timestamp, skipping the source itself and repeated targets. Returns
   * `targetAgents.length` (skipped entries included), as Python does. Incoming permissions are untouched.
   */
  async setPermissions(sourceAgent: string, targetAgents: string[], createdBy: string): Promise<number> {
    requireString('sourceAgent', sourceAgent);
    requireString('createdBy', createdBy);
    if (!Array.isArray(targetAgents)) throw new InputValidationError('targetAgents', 'expected an array of agent names');
    targetAgents.forEach((target, i) => requireString(`targetAgents[${i}]`, target));
    const targets = [...new Set(targetAgents)].filter((target) => target !== sourceAgent);
    const createdAt = this.encode(AgentPermissionEntity, 'created_at', this.now());
    await this.atomically(async (repo) => {
      // Concurrent replacements of one agent's permissions serialise: the last one wins, none fails.
      if (this.sql.keyLock) await repo.select(this.sql.keyLock, [`agent_permissions:${sourceAgent}`]);
      await repo.execute(`DELETE FROM agent_permissions WHERE source_agent = ?`, [sourceAgent]);
      for (const batch of chunks(targets)) {
        await repo.execute(
          `INSERT INTO agent_permissions (source_agent, target_agent, created_at, created_by) VALUES ${batch.map(() => '(?, ?, ?, ?)').join(', ')}`,
          batch.flatMap((target) => [sourceAgent, target, createdAt, createdBy]),
        );
      }
    });
    return targetAgents.length;
  }

  /** Deletes the agent's outgoing and incoming permissions in one transaction; returns the sum of both counts. */
  async deleteAgentPermissions(agentName: string): Promise<number> {
    requireString('agentName', agentName);
    return this.atomically(async (repo) => {
      const outgoing = await repo.execute(`DELETE FROM agent_permissions WHERE source_agent = ?`, [agentName]);
      const incoming = await repo.execute(`DELETE FROM agent_permissions WHERE target_agent = ?`, [agentName]);
      return outgoing.affected + incoming.affected;
    });
  }

  /** No-op kept for API compatibility: new agents start without permissions. Always 0. */
  async grantDefaultPermissions(_agentName: string, _ownerUsername: string): Promise<number> {
    return 0;
  }

  private rowToPermission(raw: Record<string, unknown>): AgentPermission {
    const row = this.decodeRow<AgentPermission>(AgentPermissionEntity, raw);
    return { ...row, id: Number(row.id) };
  }
}
