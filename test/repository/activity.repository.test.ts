import type { TrinityDataSource } from '../../src/data-source';
import { InvalidColumnValueError } from '../../src/errors';
import { ActivityRepository } from '../../src/repository/activity.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { raw, type TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(DRIVERS)('ActivityRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let activities: ActivityRepository;

  beforeAll(async () => {
    ({ ds, time, repository: activities } = await openRepository(driver, ActivityRepository));
  });

  /** A legacy text timestamp as a parameter: verbatim on SQLite; zone-less text means UTC on PostgreSQL too. */
  const at = (text: string) => (driver === 'postgres' && !/(Z|[+-]\d\d:\d\d)$/.test(text) ? `${text}Z` : text);

  /** Inserts a row as the Python layer could have stored it (SQLite text in the given shape). */
  async function insertRaw(id: string, agent: string, state: string, startedAt: string, extra: { details?: string | null; created_at?: string; into?: TrinityDataSource } = {}) {
    const created = at(extra.created_at ?? startedAt);
    startedAt = at(startedAt);
    await raw(extra.into ?? ds, driver, `INSERT INTO agent_activities (id, agent_name, activity_type, activity_state, started_at, triggered_by, details, created_at) VALUES (?, ?, 'chat_start', ?, ?, 'user', ?, ?)`,
      [id, agent, state, startedAt, extra.details ?? null, created],
    );
  }

  it('creates a started activity with a UUID4 id and started_at = created_at', async () => {
    time.set('2026-03-01T10:00:00Z');
    const id = await activities.createActivity({ agent_name: 'cr-a', activity_type: 'chat_start', user_id: 7, details: { a: 1 }, related_chat_message_id: 'm1' });
    expect(id).toMatch(UUID4);
    expect(await activities.getActivity(id)).toEqual({
      id,
      agent_name: 'cr-a',
      activity_type: 'chat_start',
      activity_state: 'started',
      parent_activity_id: null,
      started_at: new Date('2026-03-01T10:00:00Z'),
      completed_at: null,
      duration_ms: null,
      user_id: 7,
      triggered_by: 'user',
      related_chat_message_id: 'm1',
      related_execution_id: null,
      details: { a: 1 },
      error: null,
      created_at: new Date('2026-03-01T10:00:00Z'),
    });
    const empty = await activities.createActivity({ agent_name: 'cr-a', activity_type: 'tool_call', details: {}, triggered_by: 'agent', parent_activity_id: id });
    expect(await activities.getActivity(empty)).toMatchObject({ details: null, triggered_by: 'agent', parent_activity_id: id });
    const [{ details }] = await raw(ds, driver, 'SELECT details FROM agent_activities WHERE id = ?', [empty]);
    expect(details).toBeNull();
    expect(await activities.getActivity('missing')).toBeNull();
  });

  it('validates the create input by field', async () => {
    await expect(activities.createActivity({ agent_name: 'val-a', activity_type: '' })).rejects.toMatchObject({ field: 'activity_type' });
    await expect(activities.createActivity({ agent_name: 'val-a', activity_type: 'chat_start', activity_state: 'bogus' })).rejects.toMatchObject({ field: 'activity_state' });
    await expect(activities.createActivity({ agent_name: 'val-a', activity_type: 'chat_start', user_id: 1.5 })).rejects.toMatchObject({ field: 'user_id' });
    expect(await activities.getAgentActivities('val-a')).toEqual([]);
  });

  it('completes an activity: duration, merged details, and error taken from the call', async () => {
    time.set('2026-03-02T10:00:00.100Z');
    const id = await activities.createActivity({ agent_name: 'co-a', activity_type: 'chat_start', details: { a: 1, keep: true }, error: 'old error' });
    time.set('2026-03-02T10:00:02.600Z');
    expect(await activities.completeActivity(id, { details: { a: 3, b: 2 } })).toBe(true);
    expect(await activities.getActivity(id)).toMatchObject({
      activity_state: 'completed',
      completed_at: new Date('2026-03-02T10:00:02.600Z'),
      duration_ms: 2500,
      details: { a: 3, keep: true, b: 2 },
      error: null,
    });
    // No guard on the state: completing again works, with a failure status and an error.
    time.set('2026-03-02T10:00:03Z');
    expect(await activities.completeActivity(id, { status: 'failed', error: 'boom' })).toBe(true);
    expect(await activities.getActivity(id)).toMatchObject({ activity_state: 'failed', duration_ms: 2900, error: 'boom', details: { a: 3, keep: true, b: 2 } });
    expect(await activities.completeActivity('missing')).toBe(false);
  });

  it('keeps details NULL when neither side has any', async () => {
    const id = await activities.createActivity({ agent_name: 'co-b', activity_type: 'tool_call' });
    expect(await activities.completeActivity(id, { details: {} })).toBe(true);
    expect((await activities.getActivity(id))!.details).toBeNull();
  });

  it('computes durations from microsecond started_at values, truncated, for naive and Z6 rows', async () => {
    await insertRaw('dur-z6', 'dur-a', 'started', '2026-03-03T10:00:00.725399Z');
    await insertRaw('dur-naive', 'dur-a', 'started', '2026-03-03T10:00:00.725399');
    time.set('2026-03-03T10:00:17.889Z');
    // 17.889000 - 0.725399 = 17.163601 s -> 17163 ms (Python int() truncates).
    await activities.completeActivity('dur-z6');
    await activities.completeActivity('dur-naive');
    expect((await activities.getActivity('dur-z6'))!.duration_ms).toBe(17163);
    expect((await activities.getActivity('dur-naive'))!.duration_ms).toBe(17163);
  });

  it('lists an agent\'s activities newest first with optional filters and a limit', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      time.set(`2026-03-04T10:00:0${i}Z`);
      ids.push(await activities.createActivity({ agent_name: 'ls-a', activity_type: i % 2 ? 'tool_call' : 'chat_start' }));
    }
    await activities.completeActivity(ids[0]);
    await activities.createActivity({ agent_name: 'ls-other', activity_type: 'chat_start' });
    expect((await activities.getAgentActivities('ls-a')).map((a) => a.id)).toEqual([...ids].reverse());
    expect((await activities.getAgentActivities('ls-a', { activityType: 'tool_call' })).map((a) => a.id)).toEqual([ids[3], ids[1]]);
    expect((await activities.getAgentActivities('ls-a', { activityState: 'started', activityType: '' })).map((a) => a.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect((await activities.getAgentActivities('ls-a', { limit: 2 })).map((a) => a.id)).toEqual([ids[3], ids[2]]);
    expect(await activities.getAgentActivities('ls-a', { limit: 0 })).toEqual([]);
    expect(await activities.getAgentActivities('ls-a', { limit: -1 })).toHaveLength(4);
  });

  it('orders naive (pre-2026-01-15) and Z6 rows chronologically', async () => {
    await insertRaw('mix-1', 'mix-a', 'completed', '2026-01-14T23:59:59.5');
    await insertRaw('mix-2', 'mix-a', 'completed', '2026-01-15T00:00:00.000001Z');
    await insertRaw('mix-3', 'mix-a', 'completed', '2026-01-15T00:00:01');
    expect((await activities.getAgentActivities('mix-a')).map((a) => a.id)).toEqual(['mix-3', 'mix-2', 'mix-1']);
  });

  it('returns the current (started) activities, at most 50, newest first', async () => {
    for (let i = 0; i < 52; i++) {
      time.set(new Date(Date.UTC(2026, 2, 5, 10, 0, i)).toISOString());
      await activities.createActivity({ agent_name: 'cur-a', activity_type: 'tool_call' });
    }
    const done = await activities.createActivity({ agent_name: 'cur-a', activity_type: 'tool_call' });
    await activities.completeActivity(done);
    const current = await activities.getCurrentActivities('cur-a');
    expect(current).toHaveLength(50);
    expect(current.every((a) => a.activity_state === 'started')).toBe(true);
    expect(current[0].created_at).toEqual(new Date('2026-03-05T10:00:51Z'));
    expect(current[49].created_at).toEqual(new Date('2026-03-05T10:00:02Z'));
  });

  it('selects activities in a time range (inclusive, by instant) and by types across agents', async () => {
    const ds2 = await openTestDataSource(driver);
    const repo = repositoryOn(ds2, ActivityRepository, { clock: time.clock });
    const rawInsert = (id: string, type: string, when: string) =>
      raw(ds2, driver, `INSERT INTO agent_activities (id, agent_name, activity_type, activity_state, started_at, triggered_by, created_at) VALUES (?, ?, ?, 'completed', ?, 'user', ?)`, [id, `agent-${id}`, type, at(when), at(when)]);
    await rawInsert('r1', 'chat_start', '2026-01-15T09:59:59.999999Z');
    await rawInsert('r2', 'tool_call', '2026-01-15T10:00:00'); // naive row exactly at the start bound
    await rawInsert('r3', 'chat_end', '2026-01-15T10:30:00.500000Z');
    await rawInsert('r4', 'tool_call', '2026-01-15T11:00:00.000000Z'); // Z6 row exactly at the end bound
    await rawInsert('r5', 'chat_start', '2026-01-15T11:00:00.000001');
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    expect(ids(await repo.getActivitiesInRange({ startTime: '2026-01-15T10:00:00', endTime: '2026-01-15T11:00:00Z' }))).toEqual(['r4', 'r3', 'r2']);
    expect(ids(await repo.getActivitiesInRange({ startTime: new Date('2026-01-15T10:00:00Z'), endTime: '2026-01-15 11:00:00' }))).toEqual(['r4', 'r3', 'r2']);
    expect(ids(await repo.getActivitiesInRange({ startTime: '2026-01-15T10:30:00.5Z' }))).toEqual(['r5', 'r4', 'r3']);
    expect(ids(await repo.getActivitiesInRange({ endTime: '2026-01-15T10:00:00Z' }))).toEqual(['r2', 'r1']);
    expect(ids(await repo.getActivitiesInRange({ activityTypes: [] }))).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
    expect(ids(await repo.getActivitiesInRange({ activityTypes: ['chat_start', 'tool_call'], limit: 3 }))).toEqual(['r5', 'r4', 'r2']);
    expect(ids(await repo.getActivitiesInRange())).toHaveLength(5);
    await expect(repo.getActivitiesInRange({ startTime: 'yesterday' })).rejects.toMatchObject({ field: 'startTime' });
  });

  it('marks activities started more than N minutes ago as failed, exactly, in both stored shapes', async () => {
    // Its own database: the sweep covers every agent.
    const into = await openTestDataSource(driver);
    const activities = repositoryOn(into, ActivityRepository, { clock: () => new Date('2026-03-06T12:00:00Z') });
    await insertRaw('st-31', 'stale-a', 'started', '2026-03-06T11:29:00.000000Z', { into });
    await insertRaw('st-31n', 'stale-a', 'started', '2026-03-06T11:29:00', { into });
    await insertRaw('st-29', 'stale-a', 'started', '2026-03-06T11:31:00.000000Z', { into });
    await insertRaw('st-edge', 'stale-a', 'started', '2026-03-06T11:30:00', { into }); // exactly 30 min: not older
    await insertRaw('st-edge-2', 'stale-a', 'started', '2026-03-06T11:29:59.999999', { into }); // just older
    await insertRaw('st-done', 'stale-a', 'completed', '2026-03-06T10:00:00.000000Z', { details: '{"k": 1}', into });
    expect(await activities.markStaleActivitiesFailed(30)).toBe(3);
    const byId = Object.fromEntries((await activities.getAgentActivities('stale-a')).map((a) => [a.id, a]));
    expect(byId['st-31']).toMatchObject({
      activity_state: 'failed',
      completed_at: new Date('2026-03-06T12:00:00Z'),
      duration_ms: 31 * 60_000,
      error: 'Marked as failed by cleanup: exceeded 30-minute timeout',
    });
    expect(byId['st-31n']).toMatchObject({ activity_state: 'failed', duration_ms: 31 * 60_000 });
    expect(byId['st-edge-2']).toMatchObject({ activity_state: 'failed', duration_ms: 30 * 60_000 });
    expect(byId['st-29'].activity_state).toBe('started');
    expect(byId['st-edge'].activity_state).toBe('started');
    expect(byId['st-done']).toMatchObject({ activity_state: 'completed', error: null, details: { k: 1 } });
    expect(await activities.markStaleActivitiesFailed(30)).toBe(0);
    await expect(activities.markStaleActivitiesFailed(1.5)).rejects.toMatchObject({ field: 'timeoutMinutes' });
  });

  it('rolls back a stale sweep that fails half-way', async () => {
    const ds2 = await openTestDataSource(driver);
    const repo = repositoryOn(ds2, ActivityRepository, { clock: () => new Date('2026-03-07T12:00:00Z') });
    await raw(ds2, driver, `INSERT INTO agent_activities (id, agent_name, activity_type, activity_state, started_at, triggered_by, created_at) VALUES ('rb-1', 'rb', 'chat_start', 'started', ?, 'user', ?)`, ['2026-03-07T10:00:00.000000Z', '2026-03-07T10:00:00.000000Z']);
    // The sweep reads, then updates: make the UPDATE fail.
    await ds2.query(`ALTER TABLE agent_activities RENAME COLUMN error TO error_gone`);
    await expect(repo.markStaleActivitiesFailed(30)).rejects.toThrow();
    await ds2.query(`ALTER TABLE agent_activities RENAME COLUMN error_gone TO error`);
    expect(await repo.getActivity('rb-1')).toMatchObject({ activity_state: 'started', completed_at: null });
  });

  it('throws on corrupt details JSON instead of reading null (SQLite text)', async () => {
    if (driver === 'postgres') {
      // jsonb cannot hold invalid JSON: the row is refused at write time.
      await expect(insertRaw('bad-json', 'bad-a', 'started', '2026-03-08T00:00:00Z', { details: '{bad' })).rejects.toThrow();
      return;
    }
    await insertRaw('bad-json', 'bad-a', 'started', '2026-03-08T00:00:00Z', { details: '{bad' });
    await expect(activities.getActivity('bad-json')).rejects.toBeInstanceOf(InvalidColumnValueError);
  });

  it('writes Z6 timestamps and json.dumps details on SQLite', async () => {
    time.set('2026-03-09T08:00:00Z');
    const id = await activities.createActivity({ agent_name: 'fmt-a', activity_type: 'chat_start', details: { msg: 'café 🚀' } });
    const [row] = await raw(ds, driver, 'SELECT started_at, created_at, details FROM agent_activities WHERE id = ?', [id]);
    if (driver === 'sqlite') {
      expect(row).toEqual({ started_at: '2026-03-09T08:00:00.000000Z', created_at: '2026-03-09T08:00:00.000000Z', details: '{"msg": "caf\\u00e9 \\ud83d\\ude80"}' });
    } else {
      expect(row).toEqual({ started_at: new Date('2026-03-09T08:00:00Z'), created_at: new Date('2026-03-09T08:00:00Z'), details: { msg: 'café 🚀' } });
    }
  });
});

