/** A directed agent-to-agent permission: `source_agent` may call `target_agent` (Python `AgentPermission`). */
export interface AgentPermission {
  id: number;
  source_agent: string;
  target_agent: string;
  created_at: Date;
  /** Username of the user who granted it (free text). */
  created_by: string;
}
