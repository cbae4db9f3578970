import type { TrinityDataSource } from '../../src/data-source';
import { NotificationRepository } from '../../src/repository/notification.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { raw, type TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('NotificationRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let notes: NotificationRepository;

  beforeAll(async () => {
    ({ ds, time, repository: notes } = await openRepository(driver, NotificationRepository));
  });

  it('creates a pending notification and reads it back', async () => {
    time.set('2026-03-01T10:00:00.123Z');
    const created = await notes.createNotification('cr-a', { notification_type: 'alert', title: 'Disk full', message: 'm', priority: 'high', category: 'health', metadata: { disk: 98 } });
    const expected = {
      id: expect.stringMatching(/^notif_[A-Za-z0-9_-]{16}$/),
      agent_name: 'cr-a',
      notification_type: 'alert',
      title: 'Disk full',
      message: 'm',
      priority: 'high',
      category: 'health',
      metadata: { disk: 98 },
      status: 'pending',
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      acknowledged_at: null,
      acknowledged_by: null,
    };
    expect(created).toEqual(expected);
    expect(await notes.getNotification(created.id)).toEqual(expected);
    expect(await notes.getNotification('notif_missing')).toBeNull();
    const defaults = await notes.createNotification('cr-a', { notification_type: 'info', title: 't' });
    expect(defaults).toMatchObject({ priority: 'normal', message: null, category: null, metadata: null });
  });

  it('cuts the title at 200 code points', async () => {
    const long = await notes.createNotification('title-a', { notification_type: 'info', title: 'x'.repeat(250) });
    expect(long.title).toHaveLength(200);
    expect((await notes.getNotification(long.id))!.title).toBe('x'.repeat(200));
    const emoji = await notes.createNotification('title-a', { notification_type: 'info', title: '🚀'.repeat(201) });
    expect(Array.from(emoji.title)).toHaveLength(200);
    expect((await notes.getNotification(emoji.id))!.title).toBe('🚀'.repeat(200));
  });

  it('returns {} metadata from create but stores it as NULL', async () => {
    const created = await notes.createNotification('meta-a', { notification_type: 'info', title: 't', metadata: {} });
    expect(created.metadata).toEqual({});
    expect((await notes.getNotification(created.id))!.metadata).toBeNull();
  });

  it('reads corrupt metadata text as null without raising', async () => {
    if (driver === 'postgres') {
      // jsonb cannot hold invalid JSON: such a row cannot exist.
      await expect(ds.query(`INSERT INTO agent_notifications (id, agent_name, notification_type, title, metadata, created_at) VALUES ('bad', 'a', 'info', 't', '{bad', now())`)).rejects.toThrow();
      return;
    }
    await ds.query(`INSERT INTO agent_notifications (id, agent_name, notification_type, title, metadata, status, created_at) VALUES ('notif_bad', 'bad-a', 'info', 't', '{bad', 'pending', '2026-03-01T00:00:00Z')`);
    expect(await notes.getNotification('notif_bad')).toMatchObject({ metadata: null, title: 't' });
  });

  it('acknowledges once: a second call keeps the first time and user; a missing id gives null', async () => {
    const n = await notes.createNotification('ack-a', { notification_type: 'question', title: 'q' });
    time.set('2026-03-02T08:00:00Z');
    const first = await notes.acknowledgeNotification(n.id, '2');
    expect(first).toMatchObject({ status: 'acknowledged', acknowledged_at: new Date('2026-03-02T08:00:00Z'), acknowledged_by: '2' });
    time.set('2026-03-02T09:00:00Z');
    expect(await notes.acknowledgeNotification(n.id, '3')).toEqual(first);
    expect(await notes.acknowledgeNotification('notif_missing', '2')).toBeNull();
  });

  it('dismisses from any status, overwriting the acknowledgement fields', async () => {
    time.set('2026-03-03T08:00:00Z');
    const n = await notes.createNotification('dis-a', { notification_type: 'info', title: 'd' });
    await notes.acknowledgeNotification(n.id, '2');
    time.set('2026-03-03T09:00:00.5Z');
    expect(await notes.dismissNotification(n.id, '5')).toMatchObject({ status: 'dismissed', acknowledged_at: new Date('2026-03-03T09:00:00.5Z'), acknowledged_by: '5' });
    // A dismissed notification cannot be acknowledged any more: returned unchanged.
    expect(await notes.acknowledgeNotification(n.id, '2')).toMatchObject({ status: 'dismissed', acknowledged_by: '5' });
    time.set('2026-03-03T10:00:00Z');
    expect(await notes.dismissNotification(n.id, '6')).toMatchObject({ status: 'dismissed', acknowledged_by: '6', acknowledged_at: new Date('2026-03-03T10:00:00Z') });
    expect(await notes.dismissNotification('notif_missing', '5')).toBeNull();
  });

  it('lists with optional filters, newest first, and counts pending ones', async () => {
    const ds2 = await openTestDataSource(driver);
    const repo = repositoryOn(ds2, NotificationRepository, { clock: time.clock });
    const make = async (at: string, agent: string, priority: string, category: string | null) => {
      time.set(at);
      return (await repo.createNotification(agent, { notification_type: 'alert', title: at, priority, category })).id;
    };
    // b (10:00:00.5) is newer than a (10:00:00), although a's naive+Z text '…:00Z' sorts after '…:00.500000Z'.
    const a = await make('2026-03-04T10:00:00Z', 'l-a', 'high', 'health');
    const b = await make('2026-03-04T10:00:00.500Z', 'l-a', 'low', null);
    const c = await make('2026-03-04T10:00:02Z', 'l-b', 'urgent', 'health');
    const d = await make('2026-03-04T10:00:03Z', 'l-b', 'normal', 'cost');
    await repo.acknowledgeNotification(c, '1');
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    expect(ids(await repo.listNotifications())).toEqual([d, c, b, a]);
    expect(ids(await repo.listNotifications({ priority: ['high', 'urgent'] }))).toEqual([c, a]);
    expect(ids(await repo.listNotifications({ priority: [], agentName: '', status: '', category: '' }))).toEqual([d, c, b, a]);
    expect(ids(await repo.listNotifications({ category: 'health', status: null }))).toEqual([c, a]);
    expect(ids(await repo.listNotifications({ category: 'health', status: 'pending' }))).toEqual([a]);
    expect(ids(await repo.listNotifications({ agentName: 'l-b', limit: 1 }))).toEqual([d]);
    expect(ids(await repo.listNotifications({ limit: -1 }))).toHaveLength(4);
    expect(ids(await repo.listAgentNotifications('l-a'))).toEqual([b, a]);
    expect(ids(await repo.listAgentNotifications('l-b', { status: 'acknowledged' }))).toEqual([c]);
    expect(ids(await repo.listAgentNotifications('', { limit: 2 }))).toEqual([d, c]);
    expect(await repo.countPendingNotifications('l-a')).toBe(2);
    expect(await repo.countPendingNotifications('')).toBe(3);
    expect(await repo.countPendingNotifications()).toBe(3);
    expect(await repo.countPendingNotifications('nobody')).toBe(0);
  });

  it('deletes every notification of an agent and returns the count', async () => {
    await notes.createNotification('del-a', { notification_type: 'info', title: '1' });
    await notes.createNotification('del-a', { notification_type: 'info', title: '2' });
    const keep = await notes.createNotification('del-b', { notification_type: 'info', title: '3' });
    expect(await notes.deleteAgentNotifications('del-a')).toBe(2);
    expect(await notes.deleteAgentNotifications('del-a')).toBe(0);
    expect(await notes.getNotification(keep.id)).not.toBeNull();
  });

  it('validates inputs by field before writing', async () => {
    await expect(notes.createNotification('val-a', { notification_type: 'info', title: 5 as unknown as string })).rejects.toMatchObject({ field: 'title' });
    await expect(notes.createNotification('val-a', { notification_type: '', title: 't' })).rejects.toMatchObject({ field: 'notification_type' });
    await expect(notes.createNotification('val-a', { notification_type: 'info', title: 't', metadata: 'x' as unknown as Record<string, unknown> })).rejects.toMatchObject({ field: 'metadata' });
    await expect(notes.createNotification('', { notification_type: 'info', title: 't' })).rejects.toMatchObject({ field: 'agentName' });
    await expect(notes.acknowledgeNotification('x', '')).rejects.toMatchObject({ field: 'acknowledgedBy' });
    expect(await notes.listAgentNotifications('val-a')).toEqual([]);
  });

  it('writes naive+Z timestamps and json.dumps metadata on SQLite', async () => {
    time.set('2026-03-05T07:00:00Z');
    const n = await notes.createNotification('fmt-a', { notification_type: 'info', title: 't', metadata: { name: 'café' } });
    time.set('2026-03-05T07:00:01.250Z');
    await notes.acknowledgeNotification(n.id, '4');
    const [row] = await raw(ds, driver, 'SELECT created_at, acknowledged_at, metadata FROM agent_notifications WHERE id = ?', [n.id]);
    if (driver === 'sqlite') {
      expect(row).toEqual({ created_at: '2026-03-05T07:00:00Z', acknowledged_at: '2026-03-05T07:00:01.250000Z', metadata: '{"name": "caf\\u00e9"}' });
    } else {
      expect(row).toEqual({ created_at: new Date('2026-03-05T07:00:00Z'), acknowledged_at: new Date('2026-03-05T07:00:01.250Z'), metadata: { name: 'café' } });
    }
  });
});

