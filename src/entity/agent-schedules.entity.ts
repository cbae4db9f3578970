import { BoolColumn, Index, IntColumn, JsonColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_schedules`: Cron schedules that send a message/task to an agent. */
@Table('agent_schedules')
@Index('idx_schedules_agent', ['agent_name'])
@Index('idx_schedules_owner', ['owner_id'])
@Index('idx_schedules_enabled', ['enabled'])
export class AgentSchedule {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'name', nullable: false })
  name!: string;

  @TextColumn({ name: 'cron_expression', nullable: false })
  cronExpression!: string;

  @TextColumn({ name: 'message', nullable: false })
  message!: string;

  @BoolColumn({ name: 'enabled', default: true })
  enabled!: boolean | null;

  @TextColumn({ name: 'timezone', default: 'UTC' })
  timezone!: string | null;

  @TextColumn({ name: 'description' })
  description!: string | null;

  @IntColumn({ name: 'owner_id', nullable: false })
  ownerId!: number;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'Z6' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at', nullable: false, format: 'Z6' })
  updatedAt!: Date;

  @TimestampColumn({ name: 'last_run_at', format: 'naive' })
  lastRunAt!: Date | null;

  @TimestampColumn({ name: 'next_run_at', format: 'local-offset' })
  nextRunAt!: Date | null;

  @IntColumn({ name: 'timeout_seconds', default: 900 })
  timeoutSeconds!: number | null;

  @JsonColumn({ name: 'allowed_tools' })
  allowedTools!: unknown;

  @TextColumn({ name: 'model' })
  model!: string | null;
}
