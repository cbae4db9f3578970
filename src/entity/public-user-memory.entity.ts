import { Index, IntColumn, Table, TextColumn, TimestampColumn, Unique } from './columns';

/** `public_user_memory`: Per (agent, visitor email) summarized memory text for public links. */
@Table('public_user_memory')
@Unique(['agent_name', 'user_email'])
@Index('idx_public_user_memory_lookup', ['agent_name', 'user_email'])
export class PublicUserMemory {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'user_email', nullable: false })
  userEmail!: string;

  @TextColumn({ name: 'memory_text', nullable: false, default: '' })
  memoryText!: string;

  @IntColumn({ name: 'message_count', default: 0 })
  messageCount!: number | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at', nullable: false, format: 'naive' })
  updatedAt!: Date;
}
