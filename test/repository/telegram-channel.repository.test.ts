import { CredentialEncryption, CredentialEncryptionError, encryptionKeyFromEnv } from '../../src/codec/credential-encryption';
import type { TrinityDataSource } from '../../src/data-source';
import { UniqueConstraintError } from '../../src/errors';
import { TelegramChannelRepository } from '../../src/repository/telegram-channel.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { legacyManifest } from '../support/fixtures';
import { failWrites, raw, testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const FIXTURE = 'trinity-2026-04-01-8068f0db.db';
const KEY = Buffer.alloc(32, 0x33);
const TOKEN_32 = /^[A-Za-z0-9_-]{43}$/;

describe.each(DRIVERS)('TelegramChannelRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });

  function setup() {
    const time = testClock();
    const encryption = new CredentialEncryption(() => KEY);
    return { time, encryption, telegram: repositoryOn(ds, TelegramChannelRepository, { clock: time.clock, encryption }) };
  }

  it('creates a binding with an encrypted token and fresh secrets', async () => {
    const { telegram, encryption } = setup();
    const binding = await telegram.createBinding('agent-a', '111:AAA', 'a_bot', '111');
    expect(binding).toEqual({
      id: expect.any(Number),
      agent_name: 'agent-a',
      bot_token_encrypted: expect.any(String),
      bot_username: 'a_bot',
      bot_id: '111',
      webhook_secret: expect.stringMatching(TOKEN_32),
      webhook_url: null,
      telegram_secret_token: expect.stringMatching(TOKEN_32),
      last_update_id: 0,
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      updated_at: new Date('2026-03-01T10:00:00.123Z'),
    });
    // Returned as stored: the envelope, not the token.
    expect(binding!.bot_token_encrypted).not.toContain('111:AAA');
    expect(encryption.decrypt(binding!.bot_token_encrypted)).toEqual({ bot_token: '111:AAA' });
    expect(binding!.webhook_secret).not.toBe(binding!.telegram_secret_token);
    expect(await telegram.getBindingByAgent('agent-a')).toEqual(binding);
    expect(await telegram.getBindingByBotId('111')).toEqual(binding);
    expect(await telegram.getBindingByWebhookSecret(binding!.webhook_secret)).toEqual(binding);
    expect(await telegram.getBindingByWebhookSecret(binding!.webhook_secret.toUpperCase())).toBeNull();
    expect(await telegram.getBindingByAgent('nobody')).toBeNull();
    expect(await telegram.getDecryptedBotToken('agent-a')).toBe('111:AAA');
    expect(await telegram.getDecryptedBotToken('nobody')).toBeNull();
  });

  it('re-binding rotates the secrets and keeps id, created_at, webhook_url and last_update_id', async () => {
    const { telegram, time } = setup();
    const first = (await telegram.createBinding('agent-b', '222:BBB', 'b_bot', '222'))!;
    await telegram.updateWebhookUrl('agent-b', 'https://x.example/hook');
    await telegram.updateLastUpdateId('agent-b', 77);
    time.set('2026-03-03T00:00:00Z');
    const second = (await telegram.createBinding('agent-b', '333:CCC', null, '333'))!;
    expect(second).toMatchObject({
      id: first.id,
      created_at: first.created_at,
      webhook_url: 'https://x.example/hook',
      last_update_id: 77,
      bot_username: null,
      bot_id: '333',
      updated_at: new Date('2026-03-03T00:00:00Z'),
    });
    expect(second.webhook_secret).not.toBe(first.webhook_secret);
    expect(second.telegram_secret_token).not.toBe(first.telegram_secret_token);
    expect(await telegram.getDecryptedBotToken('agent-b')).toBe('333:CCC');
    expect(await telegram.getBindingByBotId('222')).toBeNull();
    expect(await telegram.getBindingByWebhookSecret(first.webhook_secret)).toBeNull();
  });

  it("rejects another agent's bot_id with the UNIQUE error; NULL bot ids never conflict", async () => {
    const { telegram } = setup();
    await telegram.createBinding('agent-c1', '444:X', null, '444');
    const error = await telegram.createBinding('agent-c2', '444:Y', null, '444').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueConstraintError);
    expect((error as Error).message).toBe('UNIQUE constraint failed: telegram_bindings.bot_id');
    expect((error as Error).message).not.toContain('444:Y');
    expect(await telegram.getBindingByAgent('agent-c2')).toBeNull();
    await telegram.createBinding('agent-c3', '1:n');
    await telegram.createBinding('agent-c4', '2:n');
    expect((await telegram.getBindingByAgent('agent-c4'))!.bot_id).toBeNull();
    await expect(telegram.createBinding('', 'x')).rejects.toMatchObject({ name: 'InputValidationError', field: 'agent_name' });
    await expect(telegram.createBinding('agent-c5', '')).rejects.toMatchObject({ field: 'bot_token' });
    await expect(telegram.createBinding('agent-c5', 'x', null, {} as unknown as string)).rejects.toMatchObject({ field: 'bot_id' });
  });

  it('stores a numeric bot id as text and finds it by number', async () => {
    const { telegram } = setup();
    const created = await telegram.createBinding('agent-d', '123:D', null, 123);
    expect(created!.bot_id).toBe('123');
    expect(await telegram.getBindingByBotId(123)).toEqual(created);
    expect(await telegram.getBindingByBotId('123')).toEqual(created);
    const [row] = await raw(ds, driver, `SELECT bot_id FROM telegram_bindings WHERE agent_name = ?`, ['agent-d']);
    expect(row.bot_id).toBe('123');
  });

  it('returns null for a corrupted envelope, a wrong key or a missing key, without throwing', async () => {
    const { telegram } = setup();
    await telegram.createBinding('agent-e', '555:E');
    const wrongKey = repositoryOn(ds, TelegramChannelRepository, { encryption: new CredentialEncryption(() => Buffer.alloc(32, 1)) });
    expect(await wrongKey.getDecryptedBotToken('agent-e')).toBeNull();
    await raw(ds, driver, `UPDATE telegram_bindings SET bot_token_encrypted = ? WHERE agent_name = ?`, ['555:E', 'agent-e']);
    // No plaintext fallback, unlike Slack.
    expect(await telegram.getDecryptedBotToken('agent-e')).toBeNull();
    const saved = process.env.CREDENTIAL_ENCRYPTION_KEY;
    try {
      delete process.env.CREDENTIAL_ENCRYPTION_KEY;
      const fromEnv = repositoryOn(ds, TelegramChannelRepository);
      expect(await fromEnv.getDecryptedBotToken('agent-a')).toBeNull();
      const error = await fromEnv.createBinding('agent-e2', '666:F').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialEncryptionError);
      expect(await fromEnv.getBindingByAgent('agent-e2')).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.CREDENTIAL_ENCRYPTION_KEY;
      else process.env.CREDENTIAL_ENCRYPTION_KEY = saved;
    }
  });

  it('updates the webhook url with updated_at, and last_update_id without it', async () => {
    const { telegram, time } = setup();
    await telegram.createBinding('agent-f', '777:F');
    time.set('2026-03-04T00:00:00Z');
    await telegram.updateLastUpdateId('agent-f', 5_000_000_000);
    expect(await telegram.getBindingByAgent('agent-f')).toMatchObject({ last_update_id: 5_000_000_000, updated_at: new Date('2026-03-01T10:00:00.123Z') });
    await telegram.updateLastUpdateId('agent-f', 3); // not monotonic
    expect((await telegram.getBindingByAgent('agent-f'))!.last_update_id).toBe(3);
    time.set('2026-03-05T00:00:00Z');
    await telegram.updateWebhookUrl('agent-f', 'https://hook');
    expect(await telegram.getBindingByAgent('agent-f')).toMatchObject({ webhook_url: 'https://hook', updated_at: new Date('2026-03-05T00:00:00Z') });
    await telegram.updateWebhookUrl('agent-f', null);
    expect((await telegram.getBindingByAgent('agent-f'))!.webhook_url).toBeNull();
    await telegram.updateWebhookUrl('ghost', 'https://x'); // ignored
    await telegram.updateLastUpdateId('ghost', 1);
    await expect(telegram.updateLastUpdateId('agent-f', 1.5)).rejects.toMatchObject({ field: 'updateId' });
    expect(await telegram.getBindingByAgent('ghost')).toBeNull();
  });

  it('lists every binding without decrypting', async () => {
    const { telegram } = setup();
    await telegram.createBinding('agent-g', '888:G', 'g_bot', '888');
    const all = await telegram.getAllBindings();
    const g = all.find((b) => b.agent_name === 'agent-g')!;
    expect(g).toEqual(await telegram.getBindingByAgent('agent-g'));
    const [stored] = await raw(ds, driver, `SELECT bot_token_encrypted FROM telegram_bindings WHERE agent_name = ?`, ['agent-g']);
    expect(g.bot_token_encrypted).toBe(stored.bot_token_encrypted);
    expect(JSON.parse(g.bot_token_encrypted)).toMatchObject({ version: 1, algorithm: 'AES-256-GCM' });
    expect(all.map((b) => b.id)).toEqual([...all.map((b) => b.id)].sort((a, b) => a - b));
  });

  it('gets or creates chat links; an existing link keeps its username', async () => {
    const { telegram, time } = setup();
    const binding = (await telegram.createBinding('agent-h', '999:H'))!;
    const link = await telegram.getOrCreateChatLink(binding.id, '42', 'alice');
    expect(link).toEqual({
      id: expect.any(Number),
      binding_id: binding.id,
      telegram_user_id: '42',
      telegram_username: 'alice',
      session_id: null,
      message_count: 0,
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      last_active: new Date('2026-03-01T10:00:00.123Z'),
    });
    time.set('2026-03-02T00:00:00Z');
    expect(await telegram.getOrCreateChatLink(binding.id, '42', 'bob')).toEqual(link);
    // A numeric user id is the same user.
    expect(await telegram.getOrCreateChatLink(binding.id, 42)).toEqual(link);
    // binding_id is not validated against telegram_bindings (inert FK).
    expect(await telegram.getOrCreateChatLink(987654, '42')).toMatchObject({ binding_id: 987654, telegram_username: null });
    await expect(telegram.getOrCreateChatLink('1' as unknown as number, '42')).rejects.toMatchObject({ field: 'bindingId' });
    await expect(telegram.getOrCreateChatLink(binding.id, '')).rejects.toMatchObject({ field: 'telegram_user_id' });
  });

  it('concurrent first contacts get one link; concurrent increments lose nothing', async () => {
    const { telegram, time } = setup();
    const binding = (await telegram.createBinding('agent-i', '1010:I'))!;
    const links = await Promise.all(Array.from({ length: 10 }, () => telegram.getOrCreateChatLink(binding.id, '77', 'racer')));
    expect(new Set(links.map((l) => l.id)).size).toBe(1);
    time.set('2026-03-09T00:00:00Z');
    await Promise.all(Array.from({ length: 25 }, () => telegram.incrementMessageCount(links[0].id)));
    expect(await telegram.getOrCreateChatLink(binding.id, '77')).toMatchObject({ message_count: 25, last_active: new Date('2026-03-09T00:00:00Z') });
    await telegram.incrementMessageCount(99_999_999); // ignored
    await expect(telegram.incrementMessageCount('x' as unknown as number)).rejects.toMatchObject({ field: 'chatLinkId' });
  });

  it("deletes a binding with its chat links and no others", async () => {
    const { telegram } = setup();
    const j = (await telegram.createBinding('agent-j', '1111:J'))!;
    const k = (await telegram.getBindingByAgent('agent-k')) ?? (await telegram.createBinding('agent-k', '1212:K'))!;
    await telegram.getOrCreateChatLink(j.id, '1');
    await telegram.getOrCreateChatLink(j.id, '2');
    const kept = await telegram.getOrCreateChatLink(k.id, '1');
    expect(await telegram.deleteBinding('agent-j')).toBe(true);
    expect(await telegram.getBindingByAgent('agent-j')).toBeNull();
    expect(await raw(ds, driver, `SELECT id FROM telegram_chat_links WHERE binding_id = ?`, [j.id])).toHaveLength(0);
    expect(await telegram.getOrCreateChatLink(k.id, '1')).toEqual(kept);
    expect(await telegram.deleteBinding('agent-j')).toBe(false);
    expect(await telegram.deleteBinding('unknown-agent')).toBe(false);
  });

  it('rolls deleteBinding back when the binding delete fails', async () => {
    const { telegram } = setup();
    const l = (await telegram.createBinding('agent-l', '1313:L'))!;
    const link = await telegram.getOrCreateChatLink(l.id, '5', 'five');
    await failWrites(ds, driver, 'DELETE', 'telegram_bindings', { when: { column: 'agent_name', value: 'agent-l' } });
    await expect(telegram.deleteBinding('agent-l')).rejects.toThrow('forced failure');
    expect(await telegram.getBindingByAgent('agent-l')).not.toBeNull();
    expect(await telegram.getOrCreateChatLink(l.id, '5')).toEqual(link);
  });
});

