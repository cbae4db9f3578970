import type { TrinityDataSource } from '../../src/data-source';
import { OperatorQueueRepository } from '../../src/repository/operator-queue.repository';
import type { OperatorQueueItemInput } from '../../src/model/operator-queue.model';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const item = (id: string, extra: Partial<OperatorQueueItemInput> = {}): OperatorQueueItemInput => ({
  id,
  title: `Title ${id}`,
  question: `Question ${id}?`,
  created_at: '2026-03-10T10:00:00.000000Z',
  ...extra,
});

describe.each(DRIVERS)('OperatorQueueRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });
  function setup(start = '2026-03-10T12:00:00Z', own?: TrinityDataSource) {
    const time = testClock(start);
    return { time, queue: repositoryOn(own ?? ds, OperatorQueueRepository, { clock: time.clock }) };
  }

  it('creates an item with defaults and reads all 18 fields back', async () => {
    const { queue } = setup();
    expect(
      await queue.createItem('oq-a', item('oq-a-1', { options: ['approve', 'reject'], context: { execution_id: 'e1', n: { x: 1 } }, expires_at: '2026-03-11T10:00:00Z', extra: 'ignored' })),
    ).toBe('oq-a-1');
    expect(await queue.getItem('oq-a-1')).toEqual({
      id: 'oq-a-1',
      agent_name: 'oq-a',
      type: 'question',
      status: 'pending',
      priority: 'medium',
      title: 'Title oq-a-1',
      question: 'Question oq-a-1?',
      options: ['approve', 'reject'],
      context: { execution_id: 'e1', n: { x: 1 } },
      execution_id: 'e1',
      created_at: new Date('2026-03-10T10:00:00Z'),
      expires_at: new Date('2026-03-11T10:00:00Z'),
      response: null,
      response_text: null,
      responded_by_id: null,
      responded_by_email: null,
      responded_at: null,
      acknowledged_at: null,
    });
    expect(await queue.itemExists('oq-a-1')).toBe(true);
    expect(await queue.itemExists('oq-a-404')).toBe(false);
    expect(await queue.getItem('oq-a-404')).toBeNull();
  });

  it('ignores a second create with the same id, and items with a null in a required column', async () => {
    const { queue } = setup();
    await queue.createItem('oq-b', item('oq-b-1'));
    expect(await queue.createItem('oq-b', item('oq-b-1', { title: 'changed', priority: 'critical' }))).toBe('oq-b-1');
    expect(await queue.getItem('oq-b-1')).toMatchObject({ title: 'Title oq-b-1', priority: 'medium' });
    expect(await queue.createItem('oq-b', item('oq-b-2', { type: null }))).toBe('oq-b-2');
    expect(await queue.getItem('oq-b-2')).toBeNull();
    expect(await queue.createItem('oq-b', item('oq-b-3', { title: null }))).toBe('oq-b-3');
    expect(await queue.itemExists('oq-b-3')).toBe(false);
  });

  it('stores falsy options/context as NULL', async () => {
    const { queue } = setup();
    await queue.createItem('oq-c', item('oq-c-1', { options: [], context: {} }));
    expect(await queue.getItem('oq-c-1')).toMatchObject({ options: null, context: null, execution_id: null });
  });

  it('rejects missing keys and malformed values before writing', async () => {
    const { queue } = setup();
    const { title: _t, ...noTitle } = item('oq-d-1');
    await expect(queue.createItem('oq-d', noTitle as OperatorQueueItemInput)).rejects.toMatchObject({ name: 'InputValidationError', field: 'item.title' });
    const { id: _i, ...noId } = item('oq-d-2');
    await expect(queue.createItem('oq-d', noId as OperatorQueueItemInput)).rejects.toMatchObject({ field: 'item.id' });
    await expect(queue.createItem('oq-d', item('oq-d-3', { created_at: 'yesterday' }))).rejects.toMatchObject({ field: 'item.created_at' });
    await expect(queue.createItem('oq-d', item('oq-d-4', { context: ['x'] as never }))).rejects.toMatchObject({ field: 'item.context' });
    await expect(queue.createItem('oq-d', item('oq-d-5', { title: 5 as never }))).rejects.toMatchObject({ field: 'item.title' });
    expect(await queue.listItems({ agentName: 'oq-d' })).toEqual([]);
  });

  it('lists pending first, then by priority rank, then newest first, with truthy filters and paging', async () => {
    const { queue } = setup();
    const add = (id: string, priority: string, created: string, extra: Partial<OperatorQueueItemInput> = {}) =>
      queue.createItem('oq-e', item(id, { priority, created_at: created, ...extra }));
    await add('low', 'low', '2026-03-10T10:00:00Z');
    await add('crit-done', 'critical', '2026-03-10T10:00:00Z');
    await queue.respondToItem('crit-done', 'ok', null, '1', 'a@x');
    await add('odd', 'urgent', '2026-03-10T10:00:00Z');
    await add('high', 'high', '2026-03-10T10:00:00Z');
    await add('crit', 'critical', '2026-03-10T10:00:00Z');
    await add('med-old', 'medium', '2026-03-10T09:00:00Z');
    // +02:00 offset: 10:30 UTC, newer than 10:00Z although its text sorts before it.
    await add('med-new', 'medium', '2026-03-10T12:30:00+02:00');
    const ids = async (opts = {}) => (await queue.listItems({ agentName: 'oq-e', ...opts })).map((i) => i.id);
    expect(await ids()).toEqual(['crit', 'high', 'med-new', 'med-old', 'low', 'odd', 'crit-done']);
    expect(await ids({ status: 'pending', priority: 'medium' })).toEqual(['med-new', 'med-old']);
    expect(await ids({ status: '', type: null })).toHaveLength(7);
    expect(await ids({ limit: 2, offset: 1 })).toEqual(['high', 'med-new']);
    // A negative limit means no limit (SQLite's LIMIT -1), also with an offset.
    expect(await ids({ limit: -1, offset: 1 })).toEqual(['high', 'med-new', 'med-old', 'low', 'odd', 'crit-done']);
    expect(await ids({ since: '2026-03-10T10:15:00Z' })).toEqual(['med-new']);
    expect(await ids({ since: new Date('2026-03-10T10:00:00Z') })).toEqual(['crit', 'high', 'med-new', 'low', 'odd', 'crit-done']);
    await expect(queue.listItems({ since: 'soon' })).rejects.toMatchObject({ field: 'since' });
  });

  it('responds once, cancels only pending items and acknowledges only responded ones', async () => {
    const { queue, time } = setup('2026-03-10T12:00:00.123Z');
    await queue.createItem('oq-f', item('oq-f-1'));
    await queue.createItem('oq-f', item('oq-f-2'));
    const answered = await queue.respondToItem('oq-f-1', 'approve', 'fine', '7', 'op@x.com');
    expect(answered).toMatchObject({ status: 'responded', response: 'approve', response_text: 'fine', responded_by_id: '7', responded_by_email: 'op@x.com', responded_at: new Date('2026-03-10T12:00:00.123Z') });
    time.set('2026-03-10T13:00:00Z');
    expect(await queue.respondToItem('oq-f-1', 'reject', null, '8', 'other@x.com')).toEqual(answered);
    expect(await queue.respondToItem('oq-f-404', 'x', null, '1', 'e')).toBeNull();
    expect(await queue.cancelItem('oq-f-1')).toEqual(answered);
    expect(await queue.cancelItem('oq-f-404')).toBeNull();
    expect((await queue.cancelItem('oq-f-2'))?.status).toBe('cancelled');
    expect(await queue.getRespondedItemsForAgent('oq-f')).toEqual([answered]);
    expect(await queue.markAcknowledged('oq-f-2')).toBe(false);
    expect(await queue.markAcknowledged('oq-f-1')).toBe(true);
    expect(await queue.markAcknowledged('oq-f-1')).toBe(false);
    expect(await queue.getItem('oq-f-1')).toMatchObject({ status: 'acknowledged', acknowledged_at: new Date('2026-03-10T13:00:00Z') });
    expect(await queue.getRespondedItemsForAgent('oq-f')).toEqual([]);
    await queue.createItem('oq-f', item('oq-f-3'));
    expect(await queue.markAcknowledged('oq-f-3')).toBe(false); // pending, not responded
  });

  it('expires pending items whose expiry has passed, whatever the agent time format', async () => {
    const own = await openTestDataSource(driver);
    const { queue } = setup('2026-03-10T12:00:00Z', own);
    await queue.createItem('oq-g', item('past-z', { expires_at: '2026-03-10T11:59:59Z' }));
    await queue.createItem('oq-g', item('past-offset', { expires_at: '2026-03-10T13:30:00+02:00' })); // 11:30 UTC
    await queue.createItem('oq-g', item('future-offset', { expires_at: '2026-03-10T11:30:00-02:00' })); // 13:30 UTC
    await queue.createItem('oq-g', item('now', { expires_at: '2026-03-10T12:00:00Z' })); // not strictly before
    await queue.createItem('oq-g', item('never'));
    await queue.createItem('oq-g', item('answered', { expires_at: '2026-03-01T00:00:00Z', status: 'responded' }));
    expect(await queue.markExpired()).toBe(2);
    const statuses = Object.fromEntries((await queue.listItems()).map((i) => [i.id, i.status]));
    expect(statuses).toEqual({ 'past-z': 'expired', 'past-offset': 'expired', 'future-offset': 'pending', now: 'pending', never: 'pending', answered: 'responded' });
    expect((await queue.getPendingItemIds()).sort()).toEqual(['future-offset', 'never', 'now']);
  });

  it('computes stats: counts, mean response time, responses since UTC midnight', async () => {
    const own = await openTestDataSource(driver);
    const { queue, time } = setup('2026-03-10T00:00:10Z', own);
    expect(await queue.getStats()).toEqual({ by_status: {}, by_type: {}, by_priority: {}, by_agent: {}, pending_count: 0, avg_response_seconds: null, responded_today: 0 });
    await queue.createItem('oq-h1', item('h1', { created_at: '2026-03-10T00:00:00Z', type: 'approval', priority: 'high' }));
    await queue.createItem('oq-h1', item('h2', { created_at: '2026-03-09T23:59:40Z' }));
    await queue.createItem('oq-h2', item('h3', { created_at: '2026-03-09T23:00:00Z' }));
    await queue.createItem('oq-h2', item('h4', { created_at: '2026-03-09T23:00:00Z', status: 'cancelled' }));
    await queue.respondToItem('h1', 'ok', null, '1', 'e'); // 10 s
    await queue.respondToItem('h2', 'ok', null, '1', 'e'); // 30 s: mean 20 s
    const stats = await queue.getStats();
    expect(stats).toEqual({
      by_status: { responded: 2, pending: 1, cancelled: 1 },
      by_type: { question: 1 },
      by_priority: { medium: 1 },
      by_agent: { 'oq-h2': 1 },
      pending_count: 1,
      avg_response_seconds: 20,
      responded_today: 2,
    });
    time.set('2026-03-11T00:00:00Z');
    expect((await queue.getStats()).responded_today).toBe(0);
    // Responses equal to creation time average to 0 -> null, as Python's `if avg`.
    const zero = await openTestDataSource(driver);
    const q0 = repositoryOn(zero, OperatorQueueRepository, { clock: () => new Date('2026-03-10T00:00:00Z') });
    await q0.createItem('oq-h3', item('z', { created_at: '2026-03-10T00:00:00Z' }));
    await q0.respondToItem('z', 'ok', null, '1', 'e');
    expect((await q0.getStats()).avg_response_seconds).toBeNull();
  });
});

