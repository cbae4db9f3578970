import type { TrinityDataSource } from '../../src/data-source';
import { ChatRepository } from '../../src/repository/chat.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('ChatRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });
  function setup(start?: string) {
    const time = testClock(start);
    return { time, chats: repositoryOn(ds, ChatRepository, { clock: time.clock }) };
  }

  it('creates a session with the DB defaults and returns the same active one until it is closed', async () => {
    const { chats } = setup();
    const first = await chats.getOrCreateChatSession('a1', 7, 'u7@x.com', 'sub-1');
    expect(first).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      agent_name: 'a1',
      user_id: 7,
      user_email: 'u7@x.com',
      started_at: new Date('2026-03-01T10:00:00.123Z'),
      last_message_at: new Date('2026-03-01T10:00:00.123Z'),
      message_count: 0,
      total_cost: 0,
      total_context_used: 0,
      total_context_max: 200000,
      status: 'active',
      subscription_id: 'sub-1',
    });
    // Existing session returned as is: a different email/subscription is not written.
    const again = await chats.getOrCreateChatSession('a1', 7, 'other@x.com', null);
    expect(again).toEqual(first);
    // Keyed on user id, not email.
    expect((await chats.getOrCreateChatSession('a1', 8, 'u7@x.com')).id).not.toBe(first.id);
    expect(await chats.closeChatSession(first.id)).toBe(true);
    expect(await chats.closeChatSession(first.id)).toBe(true); // already closed still matches
    expect(await chats.closeChatSession('nope')).toBe(false);
    const fresh = await chats.getOrCreateChatSession('a1', 7, 'u7@x.com');
    expect(fresh.id).not.toBe(first.id);
    expect(fresh.subscription_id).toBeNull();
    expect((await chats.getChatSession(first.id))?.status).toBe('closed');
    expect(await chats.getChatSession('missing')).toBeNull();
  });

  it('accumulates cost, replaces context values with the latest non-null ones and counts every message', async () => {
    const { chats, time } = setup();
    const s = await chats.getOrCreateChatSession('a2', 1, 'u1@x.com');
    time.set('2026-03-01T10:05:00Z');
    const m1 = await chats.addChatMessage(s.id, 'a2', 1, 'u1@x.com', 'assistant', 'hi', {
      cost: 0.5,
      contextUsed: 100,
      contextMax: 1000,
      toolCalls: '[{"name": "Read", "n": 1}]',
      executionTimeMs: 1234,
      subscriptionId: 'sub-9',
      outputTokens: 42,
    });
    expect(m1).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      session_id: s.id,
      agent_name: 'a2',
      user_id: 1,
      user_email: 'u1@x.com',
      role: 'assistant',
      content: 'hi',
      timestamp: new Date('2026-03-01T10:05:00Z'),
      cost: 0.5,
      context_used: 100,
      context_max: 1000,
      tool_calls: [{ name: 'Read', n: 1 }],
      execution_time_ms: 1234,
      source: 'text',
      subscription_id: 'sub-9',
      output_tokens: 42,
    });
    time.set('2026-03-01T10:06:00Z');
    await chats.addChatMessage(s.id, 'a2', 1, 'u1@x.com', 'assistant', 'again', { cost: 0.5, contextUsed: null });
    await chats.addChatMessage(s.id, 'a2', 1, 'u1@x.com', 'user', 'a user message');
    expect(await chats.getChatSession(s.id)).toMatchObject({
      message_count: 3,
      total_cost: 1.0,
      total_context_used: 100,
      total_context_max: 1000,
      last_message_at: new Date('2026-03-01T10:06:00Z'),
      started_at: new Date('2026-03-01T10:00:00.123Z'),
    });
  });

  it('stores "text" for a null or empty source and keeps "voice"', async () => {
    const { chats } = setup();
    const s = await chats.getOrCreateChatSession('a3', 1, 'u1@x.com');
    expect((await chats.addChatMessage(s.id, 'a3', 1, 'e', 'user', '', { source: null })).source).toBe('text');
    expect((await chats.addChatMessage(s.id, 'a3', 1, 'e', 'user', 'x', { source: '' })).source).toBe('text');
    expect((await chats.addChatMessage(s.id, 'a3', 1, 'e', 'user', 'x', { source: 'voice' })).source).toBe('voice');
  });

  it('inserts a message for an unknown session without creating the session', async () => {
    const { chats } = setup();
    const m = await chats.addChatMessage('ghost-session', 'a4', 1, 'e', 'user', 'lost');
    expect(m.session_id).toBe('ghost-session');
    expect(await chats.getChatSession('ghost-session')).toBeNull();
    expect((await chats.getChatMessages('ghost-session')).map((x) => x.content)).toEqual(['lost']);
  });

  it('rejects bad input by field before writing', async () => {
    const { chats } = setup();
    await expect(chats.addChatMessage('s', 'a5', 1, 'e', 'user', 'x', { cost: 'cheap' as never })).rejects.toMatchObject({ name: 'InputValidationError', field: 'cost' });
    await expect(chats.addChatMessage('s', 'a5', 1, 'e', 'user', 'x', { toolCalls: '{not json' })).rejects.toMatchObject({ field: 'toolCalls' });
    await expect(chats.addChatMessage('s', 'a5', 1.5, 'e', 'user', 'x')).rejects.toMatchObject({ field: 'userId' });
    await expect(chats.getOrCreateChatSession('', 1, 'e')).rejects.toMatchObject({ field: 'agentName' });
    await expect(chats.createNewChatSession('a5', '1' as never, 'e')).rejects.toMatchObject({ field: 'userId' });
    expect(await chats.getAgentChatHistory('a5')).toEqual([]);
    expect(await chats.getAgentChatSessions('a5')).toEqual([]);
  });

  it('returns the latest messages oldest first, and the agent history newest first', async () => {
    const { chats, time } = setup();
    const s = await chats.getOrCreateChatSession('a6', 1, 'e');
    for (const [i, at] of ['2026-03-02T00:00:01Z', '2026-03-02T00:00:02Z', '2026-03-02T00:00:03Z'].entries()) {
      time.set(at);
      await chats.addChatMessage(s.id, 'a6', 1, 'e', 'user', `m${i + 1}`);
    }
    const other = await chats.getOrCreateChatSession('a6', 2, 'e2');
    time.set('2026-03-02T00:00:04Z');
    await chats.addChatMessage(other.id, 'a6', 2, 'e2', 'user', 'm4');
    expect((await chats.getChatMessages(s.id, 2)).map((m) => m.content)).toEqual(['m2', 'm3']);
    expect((await chats.getChatMessages(s.id)).map((m) => m.content)).toEqual(['m1', 'm2', 'm3']);
    expect((await chats.getAgentChatHistory('a6')).map((m) => m.content)).toEqual(['m4', 'm3', 'm2', 'm1']);
    expect((await chats.getAgentChatHistory('a6', 1, 2)).map((m) => m.content)).toEqual(['m3', 'm2']);
    expect((await chats.getAgentChatHistory('a6', 0)).length).toBe(4); // 0 is falsy: all users
  });

  it('lists the agent sessions by recent activity with truthy filters only', async () => {
    const { chats, time } = setup('2026-03-03T00:00:00Z');
    const s1 = await chats.getOrCreateChatSession('a7', 1, 'e1');
    time.set('2026-03-03T01:00:00Z');
    const s2 = await chats.getOrCreateChatSession('a7', 2, 'e2');
    time.set('2026-03-03T02:00:00Z');
    await chats.addChatMessage(s1.id, 'a7', 1, 'e1', 'user', 'bump');
    await chats.closeChatSession(s2.id);
    await chats.getOrCreateChatSession('other-agent', 1, 'e1');
    expect((await chats.getAgentChatSessions('a7')).map((s) => s.id)).toEqual([s1.id, s2.id]);
    expect((await chats.getAgentChatSessions('a7', 0)).map((s) => s.id)).toEqual([s1.id, s2.id]);
    expect((await chats.getAgentChatSessions('a7', 2)).map((s) => s.id)).toEqual([s2.id]);
    expect((await chats.getAgentChatSessions('a7', null, 'closed')).map((s) => s.id)).toEqual([s2.id]);
    expect((await chats.getAgentChatSessions('a7', null, '')).length).toBe(2);
  });

  it('createNewChatSession closes only the same agent+user active sessions', async () => {
    const { chats } = setup();
    const mine = await chats.getOrCreateChatSession('a8', 1, 'e1');
    const otherUser = await chats.getOrCreateChatSession('a8', 2, 'e2');
    const otherAgent = await chats.getOrCreateChatSession('a8b', 1, 'e1');
    const created = await chats.createNewChatSession('a8', 1, 'e1', 'sub-2');
    expect(created).toMatchObject({ status: 'active', message_count: 0, total_context_max: 200000, subscription_id: 'sub-2' });
    expect((await chats.getChatSession(mine.id))?.status).toBe('closed');
    expect((await chats.getChatSession(otherUser.id))?.status).toBe('active');
    expect((await chats.getChatSession(otherAgent.id))?.status).toBe('active');
    expect((await chats.getOrCreateChatSession('a8', 1, 'e1')).id).toBe(created.id);
  });

  it('deletes a session with its messages; false for an unknown id', async () => {
    const { chats } = setup();
    const s = await chats.getOrCreateChatSession('a9', 1, 'e');
    await chats.addChatMessage(s.id, 'a9', 1, 'e', 'user', 'x');
    expect(await chats.deleteChatSession(s.id)).toBe(true);
    expect(await chats.getChatSession(s.id)).toBeNull();
    expect(await chats.getChatMessages(s.id)).toEqual([]);
    expect(await chats.deleteChatSession(s.id)).toBe(false);
  });

  it('rolls back a half-done delete (the session table is missing)', async () => {
    const own = await openTestDataSource(driver);
    const chats = repositoryOn(own, ChatRepository);
    const s = await chats.getOrCreateChatSession('a10', 1, 'e');
    await chats.addChatMessage(s.id, 'a10', 1, 'e', 'user', 'keep me');
    await own.query(`ALTER TABLE chat_sessions RENAME TO chat_sessions_gone`);
    await expect(chats.deleteChatSession(s.id)).rejects.toThrow();
    expect((await chats.getChatMessages(s.id)).map((m) => m.content)).toEqual(['keep me']);
  });
});

