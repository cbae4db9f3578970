import { IsNotEmpty, IsOptional, IsString } from 'class-validator';

/** Models of the Telegram bot tables (Python `TelegramChannelOperations`). Timestamps are Dates. */

/** A telegram_bindings row. `bot_token_encrypted` is the stored envelope, NOT decrypted. */
export interface TelegramBindingDict {
  id: number;
  agent_name: string;
  bot_token_encrypted: string;
  bot_username: string | null;
  bot_id: string | null;
  webhook_secret: string;
  webhook_url: string | null;
  telegram_secret_token: string | null;
  last_update_id: number | null;
  created_at: Date;
  updated_at: Date | null;
}

/** A telegram_chat_links row. */
export interface TelegramChatLinkDict {
  id: number;
  binding_id: number;
  telegram_user_id: string;
  telegram_username: string | null;
  session_id: string | null;
  message_count: number | null;
  created_at: Date;
  last_active: Date | null;
}

/** Arguments of `createBinding`; `bot_id` was already turned into its decimal string when a number. */
export class TelegramBindingCreate {
  @IsString()
  @IsNotEmpty()
  agent_name!: string;

  @IsString()
  @IsNotEmpty()
  bot_token!: string;

  @IsOptional()
  @IsString()
  bot_username?: string | null = null;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  bot_id?: string | null = null;
}

/** Arguments of `getOrCreateChatLink` (the user id as its decimal string). */
export class TelegramChatLinkCreate {
  @IsString()
  @IsNotEmpty()
  telegram_user_id!: string;

  @IsOptional()
  @IsString()
  telegram_username?: string | null = null;
}