describe('NotificationRepository on a migrated legacy file', () => {
  it('reads Python-written notifications and writes rows in the same naive+Z format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const notes = repositoryOn(ds, NotificationRepository, { clock: () => new Date('2026-05-01T12:00:00Z') });
    expect(await notes.getNotification('notif_3h38bF9i5GsFNf3H')).toEqual({
      id: 'notif_3h38bF9i5GsFNf3H',
      agent_name: 'research-bot',
      notification_type: 'alert',
      title: 'Budget ⚠️ exceeded',
      message: 'Daily budget exceeded by $2.31',
      priority: 'high',
      category: 'cost',
      metadata: { budget: { limit: 25, spent: 27.31 }, agents: ['research-bot'], ok: false },
      status: 'acknowledged',
      created_at: new Date('2026-03-21T11:57:30.854Z'),
      acknowledged_at: new Date('2026-03-21T12:00:31.506Z'),
      acknowledged_by: '2',
    });
    expect((await notes.getNotification('notif_MwFRlhw4C2erAzIr'))!.title).toHaveLength(200);
    expect((await notes.listNotifications()).map((n) => n.id)).toEqual(['notif_MwFRlhw4C2erAzIr', 'notif_cuecR5vA_vD1hheO', 'notif_93nPOCFMN5xhp8h6', 'notif_3h38bF9i5GsFNf3H']);
    expect(await notes.countPendingNotifications()).toBe(2);
    const created = await notes.createNotification('cornelius', { notification_type: 'info', title: 'New', metadata: { k: 'ü' } });
    await notes.acknowledgeNotification('notif_cuecR5vA_vD1hheO', '3');
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) => ({
      created: db.prepare(`SELECT created_at, metadata, status FROM agent_notifications WHERE id = ?`).get(created.id),
      acked: db.prepare(`SELECT acknowledged_at, acknowledged_by FROM agent_notifications WHERE id = 'notif_cuecR5vA_vD1hheO'`).get(),
    }));
    expect(stored.created).toEqual({ created_at: '2026-05-01T12:00:00Z', metadata: '{"k": "\\u00fc"}', status: 'pending' });
    expect(stored.acked).toEqual({ acknowledged_at: '2026-05-01T12:00:00Z', acknowledged_by: '3' });
  });
});
