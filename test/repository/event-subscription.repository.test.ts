import type { TrinityDataSource } from '../../src/data-source';
import { UniqueConstraintError } from '../../src/errors';
import { EventSubscriptionRepository } from '../../src/repository/event-subscription.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('EventSubscriptionRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });
  function setup(start?: string) {
    const time = testClock(start);
    return { time, subs: repositoryOn(ds, EventSubscriptionRepository, { clock: time.clock }) };
  }

  it('creates a subscription, returns it built from the inputs, and reads it back', async () => {
    const { subs } = setup();
    const created = await subs.createSubscription('sub-a', { source_agent: 'src-a', event_type: 'prediction.resolved', target_message: 'Go {{payload.x}}' }, 'alice');
    expect(created).toEqual({
      id: expect.stringMatching(/^esub_[A-Za-z0-9_-]{16}$/),
      subscriber_agent: 'sub-a',
      source_agent: 'src-a',
      event_type: 'prediction.resolved',
      target_message: 'Go {{payload.x}}',
      enabled: true,
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      updated_at: new Date('2026-03-01T10:00:00.123Z'),
      created_by: 'alice',
    });
    expect(await subs.getSubscription(created.id)).toEqual(created);
    expect(await subs.getSubscription('esub_missing')).toBeNull();
    const disabled = await subs.createSubscription('sub-a', { source_agent: 'src-a', event_type: 'other', target_message: 't', enabled: false }, 'alice');
    expect((await subs.getSubscription(disabled.id))?.enabled).toBe(false);
  });

  it('rejects a duplicate (subscriber, source, type) with the UNIQUE wording; another type is fine', async () => {
    const { subs } = setup();
    const data = { source_agent: 'src-b', event_type: 'x.y', target_message: 't' };
    await subs.createSubscription('sub-b', data, 'u');
    const error = await subs.createSubscription('sub-b', data, 'u').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueConstraintError);
    expect((error as Error).message).toContain('UNIQUE constraint failed');
    await subs.createSubscription('sub-b', { ...data, event_type: 'x.z' }, 'u');
    expect(await subs.listSubscriptions('sub-b')).toHaveLength(2);
    await expect(subs.createSubscription('sub-b', { source_agent: 'src-b', event_type: '', target_message: 't' }, 'u')).rejects.toMatchObject({ field: 'event_type' });
    await expect(subs.createSubscription('sub-b', { ...data, enabled: 'yes' as never }, 'u')).rejects.toMatchObject({ field: 'enabled' });
  });

  it('lists newest first with truthy filters, enabled_only and limit', async () => {
    const { subs, time } = setup('2026-03-02T00:00:00Z');
    const s1 = await subs.createSubscription('sub-c', { source_agent: 'src-c1', event_type: 'e', target_message: 't' }, 'u');
    time.set('2026-03-02T00:00:01Z');
    const s2 = await subs.createSubscription('sub-c', { source_agent: 'src-c2', event_type: 'e', target_message: 't', enabled: false }, 'u');
    time.set('2026-03-02T00:00:02Z');
    const s3 = await subs.createSubscription('sub-c2', { source_agent: 'src-c1', event_type: 'e', target_message: 't' }, 'u');
    expect((await subs.listSubscriptions('sub-c')).map((s) => s.id)).toEqual([s2.id, s1.id]);
    expect((await subs.listSubscriptions('sub-c', null, true)).map((s) => s.id)).toEqual([s1.id]);
    expect((await subs.listSubscriptions(null, 'src-c1')).map((s) => s.id)).toEqual([s3.id, s1.id]);
    expect((await subs.listSubscriptions('', 'src-c1', false, 1)).map((s) => s.id)).toEqual([s3.id]);
    time.set('2026-03-02T00:00:02.5Z');
    const s4 = await subs.createSubscription('sub-c2', { source_agent: 'src-c3', event_type: 'e', target_message: 't' }, 'u');
    expect((await subs.listSubscriptions('sub-c2')).map((s) => s.id)).toEqual([s4.id, s3.id]);
  });

  it('updates only given fields, keeps updated_at when nothing changes, null for a missing id', async () => {
    const { subs, time } = setup();
    const s = await subs.createSubscription('sub-d', { source_agent: 'src-d', event_type: 'a', target_message: 't' }, 'u');
    await subs.createSubscription('sub-d', { source_agent: 'src-d', event_type: 'b', target_message: 't' }, 'u');
    time.set('2026-03-05T00:00:00Z');
    expect(await subs.updateSubscription(s.id)).toEqual(s);
    const updated = await subs.updateSubscription(s.id, null, 'new {{payload.y}}', false);
    expect(updated).toMatchObject({ event_type: 'a', target_message: 'new {{payload.y}}', enabled: false, updated_at: new Date('2026-03-05T00:00:00Z'), created_at: s.created_at });
    expect(await subs.updateSubscription('esub_missing', null, null, false)).toBeNull();
    await expect(subs.updateSubscription(s.id, 'b')).rejects.toThrow('UNIQUE constraint failed');
    expect((await subs.getSubscription(s.id))?.event_type).toBe('a');
  });

  it('deletes one subscription, and every subscription of and to an agent', async () => {
    const { subs } = setup();
    const own = await subs.createSubscription('agent-e', { source_agent: 'src-e', event_type: 'e', target_message: 't' }, 'u');
    await subs.createSubscription('other-e', { source_agent: 'agent-e', event_type: 'e', target_message: 't' }, 'u');
    const unrelated = await subs.createSubscription('other-e', { source_agent: 'src-e', event_type: 'e', target_message: 't' }, 'u');
    await subs.createEvent('agent-e', 'e');
    expect(await subs.deleteSubscription(unrelated.id)).toBe(true);
    expect(await subs.deleteSubscription(unrelated.id)).toBe(false);
    expect(await subs.deleteAgentSubscriptions('agent-e')).toBe(2);
    expect(await subs.getSubscription(own.id)).toBeNull();
    expect(await subs.listEvents('agent-e')).toHaveLength(1);
  });

  it('finds only enabled, exactly matching subscriptions', async () => {
    const { subs } = setup();
    const match = await subs.createSubscription('sub-f1', { source_agent: 'src-f', event_type: 'prediction.resolved', target_message: 't' }, 'u');
    await subs.createSubscription('sub-f2', { source_agent: 'src-f', event_type: 'prediction.resolved', target_message: 't', enabled: false }, 'u');
    await subs.createSubscription('sub-f3', { source_agent: 'src-f', event_type: 'Prediction.Resolved', target_message: 't' }, 'u');
    await subs.createSubscription('sub-f4', { source_agent: 'src-f', event_type: 'prediction', target_message: 't' }, 'u');
    expect((await subs.findMatchingSubscriptions('src-f', 'prediction.resolved')).map((s) => s.id)).toEqual([match.id]);
    expect(await subs.findMatchingSubscriptions('src-f', 'prediction.*')).toEqual([]);
  });

  it('creates events (an empty payload is stored as NULL) and lists the newest first', async () => {
    const { subs, time } = setup('2026-03-06T00:00:00Z');
    const empty = await subs.createEvent('src-g', 'heartbeat', {});
    expect(empty).toEqual({ id: expect.stringMatching(/^evt_[A-Za-z0-9_-]{16}$/), source_agent: 'src-g', event_type: 'heartbeat', payload: {}, subscriptions_triggered: 0, created_at: new Date('2026-03-06T00:00:00Z') });
    time.set('2026-03-06T00:00:01Z');
    const full = await subs.createEvent('src-g', 'done', { title: 'Ré', n: [1, 2] }, 3);
    time.set('2026-03-06T00:00:02Z');
    const third = await subs.createEvent('src-g', 'heartbeat');
    const listed = await subs.listEvents('src-g');
    expect(listed.map((e) => e.id)).toEqual([third.id, full.id, empty.id]);
    expect(listed[2].payload).toBeNull();
    expect(listed[1]).toEqual(full);
    expect((await subs.listEvents('src-g', null, 2)).map((e) => e.id)).toEqual([third.id, full.id]);
    expect((await subs.listEvents('src-g', 'heartbeat')).map((e) => e.id)).toEqual([third.id, empty.id]);
    await expect(subs.createEvent('src-g', 'x', [1] as never)).rejects.toMatchObject({ field: 'payload' });
    // '...:02.5Z' is newer than '...:02Z' although it sorts before it as text.
    time.set('2026-03-06T00:00:02.500Z');
    const later = await subs.createEvent('src-g', 'heartbeat');
    expect((await subs.listEvents('src-g', 'heartbeat', 1)).map((e) => e.id)).toEqual([later.id]);
  });
});

