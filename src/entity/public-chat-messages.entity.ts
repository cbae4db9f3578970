import { Index, RealColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `public_chat_messages`: Messages of public chat sessions. */
@Table('public_chat_messages')
@Index('idx_public_chat_messages_session', ['session_id'])
export class PublicChatMessage {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'session_id', nullable: false })
  sessionId!: string;

  @TextColumn({ name: 'role', nullable: false })
  role!: string;

  @TextColumn({ name: 'content', nullable: false })
  content!: string;

  @TimestampColumn({ name: 'timestamp', nullable: false, format: 'naive' })
  timestamp!: Date;

  @RealColumn({ name: 'cost' })
  cost!: number | null;
}
