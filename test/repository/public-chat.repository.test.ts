import type { TrinityDataSource } from '../../src/data-source';
import { placeholders, type Driver } from '../../src/dialect';
import { PUBLIC_LINK_MODE_HEADER, PublicChatRepository } from '../../src/repository/public-chat.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const START = '2026-03-01T10:00:00.123Z';
const SECOND = 1000;

const at = (ms: number) => new Date(new Date(START).getTime() + ms);

describe.each(DRIVERS)('PublicChatRepository on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });

  function setup(start = START) {
    const time = testClock(start);
    return { time, chat: repositoryOn(ds, PublicChatRepository, { clock: time.clock }) };
  }

  async function countMessages(sessionId: string): Promise<number> {
    const [{ n }] = await ds.query(placeholders(driver, `SELECT COUNT(*) AS n FROM public_chat_messages WHERE session_id = ?`), [sessionId]);
    return Number(n);
  }

  /** Adds messages "m1".."mN", one second apart, alternating user/assistant. */
  async function addMessages(chat: PublicChatRepository, time: ReturnType<typeof testClock>, sessionId: string, n: number) {
    for (let i = 1; i <= n; i++) {
      await chat.addMessage(sessionId, i % 2 ? 'user' : 'assistant', `m${i}`);
      time.advance(SECOND);
    }
  }

  it('email sessions are found case-insensitively and store the lower-cased email', async () => {
    const { chat, time } = setup();
    const session = await chat.getOrCreateSession('L-email', 'Bob@X.com', 'email');
    expect(session).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      link_id: 'L-email',
      session_identifier: 'bob@x.com',
      identifier_type: 'email',
      created_at: new Date(START),
      last_message_at: new Date(START),
      message_count: 0,
      total_cost: 0,
    });
    time.advance(60 * SECOND);
    expect(await chat.getOrCreateSession('L-email', 'bob@x.com', 'email')).toEqual(session);
    expect(await chat.getSessionByIdentifier('L-email', 'BOB@x.com')).toEqual(session);
    expect(await chat.getSession(session.id)).toEqual(session);
    expect(await chat.getSession('no-such-session')).toBeNull();
    // The same identifier under another link is another session.
    expect((await chat.getOrCreateSession('L-email-2', 'bob@x.com', 'email')).id).not.toBe(session.id);
  });

  it('anonymous ids are stored as given, and upper-case ones are never found by identifier', async () => {
    const { chat } = setup();
    const anon = await chat.getOrCreateSession('L-anon', 'AbC', 'anonymous');
    expect(anon).toMatchObject({ session_identifier: 'AbC', identifier_type: 'anonymous' });
    expect(await chat.getSessionByIdentifier('L-anon', 'AbC')).toBeNull();
    expect(await chat.getOrCreateSession('L-anon', 'AbC', 'anonymous')).toEqual(anon);
    const lower = await chat.getOrCreateSession('L-anon', 'abc', 'anonymous');
    expect(lower.id).not.toBe(anon.id);
    expect(await chat.getSessionByIdentifier('L-anon', 'AbC')).toEqual(lower);
    // 'Email' (capital E) is not 'email': no lower-casing.
    expect(await chat.getOrCreateSession('L-anon', 'Bob@X.com', 'Email')).toMatchObject({ session_identifier: 'Bob@X.com', identifier_type: 'Email' });
    await expect(chat.getOrCreateSession('L-anon', '', 'anonymous')).rejects.toMatchObject({ name: 'InputValidationError', field: 'sessionIdentifier' });
  });

  it('concurrent first calls create one session', async () => {
    const { chat } = setup();
    const sessions = await Promise.all(Array.from({ length: 20 }, () => chat.getOrCreateSession('L-race', 'Race@x.com', 'email')));
    expect(new Set(sessions.map((s) => s.id)).size).toBe(1);
  });

  it('adds messages and bumps the session counters; null and 0 costs add nothing', async () => {
    const { chat, time } = setup();
    const session = await chat.getOrCreateSession('L-add', 'add@x.com', 'email');
    time.advance(SECOND);
    const first = await chat.addMessage(session.id, 'user', 'hello\nworld', null);
    expect(first).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), session_id: session.id, role: 'user', content: 'hello\nworld', timestamp: at(SECOND), cost: null });
    expect(await chat.getSession(session.id)).toMatchObject({ message_count: 1, total_cost: 0, last_message_at: at(SECOND), created_at: new Date(START) });
    time.advance(SECOND);
    expect((await chat.addMessage(session.id, 'assistant', 'a', 0.25)).cost).toBe(0.25);
    expect((await chat.addMessage(session.id, 'assistant', 'b', 0.25)).cost).toBe(0.25);
    expect((await chat.addMessage(session.id, 'assistant', '', 0)).cost).toBe(0);
    expect(await chat.getSession(session.id)).toMatchObject({ message_count: 4, total_cost: 0.5, last_message_at: at(2 * SECOND) });
    await expect(chat.addMessage(session.id, 'user', 'x', 'free' as never)).rejects.toMatchObject({ field: 'cost' });
    await expect(chat.addMessage(session.id, 'user', 5 as never)).rejects.toMatchObject({ field: 'content' });
    expect(await countMessages(session.id)).toBe(4);
  });

  it('adds a message to a missing session without creating it', async () => {
    const { chat } = setup();
    const orphan = await chat.addMessage('no-session', 'robot', 'hi', 1.5);
    expect(orphan).toMatchObject({ session_id: 'no-session', role: 'robot', cost: 1.5 });
    expect(await chat.getSession('no-session')).toBeNull();
    expect(await countMessages('no-session')).toBe(1);
  });

  it('loses no count under 50 concurrent messages', async () => {
    const { chat } = setup();
    const session = await chat.getOrCreateSession('L-busy', 'busy', 'anonymous');
    await Promise.all(Array.from({ length: 50 }, (_, i) => chat.addMessage(session.id, 'user', `m${i}`, 0.01)));
    const after = await chat.getSession(session.id);
    expect(after!.message_count).toBe(50);
    expect(after!.total_cost).toBeCloseTo(0.5, 10);
    expect(await countMessages(session.id)).toBe(50);
  });

  it('returns the oldest messages from getSessionMessages and the newest from getRecentMessages, oldest first', async () => {
    const { chat, time } = setup();
    const session = await chat.getOrCreateSession('L-list', 'list', 'anonymous');
    await addMessages(chat, time, session.id, 5);
    const contents = (messages: { content: string }[]) => messages.map((m) => m.content);
    expect(contents(await chat.getSessionMessages(session.id, 2))).toEqual(['m1', 'm2']);
    expect(contents(await chat.getSessionMessages(session.id))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(contents(await chat.getRecentMessages(session.id, 2))).toEqual(['m4', 'm5']);
    expect(await chat.getRecentMessages(session.id, 0)).toEqual([]);
    expect(await chat.getSessionMessages(session.id, 0)).toEqual([]);
    // A negative limit means no limit (SQLite's reading, on both drivers).
    expect(contents(await chat.getRecentMessages(session.id, -1))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(contents(await chat.getSessionMessages(session.id, -5))).toHaveLength(5);
    expect(await chat.getRecentMessages('no-session-here')).toEqual([]);
  });

  it('builds the context prompt exactly', async () => {
    const { chat, time } = setup();
    expect(await chat.buildContextPrompt('empty-session', 'hi')).toBe('### Trinity: Public Link Access Mode\n\nCurrent message:\nUser: hi');
    expect(PUBLIC_LINK_MODE_HEADER).toBe('### Trinity: Public Link Access Mode');
    const session = await chat.getOrCreateSession('L-prompt', 'prompt', 'anonymous');
    await chat.addMessage(session.id, 'user', 'Line 1\nLine "2" \\ ok');
    time.advance(SECOND);
    await chat.addMessage(session.id, 'assistant', 'Answer');
    time.advance(SECOND);
    await chat.addMessage(session.id, 'system', 'Other role');
    expect(await chat.buildContextPrompt(session.id, 'next?')).toBe(
      [
        '### Trinity: Public Link Access Mode',
        '',
        'Previous conversation:',
        'User: Line 1\nLine "2" \\ ok',
        'Assistant: Answer',
        'Assistant: Other role',
        '',
        'Current message:',
        'User: next?',
      ].join('\n'),
    );
    expect(await chat.buildContextPrompt(session.id, 'x', 0)).toBe('### Trinity: Public Link Access Mode\n\nCurrent message:\nUser: x');
  });

  it('puts only the last max_turns * 2 messages in the prompt (all of them for a negative max_turns)', async () => {
    const { chat, time } = setup();
    const session = await chat.getOrCreateSession('L-turns', 'turns', 'anonymous');
    await addMessages(chat, time, session.id, 25);
    const historyOf = (prompt: string) => prompt.split('\n').filter((line) => /^(User|Assistant): m\d+$/.test(line));
    const history = historyOf(await chat.buildContextPrompt(session.id, 'now', 10));
    expect(history).toHaveLength(20);
    expect(history[0]).toBe('Assistant: m6'); // m6..m25
    expect(history[19]).toBe('User: m25');
    expect(historyOf(await chat.buildContextPrompt(session.id, 'now', 1))).toEqual(['Assistant: m24', 'User: m25']);
    expect(historyOf(await chat.buildContextPrompt(session.id, 'now', -1))).toHaveLength(25);
  });

  it('clears a session with its messages, and orphan messages of a missing session', async () => {
    const { chat } = setup();
    const session = await chat.getOrCreateSession('L-clear', 'clear', 'anonymous');
    const keep = await chat.getOrCreateSession('L-clear', 'keep', 'anonymous');
    await chat.addMessage(session.id, 'user', 'a');
    await chat.addMessage(keep.id, 'user', 'b');
    expect(await chat.clearSession(session.id)).toBe(true);
    expect(await chat.getSession(session.id)).toBeNull();
    expect(await countMessages(session.id)).toBe(0);
    expect(await countMessages(keep.id)).toBe(1);
    expect(await chat.clearSession(session.id)).toBe(false);
    await chat.addMessage('orphan-clear', 'user', 'lost');
    expect(await chat.clearSession('orphan-clear')).toBe(false);
    expect(await countMessages('orphan-clear')).toBe(0);
  });

  it('deletes every session of a link with their messages', async () => {
    const { chat } = setup();
    const a = await chat.getOrCreateSession('L-del', 'a@x.com', 'email');
    const b = await chat.getOrCreateSession('L-del', 'anon-b', 'anonymous');
    const other = await chat.getOrCreateSession('L-del-other', 'a@x.com', 'email');
    for (const s of [a, b, other]) await chat.addMessage(s.id, 'user', 'hi');
    expect(await chat.deleteLinkSessions('L-del')).toBe(2);
    expect(await chat.getSession(a.id)).toBeNull();
    expect(await countMessages(a.id)).toBe(0);
    expect(await countMessages(b.id)).toBe(0);
    expect(await countMessages(other.id)).toBe(1);
    expect(await chat.deleteLinkSessions('L-del')).toBe(0);
  });

  it('rolls a failed addMessage back completely', async () => {
    const own = await openTestDataSource(driver);
    const chat = repositoryOn(own, PublicChatRepository, { clock: () => new Date(START) });
    const session = await chat.getOrCreateSession('L-rollback', 'r', 'anonymous');
    // The session UPDATE (second statement) fails: the message INSERT must be undone.
    await own.query(`ALTER TABLE public_chat_sessions RENAME TO public_chat_sessions_gone`);
    await expect(chat.addMessage(session.id, 'user', 'lost')).rejects.toThrow();
    const [{ n }] = await own.query(`SELECT COUNT(*) AS n FROM public_chat_messages`);
    expect(Number(n)).toBe(0);
    await own.destroy();
  });
});

