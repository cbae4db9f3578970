/**
 * Rows written one after another keep their creation order in lists ordered by time, on both
 * drivers, also when they fall in one millisecond: the default clock writes microseconds (Python's
 * utcnow() does), into the legacy text on SQLite and into timestamptz on PostgreSQL.
 */
import type { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { ActivityRepository } from '../../src/repository/activity.repository';
import { EventSubscriptionRepository } from '../../src/repository/event-subscription.repository';
import { McpKeyRepository } from '../../src/repository/mcp-key.repository';
import { NotificationRepository } from '../../src/repository/notification.repository';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';
import { raw } from '../support/helpers';
import { repositoryOn } from '../support/repositories';

afterAll(cleanupTestDatabases);

/** Freezes Date (only Date: the drivers' timers keep running), so every row below is written in one millisecond. */
function freezeDate(iso: string): void {
  jest.useFakeTimers({
    now: new Date(iso),
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
}

const ROWS = 30;

describe.each(DRIVERS)('the default write clock on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  // The clock never goes back within a process: each driver's block runs in a later year than the previous one.
  const year = driver === 'sqlite' ? '2031' : '2032';

  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });
  afterEach(() => jest.useRealTimers());

  /** The stored values of a timestamp column in insertion order of `ids`: SQLite text, PostgreSQL microseconds as text. */
  async function stored(table: string, column: string, ids: string[]): Promise<string[]> {
    const expr = driver === 'sqlite' ? column : `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
    const rows = await raw(ds, driver, `SELECT id, ${expr} AS v FROM ${table}`);
    const byId = new Map(rows.map((r) => [String(r.id), String(r.v)]));
    return ids.map((id) => byId.get(id)!);
  }

  it('MCP keys created within one millisecond list newest first in creation order; the stored times carry distinct microseconds', async () => {
    await repositoryOn(ds, UserRepository).createUser({ username: 'clock-user' });
    freezeDate(`${year}-02-03T04:05:06.789Z`);
    const keys = repositoryOn(ds, McpKeyRepository);
    const created: string[] = [];
    for (let i = 0; i < ROWS; i++) created.push((await keys.createMcpApiKey('clock-user', { name: `k${i}` }))!.id);
    expect((await keys.listMcpApiKeys('clock-user')).map((k) => k.id)).toEqual([...created].reverse());
    const texts = await stored('mcp_api_keys', 'created_at', created);
    // naive on SQLite; every row in the frozen millisecond, microseconds counting up.
    expect(texts[0]).toBe(`${year}-02-03T04:05:06.789000`);
    expect(texts[ROWS - 1]).toBe(`${year}-02-03T04:05:06.789${String(ROWS - 1).padStart(3, '0')}`);
    expect(new Set(texts).size).toBe(ROWS);
  });

  it('activities (Z6) and notifications (naive+Z, sorted by instant) keep creation order across a whole second', async () => {
    // The first row lands exactly on the second: naive+Z drops its fraction ('…:00Z'), which sorts
    // after '…:00.000001Z' as text; the order must still be by instant.
    freezeDate(`${year}-02-03T04:05:07.000Z`);
    const activities = repositoryOn(ds, ActivityRepository);
    const notes = repositoryOn(ds, NotificationRepository);
    const activityIds: string[] = [];
    const noteIds: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      noteIds.push((await notes.createNotification('clock-agent', { notification_type: 'info', title: `n${i}` })).id);
      activityIds.push(await activities.createActivity({ agent_name: 'clock-agent', activity_type: 'chat_start', triggered_by: 'user' }));
    }
    expect((await activities.getAgentActivities('clock-agent')).map((a) => a.id)).toEqual([...activityIds].reverse());
    expect((await notes.listNotifications({ agentName: 'clock-agent' })).map((n) => n.id)).toEqual([...noteIds].reverse());
    const noteTexts = await stored('agent_notifications', 'created_at', noteIds);
    if (driver === 'sqlite') {
      expect(noteTexts[0]).toBe(`${year}-02-03T04:05:07Z`);
      expect(noteTexts[1]).toBe(`${year}-02-03T04:05:07.000002Z`);
      expect(await stored('agent_activities', 'created_at', activityIds.slice(0, 2))).toEqual([`${year}-02-03T04:05:07.000001Z`, `${year}-02-03T04:05:07.000003Z`]);
    } else {
      expect(noteTexts.slice(0, 2)).toEqual([`${year}-02-03T04:05:07.000000`, `${year}-02-03T04:05:07.000002`]);
    }
  });

  it('events list newest first in creation order within one millisecond', async () => {
    freezeDate(`${year}-02-03T04:05:08.500Z`);
    const events = repositoryOn(ds, EventSubscriptionRepository);
    const ids: string[] = [];
    for (let i = 0; i < ROWS; i++) ids.push((await events.createEvent('clock-src', 'tick', { i })).id);
    expect((await events.listEvents('clock-src', null, -1)).map((e) => e.id)).toEqual([...ids].reverse());
  });
});
