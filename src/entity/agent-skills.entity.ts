import { IdColumn, Index, Table, TextColumn, TimestampColumn, Unique } from './columns';

/** `agent_skills`: Skills (from the skills library) assigned to agents. */
@Table('agent_skills')
@Unique(['agent_name', 'skill_name'])
@Index('idx_agent_skills_agent', ['agent_name'])
@Index('idx_agent_skills_skill', ['skill_name'])
export class AgentSkill {
  @IdColumn()
  id!: number;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'skill_name', nullable: false })
  skillName!: string;

  @TextColumn({ name: 'assigned_by', nullable: false })
  assignedBy!: string;

  @TimestampColumn({ name: 'assigned_at', nullable: false, format: 'naive' })
  assignedAt!: Date;
}
