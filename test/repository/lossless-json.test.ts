/**
 * Stored JSON is read and written without losing digits: a Python-written integer beyond 2^53
 * survives a read-modify-write byte for byte in the SQLite text (and digit for digit in jsonb), and
 * reads as a bigint. No number is rounded on the way in or out, on either driver.
 */
import type { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { ActivityRepository } from '../../src/repository/activity.repository';
import { ChatRepository } from '../../src/repository/chat.repository';
import { NotificationRepository } from '../../src/repository/notification.repository';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';
import { raw, testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';

afterAll(cleanupTestDatabases);

const BIG = '1234567890123456789';

describe.each(DRIVERS)('lossless JSON on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  const time = testClock('2026-03-01T10:00:00Z');
  let activities: ActivityRepository;

  beforeAll(async () => {
    ds = await openTestDataSource(driver);
    activities = repositoryOn(ds, ActivityRepository, { clock: time.clock });
  });

  /** The JSON column as stored: SQLite's text, PostgreSQL's jsonb printed as text. */
  async function storedJson(table: string, column: string, id: string): Promise<string> {
    const [row] = await raw(ds, driver, `SELECT ${driver === 'sqlite' ? column : `${column}::text`} AS v FROM ${table} WHERE id = ?`, [id]);
    return row.v as string;
  }

  /** An activity row as the Python layer writes it: details is `json.dumps` text (jsonb on PostgreSQL, as a copy carries it). */
  async function pythonActivity(id: string, detailsText: string): Promise<void> {
    await raw(
      ds,
      driver,
      `INSERT INTO agent_activities (id, agent_name, activity_type, activity_state, started_at, triggered_by, details, created_at)
       VALUES (?, 'json-agent', 'chat_start', 'started', ?, 'user', ${driver === 'sqlite' ? '?' : 'CAST(? AS jsonb)'}, ?)`,
      [id, '2026-03-01T09:00:00.000000Z', detailsText, '2026-03-01T09:00:00.000000Z'],
    );
  }

  it('completeActivity merges into Python-written details and keeps the big integer digit for digit', async () => {
    await pythonActivity('act-big', `{"slack_ts_id": ${BIG}, "channel": "C1"}`);
    expect((await activities.getActivity('act-big'))!.details).toEqual({ slack_ts_id: BigInt(BIG), channel: 'C1' });
    expect(await activities.completeActivity('act-big', { details: { result: 'ok' } })).toBe(true);
    // SQLite: exactly the text json.dumps({**details, "result": "ok"}) gives; jsonb orders keys itself.
    expect(await storedJson('agent_activities', 'details', 'act-big')).toBe(
      driver === 'sqlite' ? `{"slack_ts_id": ${BIG}, "channel": "C1", "result": "ok"}` : `{"result": "ok", "channel": "C1", "slack_ts_id": ${BIG}}`,
    );
    const details = (await activities.getActivity('act-big'))!.details!;
    expect(details.slack_ts_id).toBe(BigInt(BIG));
    expect(typeof details.slack_ts_id).toBe('bigint');
  });

  it('a second read-modify-write of the merged details still keeps every digit, also of negative and nested big integers', async () => {
    await pythonActivity('act-nested', `{"ids": [-${BIG}9, 18446744073709551615], "inner": {"ts": ${BIG}}, "small": 9007199254740991, "edge": 9007199254740992}`);
    await activities.completeActivity('act-nested', { details: { n: 1 } });
    await activities.completeActivity('act-nested', { status: 'failed', details: { n: 2 } });
    const details = (await activities.getActivity('act-nested'))!.details!;
    expect(details).toEqual({ ids: [-BigInt(`${BIG}9`), 18446744073709551615n], inner: { ts: BigInt(BIG) }, small: 9007199254740991, edge: 9007199254740992n, n: 2 });
    // The largest safe integer stays a number.
    expect(typeof details.small).toBe('number');
    if (driver === 'sqlite') {
      expect(await storedJson('agent_activities', 'details', 'act-nested')).toBe(
        `{"ids": [-${BIG}9, 18446744073709551615], "inner": {"ts": ${BIG}}, "small": 9007199254740991, "edge": 9007199254740992, "n": 2}`,
      );
    } else {
      expect(await storedJson('agent_activities', 'details', 'act-nested')).toContain(`[-${BIG}9, 18446744073709551615]`);
    }
  });

  it('bigints written through the API are stored as their digits and read back as bigints', async () => {
    const id = await activities.createActivity({ agent_name: 'json-agent', activity_type: 'chat_start', triggered_by: 'user', details: { big: 2n ** 70n, pi: 3.5 } });
    expect(await storedJson('agent_activities', 'details', id)).toBe(driver === 'sqlite' ? '{"big": 1180591620717411303424, "pi": 3.5}' : '{"pi": 3.5, "big": 1180591620717411303424}');
    expect((await activities.getActivity(id))!.details).toEqual({ big: 1180591620717411303424n, pi: 3.5 });
    const notes = repositoryOn(ds, NotificationRepository, { clock: time.clock });
    const note = await notes.createNotification('json-agent', { notification_type: 'info', title: 't', metadata: { message_ts: BigInt(BIG) } });
    expect((await notes.getNotification(note.id))!.metadata).toEqual({ message_ts: BigInt(BIG) });
  });

  it('tool_calls given as JSON text keep their big integers', async () => {
    const chats = repositoryOn(ds, ChatRepository, { clock: time.clock });
    const session = await chats.getOrCreateChatSession('json-agent', 1, 'u@x.com');
    const message = await chats.addChatMessage(session.id, 'json-agent', 1, 'u@x.com', 'assistant', 'hi', { toolCalls: `[{"id": ${BIG}}]` });
    expect(message.tool_calls).toEqual([{ id: BigInt(BIG) }]);
    expect(await storedJson('chat_messages', 'tool_calls', message.id)).toBe(`[{"id": ${BIG}}]`);
    expect((await chats.getChatMessages(session.id)).find((m) => m.id === message.id)!.tool_calls).toEqual([{ id: BigInt(BIG) }]);
  });
});
