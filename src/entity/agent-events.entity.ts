import { Index, IntColumn, JsonColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_events`: Persisted emitted events. */
@Table('agent_events')
@Index('idx_events_source', ['source_agent', '-created_at'])
@Index('idx_events_type', ['event_type'])
export class AgentEvent {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'source_agent', nullable: false })
  sourceAgent!: string;

  @TextColumn({ name: 'event_type', nullable: false })
  eventType!: string;

  @JsonColumn({ name: 'payload' })
  payload!: unknown;

  @IntColumn({ name: 'subscriptions_triggered', default: 0 })
  subscriptionsTriggered!: number | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive+Z' })
  createdAt!: Date;
}
