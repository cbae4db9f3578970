import { BoolColumn, Index, Table, TextColumn, TimestampColumn, Unique } from './columns';

/** `agent_event_subscriptions`: Agent-to-agent pub/sub subscriptions (event type -> message template). */
@Table('agent_event_subscriptions')
@Unique(['subscriber_agent', 'source_agent', 'event_type'])
@Index('idx_event_subs_subscriber', ['subscriber_agent'])
@Index('idx_event_subs_source', ['source_agent'])
@Index('idx_event_subs_source_type', ['source_agent', 'event_type'])
export class AgentEventSubscription {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'subscriber_agent', nullable: false })
  subscriberAgent!: string;

  @TextColumn({ name: 'source_agent', nullable: false })
  sourceAgent!: string;

  @TextColumn({ name: 'event_type', nullable: false })
  eventType!: string;

  @TextColumn({ name: 'target_message', nullable: false })
  targetMessage!: string;

  @BoolColumn({ name: 'enabled', default: true })
  enabled!: boolean | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive+Z' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at', nullable: false, format: 'naive+Z' })
  updatedAt!: Date;

  @TextColumn({ name: 'created_by', nullable: false })
  createdBy!: string;
}