describe('OperatorQueueRepository on a migrated legacy file', () => {
  it('reads Python-written items and writes Z6 response times', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const queue = repositoryOn(ds, OperatorQueueRepository, { clock: () => new Date('2026-03-21T14:00:00Z') });
    expect(await queue.getItem('req-20260201-0001')).toMatchObject({
      status: 'acknowledged',
      priority: 'high',
      options: ['approve', 'reject'],
      context: { execution_id: '3T1bZE9-66pfD80I1uUPfw', diff_stats: { files: 12, added: 340 }, links: ['https://github.com/abilityai/ops/pull/42'] },
      execution_id: '3T1bZE9-66pfD80I1uUPfw',
      response_text: 'Looks good 👍',
      responded_by_id: '2',
      created_at: new Date('2026-03-21T12:40:32.262Z'),
      responded_at: new Date('2026-03-21T13:10:32.263Z'),
    });
    expect(await queue.getItem('req-20260201-0002')).toMatchObject({ status: 'pending', expires_at: new Date('2026-03-22T13:10:32Z'), options: null, context: null });
    const stats = await queue.getStats();
    expect(stats).toMatchObject({ by_status: { acknowledged: 1, pending: 1, cancelled: 1 }, pending_count: 1, responded_today: 1 });
    expect(stats.avg_response_seconds).toBe(1800); // 12:40:32.262096 -> 13:10:32.263927
    expect(await queue.markExpired()).toBe(0);
    await queue.createItem('ops-agent', item('req-new', { options: ['ja', 'née'], context: { execution_id: 'x' } }));
    const responded = await queue.respondToItem('req-20260201-0002', 'eu-west', null, '2', 'alice@example.com');
    expect(responded?.status).toBe('responded');
    await ds.destroy();
    const raw = withDatabase(copy.path, (db) => ({
      created: db.prepare(`SELECT created_at, options, context FROM operator_queue WHERE id = 'req-new'`).get(),
      responded: db.prepare(`SELECT responded_at FROM operator_queue WHERE id = 'req-20260201-0002'`).get(),
    }));
    expect(raw.created).toEqual({ created_at: '2026-03-10T10:00:00.000000Z', options: '["ja", "n\\u00e9e"]', context: '{"execution_id": "x"}' });
    expect(raw.responded).toEqual({ responded_at: '2026-03-21T14:00:00.000000Z' });
  });
});
