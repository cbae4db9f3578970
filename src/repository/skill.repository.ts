import { AgentSkill as AgentSkillEntity } from '../entity';
import type { AgentSkill } from '../model/skill.model';
import { requireString } from '../model/validate';
import { BaseRepository } from './base.repository';
import { insertUnlessExists } from './insert-unless-exists';
import { requireStringList } from './tag.repository';

const SKILL_COLUMNS = 'id, agent_name, skill_name, assigned_by, assigned_at';

/**
 * Which skills (from the skills library) are assigned to which agent (Python `SkillsOperations`).
 * Names are stored exactly as given: case-sensitive, never trimmed.
 */
export class SkillRepository extends BaseRepository {
  /** The agent's skills, by skill name in code-point order (upper case before lower case). */
  async getAgentSkills(agentName: string): Promise<AgentSkill[]> {
    const rows = await this.select(`SELECT ${SKILL_COLUMNS} FROM agent_skills WHERE agent_name = ? ORDER BY ${this.sql.binary('skill_name')}`, [agentName]);
    return rows.map((row) => this.toSkill(row));
  }

  async getAgentSkillNames(agentName: string): Promise<string[]> {
    const rows = await this.select<{ skill_name: string }>(
      `SELECT skill_name FROM agent_skills WHERE agent_name = ? ORDER BY ${this.sql.binary('skill_name')}`,
      [agentName],
    );
    return rows.map((r) => r.skill_name);
  }

  /** Assigns a skill; null (and the existing row untouched) when the agent already has it. */
  async assignSkill(agentName: string, skillName: string, assignedBy: string): Promise<AgentSkill | null> {
    requireString('agentName', agentName);
    requireString('skillName', skillName);
    requireString('assignedBy', assignedBy);
    const assignedAt = this.encode(AgentSkillEntity, 'assigned_at', this.now());
    const rows = await this.atomically(async (repo) => {
      if (this.sql.keyLock) await repo.select(this.sql.keyLock, [`agent_skills:${agentName}`]);
      // Not a failing INSERT (it would abort a caller's PostgreSQL transaction) nor ON CONFLICT (it takes an id).
      return repo.select<{ id: number }>(
        ...insertUnlessExists('agent_skills', { agent_name: agentName, skill_name: skillName, assigned_by: assignedBy, assigned_at: assignedAt }, ['agent_name', 'skill_name'], 'id'),
      );
    });
    if (!rows.length) return null;
    return this.toSkill({ id: rows[0].id, agent_name: agentName, skill_name: skillName, assigned_by: assignedBy, assigned_at: assignedAt });
  }

  async unassignSkill(agentName: string, skillName: string): Promise<boolean> {
    const { affected } = await this.execute(`DELETE FROM agent_skills WHERE agent_name = ? AND skill_name = ?`, [agentName, skillName]);
    return affected > 0;
  }

  /**
   * Replaces the agent's skills in one transaction; every row gets the new assigned_by and the same
   * assigned_at. Duplicates in the input are inserted once, where they first occur (Python's INSERT of
   * a repeat failed and took no id). Returns `skillNames.length` (duplicates included), as the Python
   * layer does, not the number of rows.
   */
  async setAgentSkills(agentName: string, skillNames: string[], assignedBy: string): Promise<number> {
    requireString('agentName', agentName);
    requireStringList('skillNames', skillNames).forEach((name, i) => requireString(`skillNames[${i}]`, name));
    requireString('assignedBy', assignedBy);
    const assignedAt = this.encode(AgentSkillEntity, 'assigned_at', this.now());
    await this.atomically(async (repo) => {
      if (this.sql.keyLock) await repo.select(this.sql.keyLock, [`agent_skills:${agentName}`]);
      await repo.execute(`DELETE FROM agent_skills WHERE agent_name = ?`, [agentName]);
      // One row per statement, in input order, so ids follow the input order as in Python.
      for (const skillName of new Set(skillNames)) {
        await repo.execute(`INSERT INTO agent_skills (agent_name, skill_name, assigned_by, assigned_at) VALUES (?, ?, ?, ?)`, [agentName, skillName, assignedBy, assignedAt]);
      }
    });
    return skillNames.length;
  }

  /** Deletes every skill of the agent (agent deletion); returns the number of rows. */
  async deleteAgentSkills(agentName: string): Promise<number> {
    return (await this.execute(`DELETE FROM agent_skills WHERE agent_name = ?`, [agentName])).affected;
  }

  async isSkillAssigned(agentName: string, skillName: string): Promise<boolean> {
    const rows = await this.select(`SELECT 1 AS ok FROM agent_skills WHERE agent_name = ? AND skill_name = ?`, [agentName, skillName]);
    return rows.length > 0;
  }

  async getAgentsWithSkill(skillName: string): Promise<string[]> {
    const rows = await this.select<{ agent_name: string }>(
      `SELECT agent_name FROM agent_skills WHERE skill_name = ? ORDER BY ${this.sql.binary('agent_name')}`,
      [skillName],
    );
    return rows.map((r) => r.agent_name);
  }

  private toSkill(row: Record<string, unknown>): AgentSkill {
    const skill = this.decodeRow<AgentSkill>(AgentSkillEntity, row);
    return { ...skill, id: Number(skill.id) };
  }
}
