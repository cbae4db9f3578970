import type { SqlExecutor } from '../sql/executor';
import { CredentialEncryption, decryptBotToken, encryptBotToken } from '../codec/credential-encryption';
import { TelegramBinding, TelegramChatLink } from '../entity';
import type { TelegramBindingDict, TelegramChatLinkDict } from '../model/telegram-channel.model';
import { TelegramBindingCreate, TelegramChatLinkCreate } from '../model/telegram-channel.model';
import { requireInteger, requireString, validateInput } from '../model/validate';
import { InputValidationError, UniqueConstraintError } from '../errors';
import { BaseRepository, type RepositoryOptions } from './base.repository';
import { tokenUrlsafe } from './ids';
import { insertUnlessExists } from './insert-unless-exists';

export interface TelegramChannelRepositoryOptions extends RepositoryOptions {
  /** Encrypts/decrypts bot tokens; the default reads CREDENTIAL_ENCRYPTION_KEY on every call, as Python does. */
  encryption?: CredentialEncryption;
}

const BINDING_COLUMNS =
  'id, agent_name, bot_token_encrypted, bot_username, bot_id, webhook_secret, webhook_url, telegram_secret_token, last_update_id, created_at, updated_at';
const CHAT_LINK_COLUMNS = 'id, binding_id, telegram_user_id, telegram_username, session_id, message_count, created_at, last_active';

type Row = Record<string, unknown>;

/**
 * bot_id and telegram_user_id are TEXT columns that SQLite's affinity let Python fill with integers:
 * a number is bound as its decimal string, so lookups with numbers match too.
 */
function textId(field: string, value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return requireString(field, value);
}

/** One Telegram bot per agent and the Telegram users seen per bot (Python `TelegramChannelOperations`). */
export class TelegramChannelRepository extends BaseRepository {
  private readonly encryption: CredentialEncryption;

  constructor(executor: SqlExecutor, options: TelegramChannelRepositoryOptions = {}) {
    super(executor, options);
    this.encryption = options.encryption ?? new CredentialEncryption();
  }

  /**
   * Upserts the agent's binding with an encrypted token (a missing key throws before any write) and
   * NEW webhook_secret and telegram_secret_token on every call. A re-binding keeps id, created_at,
   * webhook_url and last_update_id. A bot_id of another agent throws UniqueConstraintError.
   */
  async createBinding(agentName: string, botToken: string, botUsername: string | null = null, botId: string | number | null = null): Promise<TelegramBindingDict | null> {
    const input = validateInput(
      TelegramBindingCreate,
      { agent_name: agentName, bot_token: botToken, bot_username: botUsername, bot_id: botId === null || botId === undefined ? null : textId('bot_id', botId) },
      'binding',
    );
    const encrypted = encryptBotToken(this.encryption, input.bot_token);
    const now = this.encode(TelegramBinding, 'created_at', this.now());
    // bot_id is UNIQUE too, and ON CONFLICT arbitrates one constraint only: concurrent upserts of one
    // agent or one bot serialise first (PostgreSQL), so none fails on the other constraint.
    await this.atomically(async (bindings) => {
      if (this.sql.keyLock) {
        const keys = [`telegram_bindings.agent_name:${input.agent_name}`, ...(input.bot_id ? [`telegram_bindings.bot_id:${input.bot_id}`] : [])];
        for (const key of keys.sort()) await bindings.select(this.sql.keyLock, [key]);
      }
      // The bot of another agent fails here, before the INSERT: a failing INSERT takes a sequence value
      // on PostgreSQL, and Python's (failing on SQLite) took no id.
      if (input.bot_id && (await bindings.select(`SELECT 1 AS taken FROM telegram_bindings WHERE bot_id = ? AND agent_name <> ?`, [input.bot_id, input.agent_name])).length) {
        throw new UniqueConstraintError('telegram_bindings', ['bot_id']);
      }
      // The upsert of an existing agent takes an id, as Python's ON CONFLICT DO UPDATE did on SQLite.
      await bindings.execute(
        `INSERT INTO telegram_bindings (agent_name, bot_token_encrypted, bot_username, bot_id, webhook_secret, telegram_secret_token, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (agent_name) DO UPDATE SET
           bot_token_encrypted = excluded.bot_token_encrypted, bot_username = excluded.bot_username, bot_id = excluded.bot_id,
           webhook_secret = excluded.webhook_secret, telegram_secret_token = excluded.telegram_secret_token, updated_at = excluded.updated_at`,
        [input.agent_name, encrypted, input.bot_username ?? null, input.bot_id ?? null, tokenUrlsafe(32), tokenUrlsafe(32), now, now],
      );
    });
    return this.getBindingByAgent(input.agent_name);
  }

  async getBindingByAgent(agentName: string): Promise<TelegramBindingDict | null> {
    return this.bindingWhere('agent_name', agentName);
  }

  /** A numeric bot id matches the row stored with its decimal string. */
  async getBindingByBotId(botId: string | number): Promise<TelegramBindingDict | null> {
    if (botId === null || botId === undefined) return null;
    return this.bindingWhere('bot_id', String(botId));
  }

  /** Exact match; routes incoming webhooks. */
  async getBindingByWebhookSecret(webhookSecret: string): Promise<TelegramBindingDict | null> {
    return this.bindingWhere('webhook_secret', webhookSecret);
  }

  /**
   * The agent's bot token, or null without a binding or when the envelope cannot be decrypted (never
   * throws for that; no plaintext fallback, unlike Slack).
   */
  async getDecryptedBotToken(agentName: string): Promise<string | null> {
    const binding = await this.getBindingByAgent(agentName);
    return binding ? decryptBotToken(this.encryption, binding.bot_token_encrypted) : null;
  }