describe('ChatRepository on a migrated legacy file', () => {
  it('reads Python-written sessions and messages and writes the same naive format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const chats = repositoryOn(ds, ChatRepository, { clock: () => new Date('2026-05-01T12:00:00.250Z') });
    const closed = await chats.getChatSession('JOQS3SwJebec7Ge34SEoWA');
    expect(closed).toMatchObject({ status: 'closed', message_count: 6, total_cost: 0.9999, total_context_used: 180000, subscription_id: '5ca5e395-6fad-4dc7-ba1f-fd94a862ef6d' });
    expect(closed!.started_at).toEqual(new Date('2026-03-21T06:38:20.590Z'));
    const messages = await chats.getChatMessages('JOQS3SwJebec7Ge34SEoWA');
    expect(messages).toHaveLength(6);
    const big = messages.find((m) => m.id === 'g17N3xUKTqYwbXurEMR7vw')!;
    expect(big).toMatchObject({ cost: 0.9876, output_tokens: 32000, role: 'assistant' });
    expect(big.content.length).toBe(92657);
    expect(messages.find((m) => m.id === 'b44ZHIQ6NUIH2Z_Cj-swTw')).toMatchObject({ content: '', source: 'voice', cost: null });
    expect(messages.find((m) => m.id === 'lXtr3ZZARxWwWvMecK-U5A')!.tool_calls).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'toolu_01', name: 'WebSearch' })]));
    // The legacy active session of user 2 is found by getOrCreate.
    expect((await chats.getOrCreateChatSession('research-bot', 2, 'alice@example.com')).id).toBe('zvfibi5ltqQXiNJOKtQYtw');
    const m = await chats.addChatMessage('zvfibi5ltqQXiNJOKtQYtw', 'research-bot', 2, 'alice@example.com', 'assistant', 'new', {
      cost: 0.0001,
      toolCalls: [{ name: 'Read', note: 'café' }],
    });
    const created = await chats.createNewChatSession('research-bot', 2, 'alice@example.com');
    await ds.destroy();
    const raw = withDatabase(copy.path, (db) => ({
      msg: db.prepare(`SELECT timestamp, tool_calls FROM chat_messages WHERE id = ?`).get(m.id) as { timestamp: string; tool_calls: string },
      old: db.prepare(`SELECT last_message_at, message_count, total_cost, status FROM chat_sessions WHERE id = 'zvfibi5ltqQXiNJOKtQYtw'`).get() as Record<string, unknown>,
      fresh: db.prepare(`SELECT started_at, typeof(total_cost) AS t FROM chat_sessions WHERE id = ?`).get(created.id) as { started_at: string; t: string },
    }));
    expect(raw.msg.timestamp).toBe('2026-05-01T12:00:00.250000');
    expect(raw.msg.tool_calls).toBe('[{"name": "Read", "note": "caf\\u00e9"}]');
    expect(raw.old).toEqual({ last_message_at: '2026-05-01T12:00:00.250000', message_count: 3, total_cost: 0.0002 + 0.0001, status: 'closed' });
    expect(raw.fresh).toEqual({ started_at: '2026-05-01T12:00:00.250000', t: 'real' });
  });
});