describe('ActivityRepository on a migrated legacy file', () => {
  it('reads Python-written activities and writes rows in the same Z6 format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const activities = repositoryOn(ds, ActivityRepository, { clock: () => new Date('2026-05-01T12:00:00Z') });
    const failed = await activities.getActivity('1db23669-07e4-4d1d-9272-458d27d177fb');
    expect(failed).toMatchObject({
      activity_type: 'schedule_start',
      activity_state: 'failed',
      error: "Agent timeout after 900s: it's \\ broken",
      details: { schedule_name: 'Daily digest 📰' },
      duration_ms: 30191,
      user_id: null,
      started_at: new Date('2026-03-21T06:49:58.889Z'),
    });
    const chat = await activities.getActivity('be03bd81-af5a-4553-85b6-9ac026ed6201');
    expect(chat!.details).toEqual({
      message_preview: 'Deploy 🚀 finished ✅ — naïve café, 👩‍💻 zero-width-joiner',
      nested: { a: [1, 2, { b: null }], flag: true },
      cost: 0.0123,
      context_used: 12000,
    });
    expect((await activities.getAgentActivities('research-bot')).map((a) => a.id)).toEqual([
      'bfda7f5e-c722-4e62-aae4-092be1ed5748',
      '1db23669-07e4-4d1d-9272-458d27d177fb',
      'c07a2d9a-5553-4d67-8e19-7f4b59d4fa91',
      'be03bd81-af5a-4553-85b6-9ac026ed6201',
    ]);
    // The cornelius activity was left 'started' by Python: far older than 30 minutes now.
    expect(await activities.markStaleActivitiesFailed(30)).toBe(1);
    const id = await activities.createActivity({ agent_name: 'cornelius', activity_type: 'chat_start', details: { q: 'ü' } });
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) => ({
      created: db.prepare(`SELECT started_at, created_at, details FROM agent_activities WHERE id = ?`).get(id),
      swept: db.prepare(`SELECT activity_state, completed_at, duration_ms FROM agent_activities WHERE id = '29d4b83b-4a62-45b9-8730-747d96fc5889'`).get(),
    }));
    expect(stored.created).toEqual({ started_at: '2026-05-01T12:00:00.000000Z', created_at: '2026-05-01T12:00:00.000000Z', details: '{"q": "\\u00fc"}' });
    // started 2026-03-21T06:50:33.191751Z -> 2026-05-01T12:00:00Z, truncated to ms.
    const expected = Math.trunc((Date.UTC(2026, 4, 1, 12) * 1000 - (Date.UTC(2026, 2, 21, 6, 50, 33) * 1000 + 191751)) / 1000);
    expect(stored.swept).toEqual({ activity_state: 'failed', completed_at: '2026-05-01T12:00:00.000000Z', duration_ms: expected });
  });
});
