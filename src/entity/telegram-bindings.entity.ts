import { BigIntColumn, IdColumn, Index, Table, TextColumn, TimestampColumn } from './columns';

/** `telegram_bindings`: One Telegram bot per agent. */
@Table('telegram_bindings')
@Index('idx_telegram_bindings_agent', ['agent_name'])
@Index('idx_telegram_bindings_bot_id', ['bot_id'])
@Index('idx_telegram_bindings_webhook', ['webhook_secret'])
export class TelegramBinding {
  @IdColumn()
  id!: number;

  @TextColumn({ name: 'agent_name', nullable: false, unique: true })
  agentName!: string;

  @TextColumn({ name: 'bot_token_encrypted', nullable: false })
  botTokenEncrypted!: string;

  @TextColumn({ name: 'bot_username' })
  botUsername!: string | null;

  @TextColumn({ name: 'bot_id', unique: true })
  botId!: string | null;

  @TextColumn({ name: 'webhook_secret', nullable: false })
  webhookSecret!: string;

  @TextColumn({ name: 'webhook_url' })
  webhookUrl!: string | null;

  @TextColumn({ name: 'telegram_secret_token' })
  telegramSecretToken!: string | null;

  @BigIntColumn({ name: 'last_update_id', default: 0 })
  lastUpdateId!: number | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at', format: 'naive' })
  updatedAt!: Date | null;
}
