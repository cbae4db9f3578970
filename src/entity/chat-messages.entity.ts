import { Index, IntColumn, JsonColumn, RealColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `chat_messages`: Messages of authenticated chat sessions. */
@Table('chat_messages')
@Index('idx_chat_messages_session', ['session_id'])
@Index('idx_chat_messages_agent', ['agent_name'])
@Index('idx_chat_messages_user', ['user_id'])
@Index('idx_chat_messages_timestamp', ['timestamp'])
@Index('idx_chat_messages_subscription', ['subscription_id', 'timestamp'])
export class ChatMessage {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'session_id', nullable: false })
  sessionId!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @IntColumn({ name: 'user_id', nullable: false })
  userId!: number;

  @TextColumn({ name: 'user_email', nullable: false })
  userEmail!: string;

  @TextColumn({ name: 'role', nullable: false })
  role!: string;

  @TextColumn({ name: 'content', nullable: false })
  content!: string;

  @TimestampColumn({ name: 'timestamp', nullable: false, format: 'naive' })
  timestamp!: Date;

  @RealColumn({ name: 'cost' })
  cost!: number | null;

  @IntColumn({ name: 'context_used' })
  contextUsed!: number | null;

  @IntColumn({ name: 'context_max' })
  contextMax!: number | null;

  @JsonColumn({ name: 'tool_calls' })
  toolCalls!: unknown;

  @IntColumn({ name: 'execution_time_ms' })
  executionTimeMs!: number | null;

  @TextColumn({ name: 'source', default: 'text' })
  source!: string | null;

  @TextColumn({ name: 'subscription_id' })
  subscriptionId!: string | null;

  @IntColumn({ name: 'output_tokens' })
  outputTokens!: number | null;
}
