import { CURRENT_TIMESTAMP, IdColumn, Index, Table, TextColumn, TimestampColumn, Unique } from './columns';

/** `agent_permissions`: Directed allow-list: source agent may call target agent. */
@Table('agent_permissions')
@Unique(['source_agent', 'target_agent'])
@Index('idx_permissions_source', ['source_agent'])
@Index('idx_permissions_target', ['target_agent'])
export class AgentPermission {
  @IdColumn()
  id!: number;

  @TextColumn({ name: 'source_agent', nullable: false })
  sourceAgent!: string;

  @TextColumn({ name: 'target_agent', nullable: false })
  targetAgent!: string;

  @TimestampColumn({ name: 'created_at', default: CURRENT_TIMESTAMP, format: 'naive' })
  createdAt!: Date | null;

  @TextColumn({ name: 'created_by', nullable: false })
  createdBy!: string;
}
