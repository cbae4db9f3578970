import { Index, JsonColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `operator_queue`: Operator requests (approvals/questions/alerts) synced from agents' operator-queue.json files, with responses. */
@Table('operator_queue')
@Index('idx_operator_queue_agent', ['agent_name'])
@Index('idx_operator_queue_status', ['status'])
@Index('idx_operator_queue_priority', ['priority'])
@Index('idx_operator_queue_type', ['type'])
@Index('idx_operator_queue_created', ['-created_at'])
export class OperatorQueueItem {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'type', nullable: false })
  type!: string;

  @TextColumn({ name: 'status', nullable: false, default: 'pending' })
  status!: string;

  @TextColumn({ name: 'priority', nullable: false, default: 'medium' })
  priority!: string;

  @TextColumn({ name: 'title', nullable: false })
  title!: string;

  @TextColumn({ name: 'question', nullable: false })
  question!: string;

  @JsonColumn({ name: 'options' })
  options!: unknown;

  @JsonColumn({ name: 'context' })
  context!: unknown;

  @TextColumn({ name: 'execution_id' })
  executionId!: string | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'external' })
  createdAt!: Date;

  @TimestampColumn({ name: 'expires_at', format: 'external' })
  expiresAt!: Date | null;

  @TextColumn({ name: 'response' })
  response!: string | null;

  @TextColumn({ name: 'response_text' })
  responseText!: string | null;

  @TextColumn({ name: 'responded_by_id' })
  respondedById!: string | null;

  @TextColumn({ name: 'responded_by_email' })
  respondedByEmail!: string | null;

  @TimestampColumn({ name: 'responded_at', format: 'Z6' })
  respondedAt!: Date | null;

  @TimestampColumn({ name: 'acknowledged_at', format: 'Z6' })
  acknowledgedAt!: Date | null;
}