describe('EventSubscriptionRepository on a migrated legacy file', () => {
  it('reads Python-written rows and writes naive+Z timestamps', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const subs = repositoryOn(ds, EventSubscriptionRepository, { clock: () => new Date('2026-05-01T12:00:00Z') });
    expect(await subs.getSubscription('esub_fQNFn6ram-e9Yzfg')).toEqual({
      id: 'esub_fQNFn6ram-e9Yzfg',
      subscriber_agent: 'cornelius',
      source_agent: 'research-bot',
      event_type: 'report.failed',
      target_message: 'Failure: {{payload.error}}',
      enabled: false,
      created_at: new Date('2026-03-21T13:10:32.267Z'),
      updated_at: new Date('2026-03-21T13:10:32.267Z'),
      created_by: 'bob.obrien@example.com',
    });
    const events = await subs.listEvents('research-bot');
    expect(events.map((e) => e.id)).toEqual(['evt_xlDgpNhEUHq3-ai2', 'evt_3xaKP8HAk_s5wDcR']);
    expect(events[0].payload).toBeNull();
    expect(events[1].payload).toMatchObject({ title: expect.stringContaining('研究报告') });
    const s = await subs.createSubscription('ops-agent', { source_agent: 'research-bot', event_type: 'report.failed', target_message: 'x' }, 'alice');
    const e = await subs.createEvent('research-bot', 'report.published', { title: 'é' }, 1);
    await ds.destroy();
    const raw = withDatabase(copy.path, (db) => ({
      sub: db.prepare(`SELECT created_at, updated_at, enabled FROM agent_event_subscriptions WHERE id = ?`).get(s.id),
      evt: db.prepare(`SELECT created_at, payload FROM agent_events WHERE id = ?`).get(e.id),
    }));
    expect(raw.sub).toEqual({ created_at: '2026-05-01T12:00:00Z', updated_at: '2026-05-01T12:00:00Z', enabled: 1 });
    expect(raw.evt).toEqual({ created_at: '2026-05-01T12:00:00Z', payload: '{"title": "\\u00e9"}' });
  });
});
