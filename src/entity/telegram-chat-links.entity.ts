import { IdColumn, Index, IntColumn, Table, TextColumn, TimestampColumn, Unique } from './columns';

/** `telegram_chat_links`: Telegram users seen per bot binding. */
@Table('telegram_chat_links')
@Unique(['binding_id', 'telegram_user_id'])
@Index('idx_telegram_chat_links_binding', ['binding_id'])
export class TelegramChatLink {
  @IdColumn()
  id!: number;

  @IntColumn({ name: 'binding_id', nullable: false })
  bindingId!: number;

  @TextColumn({ name: 'telegram_user_id', nullable: false })
  telegramUserId!: string;

  @TextColumn({ name: 'telegram_username' })
  telegramUsername!: string | null;

  @TextColumn({ name: 'session_id' })
  sessionId!: string | null;

  @IntColumn({ name: 'message_count', default: 0 })
  messageCount!: number | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'last_active', format: 'naive' })
  lastActive!: Date | null;
}