  /** Every binding, tokens not decrypted (Python has no ORDER BY; we return them by id). */
  async getAllBindings(): Promise<TelegramBindingDict[]> {
    const rows = await this.select<Row>(`SELECT ${BINDING_COLUMNS} FROM telegram_bindings ORDER BY id`);
    return rows.map((row) => this.toBinding(row));
  }

  /** Sets webhook_url and updated_at; an unknown agent is ignored. */
  async updateWebhookUrl(agentName: string, webhookUrl: string | null): Promise<void> {
    requireString('agentName', agentName);
    if (webhookUrl !== null && typeof webhookUrl !== 'string') throw new InputValidationError('webhookUrl', `expected a string or null, got ${typeof webhookUrl}`);
    await this.execute(`UPDATE telegram_bindings SET webhook_url = ?, updated_at = ? WHERE agent_name = ?`, [
      webhookUrl,
      this.encode(TelegramBinding, 'updated_at', this.now()),
      agentName,
    ]);
  }

  /** Sets last_update_id only (not monotonic; updated_at untouched); an unknown agent is ignored. */
  async updateLastUpdateId(agentName: string, updateId: number): Promise<void> {
    requireString('agentName', agentName);
    requireInteger('updateId', updateId, { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
    await this.execute(`UPDATE telegram_bindings SET last_update_id = ? WHERE agent_name = ?`, [updateId, agentName]);
  }

  /** Deletes the agent's chat links, then its binding (one transaction); returns whether a binding was deleted. */
  async deleteBinding(agentName: string): Promise<boolean> {
    requireString('agentName', agentName);
    return this.atomically(async (tx) => {
      await tx.execute(`DELETE FROM telegram_chat_links WHERE binding_id IN (SELECT id FROM telegram_bindings WHERE agent_name = ?)`, [agentName]);
      const { affected } = await tx.execute(`DELETE FROM telegram_bindings WHERE agent_name = ?`, [agentName]);
      return affected > 0;
    });
  }

  /**
   * The link of (binding, Telegram user), created with message_count 0 when missing. An existing link
   * is returned unchanged (a new username is not saved). Concurrent first calls all get the same row
   * (Python raised IntegrityError in the losing call: docs/COMPATIBILITY.md → telegram_channels).
   */
  async getOrCreateChatLink(bindingId: number, telegramUserId: string | number, telegramUsername: string | null = null): Promise<TelegramChatLinkDict> {
    requireInteger('bindingId', bindingId);
    const input = validateInput(
      TelegramChatLinkCreate,
      { telegram_user_id: textId('telegram_user_id', telegramUserId), telegram_username: telegramUsername },
      'chatLink',
    );
    const existing = await this.chatLink(bindingId, input.telegram_user_id);
    if (existing) return existing;
    const now = this.now();
    return this.atomically(async (links) => {
      // Concurrent first contacts serialise: one inserts, the others find its row (and take no id).
      if (this.sql.keyLock) await links.select(this.sql.keyLock, [`telegram_chat_links:${bindingId}|${input.telegram_user_id}`]);
      await links.execute(
        ...insertUnlessExists(
          'telegram_chat_links',
          {
            binding_id: bindingId,
            telegram_user_id: input.telegram_user_id,
            telegram_username: input.telegram_username ?? null,
            message_count: 0,
            created_at: this.encode(TelegramChatLink, 'created_at', now),
            last_active: this.encode(TelegramChatLink, 'last_active', now),
          },
          ['binding_id', 'telegram_user_id'],
        ),
      );
      return (await links.chatLink(bindingId, input.telegram_user_id))!;
    });
  }

  /** Atomic `message_count + 1` and last_active = now; an unknown id is ignored. */
  async incrementMessageCount(chatLinkId: number): Promise<void> {
    requireInteger('chatLinkId', chatLinkId);
    await this.execute(`UPDATE telegram_chat_links SET message_count = message_count + 1, last_active = ? WHERE id = ?`, [
      this.encode(TelegramChatLink, 'last_active', this.now()),
      chatLinkId,
    ]);
  }

  private async bindingWhere(column: 'agent_name' | 'bot_id' | 'webhook_secret', value: string): Promise<TelegramBindingDict | null> {
    if (typeof value !== 'string') return null;
    const rows = await this.select<Row>(`SELECT ${BINDING_COLUMNS} FROM telegram_bindings WHERE ${column} = ?`, [value]);
    return rows.length ? this.toBinding(rows[0]) : null;
  }

  private async chatLink(bindingId: number, telegramUserId: string): Promise<TelegramChatLinkDict | null> {
    const rows = await this.select<Row>(`SELECT ${CHAT_LINK_COLUMNS} FROM telegram_chat_links WHERE binding_id = ? AND telegram_user_id = ?`, [bindingId, telegramUserId]);
    return rows.length ? this.toChatLink(rows[0]) : null;
  }

  /** Integers as numbers on both drivers (PostgreSQL returns BIGINT as a string). */
  private toBinding(row: Row): TelegramBindingDict {
    const binding = this.decodeRow<TelegramBindingDict>(TelegramBinding, row);
    binding.id = Number(binding.id);
    binding.bot_id = binding.bot_id === null ? null : String(binding.bot_id);
    binding.last_update_id = binding.last_update_id === null ? null : Number(binding.last_update_id);
    return binding;
  }

  private toChatLink(row: Row): TelegramChatLinkDict {
    const link = this.decodeRow<TelegramChatLinkDict>(TelegramChatLink, row);
    link.id = Number(link.id);
    link.binding_id = Number(link.binding_id);
    link.telegram_user_id = String(link.telegram_user_id);
    link.message_count = link.message_count === null ? null : Number(link.message_count);
    return link;
  }
}
