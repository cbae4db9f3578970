import { Index, Table, TextColumn, TimestampColumn } from './columns';

/** `subscription_rate_limit_events`: Rate-limit errors per (agent, subscription) used for auto-switching. */
@Table('subscription_rate_limit_events')
@Index('idx_rate_limit_agent_sub', ['agent_name', 'subscription_id', '-occurred_at'])
@Index('idx_rate_limit_sub', ['subscription_id', '-occurred_at'])
export class SubscriptionRateLimitEvent {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'subscription_id', nullable: false })
  subscriptionId!: string;

  @TextColumn({ name: 'error_message' })
  errorMessage!: string | null;

  @TimestampColumn({ name: 'occurred_at', nullable: false, format: 'naive' })
  occurredAt!: Date;
}
