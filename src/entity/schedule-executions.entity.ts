import { Index, IntColumn, JsonColumn, RealColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `schedule_executions`: Every task execution (scheduled, manual, chat, MCP, agent-to-agent, public, paid, fan-out, ...). */
@Table('schedule_executions')
@Index('idx_executions_schedule', ['schedule_id'])
@Index('idx_executions_agent', ['agent_name'])
@Index('idx_executions_status', ['status'])
@Index('idx_executions_agent_started', ['agent_name', '-started_at'])
@Index('idx_executions_subscription', ['subscription_id', 'started_at'])
@Index('idx_executions_fan_out', ['fan_out_id'])
export class ScheduleExecution {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'schedule_id', nullable: false })
  scheduleId!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'status', nullable: false })
  status!: string;

  @TimestampColumn({ name: 'started_at', nullable: false, format: 'Z6' })
  startedAt!: Date;

  @TimestampColumn({ name: 'completed_at', format: 'Z6' })
  completedAt!: Date | null;

  @IntColumn({ name: 'duration_ms' })
  durationMs!: number | null;

  @TextColumn({ name: 'message', nullable: false })
  message!: string;

  @TextColumn({ name: 'response' })
  response!: string | null;

  @TextColumn({ name: 'error' })
  error!: string | null;

  @TextColumn({ name: 'triggered_by', nullable: false })
  triggeredBy!: string;

  @IntColumn({ name: 'context_used' })
  contextUsed!: number | null;

  @IntColumn({ name: 'context_max' })
  contextMax!: number | null;

  @RealColumn({ name: 'cost' })
  cost!: number | null;

  @JsonColumn({ name: 'tool_calls' })
  toolCalls!: unknown;

  @JsonColumn({ name: 'execution_log' })
  executionLog!: unknown;

  @TextColumn({ name: 'model_used' })
  modelUsed!: string | null;

  @TextColumn({ name: 'subscription_id' })
  subscriptionId!: string | null;

  @IntColumn({ name: 'source_user_id' })
  sourceUserId!: number | null;

  @TextColumn({ name: 'source_user_email' })
  sourceUserEmail!: string | null;

  @TextColumn({ name: 'source_agent_name' })
  sourceAgentName!: string | null;

  @TextColumn({ name: 'source_mcp_key_id' })
  sourceMcpKeyId!: string | null;

  @TextColumn({ name: 'source_mcp_key_name' })
  sourceMcpKeyName!: string | null;

  @TextColumn({ name: 'claude_session_id' })
  claudeSessionId!: string | null;

  @TextColumn({ name: 'fan_out_id' })
  fanOutId!: string | null;
}
