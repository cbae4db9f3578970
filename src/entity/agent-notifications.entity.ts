import { Index, JsonColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_notifications`: Structured notifications sent by agents (and monitoring alerts). */
@Table('agent_notifications')
@Index('idx_notifications_agent', ['agent_name', '-created_at'])
@Index('idx_notifications_priority', ['priority'])
@Index('idx_notifications_status', ['status'])
export class AgentNotification {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'notification_type', nullable: false })
  notificationType!: string;

  @TextColumn({ name: 'title', nullable: false })
  title!: string;

  @TextColumn({ name: 'message' })
  message!: string | null;

  @TextColumn({ name: 'priority', default: 'normal' })
  priority!: string | null;

  @TextColumn({ name: 'category' })
  category!: string | null;

  @JsonColumn({ name: 'metadata' })
  metadata!: unknown;

  @TextColumn({ name: 'status', default: 'pending' })
  status!: string | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive+Z' })
  createdAt!: Date;

  @TimestampColumn({ name: 'acknowledged_at', format: 'naive+Z' })
  acknowledgedAt!: Date | null;

  @TextColumn({ name: 'acknowledged_by' })
  acknowledgedBy!: string | null;
}
