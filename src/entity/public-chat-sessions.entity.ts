import { Index, IntColumn, RealColumn, Table, TextColumn, TimestampColumn, Unique } from './columns';

/** `public_chat_sessions`: Conversation state of a public-link visitor (email or anonymous). */
@Table('public_chat_sessions')
@Unique(['link_id', 'session_identifier'])
@Index('idx_public_chat_sessions_link', ['link_id'])
@Index('idx_public_chat_sessions_identifier', ['session_identifier'])
export class PublicChatSession {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'link_id', nullable: false })
  linkId!: string;

  @TextColumn({ name: 'session_identifier', nullable: false })
  sessionIdentifier!: string;

  @TextColumn({ name: 'identifier_type', nullable: false })
  identifierType!: string;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'last_message_at', nullable: false, format: 'naive' })
  lastMessageAt!: Date;

  @IntColumn({ name: 'message_count', default: 0 })
  messageCount!: number | null;

  @RealColumn({ name: 'total_cost', default: 0.0 })
  totalCost!: number | null;
}
