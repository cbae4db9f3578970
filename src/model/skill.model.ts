/** A skill assigned to an agent (Python `AgentSkill`). */
export interface AgentSkill {
  id: number;
  agent_name: string;
  skill_name: string;
  /** Username of whoever assigned the skill. */
  assigned_by: string;
  assigned_at: Date;
}
