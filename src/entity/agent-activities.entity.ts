import { CURRENT_TIMESTAMP, Index, IntColumn, JsonColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_activities`: Activity stream (chat, tool calls, schedules, collaboration) with parent/child nesting. */
@Table('agent_activities')
@Index('idx_activities_agent', ['agent_name', '-created_at'])
@Index('idx_activities_type', ['activity_type'])
@Index('idx_activities_state', ['activity_state'])
@Index('idx_activities_user', ['user_id'])
@Index('idx_activities_parent', ['parent_activity_id'])
@Index('idx_activities_chat_msg', ['related_chat_message_id'])
@Index('idx_activities_execution', ['related_execution_id'])
export class AgentActivity {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'activity_type', nullable: false })
  activityType!: string;

  @TextColumn({ name: 'activity_state', nullable: false })
  activityState!: string;

  @TextColumn({ name: 'parent_activity_id' })
  parentActivityId!: string | null;

  @TimestampColumn({ name: 'started_at', nullable: false, format: 'Z6' })
  startedAt!: Date;

  @TimestampColumn({ name: 'completed_at', format: 'Z6' })
  completedAt!: Date | null;

  @IntColumn({ name: 'duration_ms' })
  durationMs!: number | null;

  @IntColumn({ name: 'user_id' })
  userId!: number | null;

  @TextColumn({ name: 'triggered_by', nullable: false })
  triggeredBy!: string;

  @TextColumn({ name: 'related_chat_message_id' })
  relatedChatMessageId!: string | null;

  @TextColumn({ name: 'related_execution_id' })
  relatedExecutionId!: string | null;

  @JsonColumn({ name: 'details' })
  details!: unknown;

  @TextColumn({ name: 'error' })
  error!: string | null;

  @TimestampColumn({ name: 'created_at', default: CURRENT_TIMESTAMP, format: 'Z6' })
  createdAt!: Date | null;
}