describe('PublicChatRepository on a migrated legacy file', () => {
  it('reads Python-written sessions and messages, and writes rows in the same naive format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const time = testClock('2026-05-01T12:00:00.000Z');
    const chat = repositoryOn(ds, PublicChatRepository, { clock: time.clock });

    const session = await chat.getSessionByIdentifier('kTetfP3X3T4y3MuMiNDtTw', 'Visitor.One@Example.com');
    expect(session).toEqual({
      id: '9kFYx7iCZT_Lt5HwuuMZCQ',
      link_id: 'kTetfP3X3T4y3MuMiNDtTw',
      session_identifier: 'visitor.one@example.com',
      identifier_type: 'email',
      created_at: new Date('2026-03-21T11:56:22.169Z'),
      last_message_at: new Date('2026-03-21T11:56:30.763Z'),
      message_count: 2,
      total_cost: 0.0031,
    });
    const messages = await chat.getRecentMessages(session!.id);
    expect(messages.map((m) => [m.role, m.cost])).toEqual([
      ['user', null],
      ['assistant', 0.0031],
    ]);
    expect(messages[0].content).toBe('Hi! Deploy 🚀 finished ✅ — naïve café, 👩‍💻 zero-width-joiner');
    expect(messages[0].timestamp).toEqual(new Date('2026-03-21T11:56:22.170Z'));
    expect(await chat.buildContextPrompt('aDS8t-u7LaCJepCCkZfAXA', 'Hi')).toBe(
      `${PUBLIC_LINK_MODE_HEADER}\n\nPrevious conversation:\nUser: It's a "quoted" path: C:\\Users\\o'brien\\notes.md\nAssistant: \n\nCurrent message:\nUser: Hi`,
    );

    const added = await chat.addMessage(session!.id, 'user', 'again', 0.5);
    time.set('2026-05-01T12:00:00.250Z');
    const created = await chat.getOrCreateSession('G-FZLGUvxyK8yCePgYHuOg', 'New@Example.com', 'email');
    expect(await chat.getSession(session!.id)).toMatchObject({ message_count: 3, total_cost: expect.closeTo(0.5031, 10), last_message_at: new Date('2026-05-01T12:00:00Z') });
    await ds.destroy();

    withDatabase(copy.path, (db) => {
      expect(db.prepare(`SELECT timestamp, cost FROM public_chat_messages WHERE id = ?`).get(added.id)).toEqual({ timestamp: '2026-05-01T12:00:00', cost: 0.5 });
      expect(db.prepare(`SELECT last_message_at, message_count FROM public_chat_sessions WHERE id = ?`).get(session!.id)).toEqual({
        last_message_at: '2026-05-01T12:00:00',
        message_count: 3,
      });
      expect(db.prepare(`SELECT session_identifier, created_at, last_message_at, typeof(total_cost) AS t FROM public_chat_sessions WHERE id = ?`).get(created.id)).toEqual({
        session_identifier: 'new@example.com',
        created_at: '2026-05-01T12:00:00.250000',
        last_message_at: '2026-05-01T12:00:00.250000',
        t: 'real',
      });
    });
  });
});
