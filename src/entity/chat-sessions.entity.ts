import { Index, IntColumn, RealColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `chat_sessions`: Authenticated chat session per (agent, user); one 'active' at a time. */
@Table('chat_sessions')
@Index('idx_chat_sessions_agent', ['agent_name'])
@Index('idx_chat_sessions_user', ['user_id'])
@Index('idx_chat_sessions_status', ['status'])
export class ChatSession {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @IntColumn({ name: 'user_id', nullable: false })
  userId!: number;

  @TextColumn({ name: 'user_email', nullable: false })
  userEmail!: string;

  @TimestampColumn({ name: 'started_at', nullable: false, format: 'naive' })
  startedAt!: Date;

  @TimestampColumn({ name: 'last_message_at', nullable: false, format: 'naive' })
  lastMessageAt!: Date;

  @IntColumn({ name: 'message_count', default: 0 })
  messageCount!: number | null;

  @RealColumn({ name: 'total_cost', default: 0.0 })
  totalCost!: number | null;

  @IntColumn({ name: 'total_context_used', default: 0 })
  totalContextUsed!: number | null;

  @IntColumn({ name: 'total_context_max', default: 200000 })
  totalContextMax!: number | null;

  @TextColumn({ name: 'status', default: 'active' })
  status!: string | null;

  @TextColumn({ name: 'subscription_id' })
  subscriptionId!: string | null;
}