describe('TelegramChannelRepository on a migrated legacy file', () => {
  it('reads the Python rows, decrypts their token, and writes the same formats', async () => {
    const copy = legacyFixtureCopy(FIXTURE);
    const manifest = legacyManifest();
    const file = manifest.files.find((f: { file: string }) => f.file === FIXTURE);
    const check = file.checks.find((c: { table: string }) => c.table === 'telegram_bindings') as { pk: { id: number }; values: Record<string, unknown> };
    const encryption = new CredentialEncryption(() => encryptionKeyFromEnv({ CREDENTIAL_ENCRYPTION_KEY: manifest.environment.CREDENTIAL_ENCRYPTION_KEY }));
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const telegram = repositoryOn(ds, TelegramChannelRepository, { clock: () => new Date('2026-04-02T09:30:15.250Z'), encryption });

    const binding = (await telegram.getBindingByBotId(Number(check.values.bot_id)))!;
    expect(binding).toMatchObject({ id: check.pk.id, bot_username: check.values.bot_username, bot_id: check.values.bot_id, last_update_id: check.values.last_update_id });
    expect(binding.created_at).toBeInstanceOf(Date);
    expect(await telegram.getBindingByWebhookSecret(binding.webhook_secret)).toEqual(binding);
    // A Telegram bot token is "<bot id>:<secret>".
    expect((await telegram.getDecryptedBotToken(binding.agent_name))!.startsWith(`${check.values.bot_id}:`)).toBe(true);

    const links = await ds.query(`SELECT id, telegram_user_id, message_count FROM telegram_chat_links WHERE binding_id = ? ORDER BY id`, [binding.id]);
    expect(links).toHaveLength(file.row_counts.telegram_chat_links);
    const first = await telegram.getOrCreateChatLink(binding.id, Number(links[0].telegram_user_id), 'ignored');
    expect(first).toMatchObject({ id: links[0].id, message_count: links[0].message_count });
    expect(first.telegram_username).not.toBe('ignored');
    await telegram.incrementMessageCount(first.id);

    const created = (await telegram.createBinding('new-agent', '42:NEW', 'new_bot', 42))!;
    expect(created.id).toBe(file.sqlite_sequence.telegram_bindings + 1);
    const link = await telegram.getOrCreateChatLink(created.id, '9');
    await ds.destroy();
    withDatabase(copy.path, (db) => {
      const python = db.prepare(`SELECT bot_token_encrypted FROM telegram_bindings WHERE id = ?`).get(binding.id) as { bot_token_encrypted: string };
      const ours = db.prepare(`SELECT bot_token_encrypted, bot_id, typeof(bot_id) AS t, created_at, updated_at, last_update_id FROM telegram_bindings WHERE agent_name = 'new-agent'`).get() as Record<string, unknown>;
      expect(ours).toMatchObject({ bot_id: '42', t: 'text', created_at: '2026-04-02T09:30:15.250000', updated_at: '2026-04-02T09:30:15.250000', last_update_id: 0 });
      expect(Object.keys(JSON.parse(ours.bot_token_encrypted as string))).toEqual(Object.keys(JSON.parse(python.bot_token_encrypted)));
      expect(db.prepare(`SELECT message_count, last_active FROM telegram_chat_links WHERE id = ?`).get(first.id)).toEqual({
        message_count: links[0].message_count + 1,
        last_active: '2026-04-02T09:30:15.250000',
      });
      expect(db.prepare(`SELECT telegram_user_id, typeof(telegram_user_id) AS t, created_at, message_count FROM telegram_chat_links WHERE id = ?`).get(link.id)).toEqual({
        telegram_user_id: '9',
        t: 'text',
        created_at: '2026-04-02T09:30:15.250000',
        message_count: 0,
      });
    });
  });
});
