import { IdColumn, Index, IntColumn, Table, TextColumn, TimestampColumn, Unique } from './columns';

/** `agent_sharing`: Agent shared with a user by email (user need not exist yet). */
@Table('agent_sharing')
@Unique(['agent_name', 'shared_with_email'])
@Index('idx_agent_sharing_agent', ['agent_name'])
@Index('idx_agent_sharing_email', ['shared_with_email'])
export class AgentSharing {
  @IdColumn()
  id!: number;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'shared_with_email', nullable: false })
  sharedWithEmail!: string;

  @IntColumn({ name: 'shared_by_id', nullable: false })
  sharedById!: number;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;
}
