import type { TrinityDataSource } from '../../src/data-source';
import { InputValidationError } from '../../src/errors';
import { SystemViewRepository } from '../../src/repository/system-view.repository';
import { TagRepository } from '../../src/repository/tag.repository';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { raw, type TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('SystemViewRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let views: SystemViewRepository;
  let tags: TagRepository;
  let users: UserRepository;

  beforeAll(async () => {
    ({ ds, time, repository: views } = await openRepository(driver, SystemViewRepository));
    tags = repositoryOn(ds, TagRepository, { clock: time.clock });
    users = repositoryOn(ds, UserRepository, { clock: time.clock });
  });

  async function rawRow(id: string): Promise<Record<string, unknown>> {
    const rows = await raw(ds, driver, 'SELECT * FROM system_views WHERE id = ?', [id]);
    return rows[0];
  }

  it('creates a view with stripped name, NULL empty description, normalised tags, and reads it back', async () => {
    time.set('2026-03-01T10:00:00.123Z');
    const owner = await users.createUser({ username: 'sv-owner', email: 'owner@x.com' });
    const view = await views.createView(String(owner.id), { name: '  Ops  ', description: '', filter_tags: ['B', ' a', 'b', ''], icon: '🔬', color: '#8B5CF6' });
    expect(view).toEqual({
      id: expect.stringMatching(/^sv_[A-Za-z0-9_-]{16}$/),
      name: 'Ops',
      description: null,
      icon: '🔬',
      color: '#8B5CF6',
      filter_tags: ['a', 'b'],
      owner_id: String(owner.id),
      owner_email: 'owner@x.com',
      is_shared: false,
      agent_count: 0,
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      updated_at: new Date('2026-03-01T10:00:00.123Z'),
    });
    expect(await views.getView(view!.id)).toEqual(view);
    expect(await views.getView('sv_missing')).toBeNull();
    // A blank description is stripped to '' (not NULL), as in Python.
    const blank = await views.createView('999', { name: 'Blank', description: '   ', filter_tags: [] });
    expect(blank).toMatchObject({ description: '', filter_tags: [], owner_email: null });
  });

  it('counts distinct agents carrying any of the filter tags', async () => {
    await tags.setAgentTags('cnt-x', ['cnt-a', 'cnt-b']);
    await tags.setAgentTags('cnt-y', ['cnt-a']);
    await tags.setAgentTags('cnt-z', ['other']);
    const view = await views.createView('1', { name: 'Count', filter_tags: ['cnt-a', 'cnt-b'] });
    expect(view!.agent_count).toBe(2);
    const only = await views.createView('1', { name: 'Count b', filter_tags: ['CNT-B'] });
    expect(only!.agent_count).toBe(1);
  });

  it('updates only given fields, clears the description with "", and bumps updated_at', async () => {
    time.set('2026-03-02T00:00:00Z');
    const view = (await views.createView('5', { name: 'Upd', description: 'desc', icon: 'i', color: 'c', filter_tags: ['x'] }))!;
    time.set('2026-03-03T00:00:00Z');
    expect(await views.updateView(view.id, {})).toEqual(view);
    expect(await views.updateView(view.id, { name: null, icon: null })).toEqual(view);
    const updated = await views.updateView(view.id, { description: '', icon: '', name: ' New ', filter_tags: [], is_shared: true });
    expect(updated).toEqual({
      ...view,
      name: 'New',
      description: null,
      icon: '',
      filter_tags: [],
      is_shared: true,
      agent_count: 0,
      updated_at: new Date('2026-03-03T00:00:00Z'),
    });
    expect(await views.updateView(view.id, { is_shared: false })).toMatchObject({ is_shared: false, color: 'c' });
    expect(await views.updateView('sv_missing', { name: 'x' })).toBeNull();
    expect(await views.updateView('sv_missing', {})).toBeNull();
  });

  it('stores filter_tags as Python json.dumps text (SQLite) and JSON (PostgreSQL)', async () => {
    const view = (await views.createView('5', { name: 'Json', filter_tags: ['データ', 'b'] }))!;
    const row = await rawRow(view.id);
    if (driver === 'sqlite') {
      expect(row.filter_tags).toBe('["b", "\\u30c7\\u30fc\\u30bf"]');
      expect(row.is_shared).toBe(0);
    } else {
      expect(row.filter_tags).toEqual(['b', 'データ']);
      expect(row.is_shared).toBe(false);
    }
  });

  it('lists own and shared views by name (code-point order); admins list all', async () => {
    const ds2 = await openTestDataSource(driver);
    const repo = repositoryOn(ds2, SystemViewRepository, { clock: time.clock });
    await repo.createView('2', { name: 'b mine', filter_tags: [] });
    await repo.createView('3', { name: 'a shared', filter_tags: [], is_shared: true });
    await repo.createView('3', { name: 'Z private', filter_tags: [] });
    await repo.createView('2', { name: 'B mine', filter_tags: [] });
    expect((await repo.listUserViews('2')).map((v) => v.name)).toEqual(['B mine', 'a shared', 'b mine']);
    expect((await repo.listUserViews('3')).map((v) => v.name)).toEqual(['Z private', 'a shared']);
    expect((await repo.listAllViews()).map((v) => v.name)).toEqual(['B mine', 'Z private', 'a shared', 'b mine']);
  });

  it('keeps a view whose owner was deleted, with owner_email null', async () => {
    const user = await users.createUser({ username: 'sv-gone', email: 'gone@x.com' });
    const view = (await views.createView(String(user.id), { name: 'Orphan', filter_tags: [] }))!;
    expect(view.owner_email).toBe('gone@x.com');
    await raw(ds, driver, 'DELETE FROM users WHERE id = ?', [user.id]);
    expect(await views.getView(view.id)).toMatchObject({ owner_id: String(user.id), owner_email: null });
  });

  it('deletes a view and reports whether it existed', async () => {
    const view = (await views.createView('5', { name: 'Del', filter_tags: [] }))!;
    expect(await views.deleteView(view.id)).toBe(true);
    expect(await views.deleteView(view.id)).toBe(false);
    expect(await views.getView(view.id)).toBeNull();
  });

  it('checks owners and visibility as the legacy layer does', async () => {
    const shared = (await views.createView('20', { name: 'Shared', filter_tags: [], is_shared: true }))!;
    const priv = (await views.createView('20', { name: 'Private', filter_tags: [] }))!;
    expect(await views.getViewOwner(shared.id)).toBe('20');
    expect(await views.getViewOwner('sv_missing')).toBeNull();
    expect(await views.canUserEditView('1', 'sv_missing', true)).toBe(true);
    expect(await views.canUserEditView('20', priv.id)).toBe(true);
    expect(await views.canUserEditView('21', shared.id)).toBe(false);
    expect(await views.canUserEditView('21', 'sv_missing')).toBe(false);
    expect(await views.canUserView('21', shared.id)).toBe(true);
    expect(await views.canUserView('21', priv.id)).toBe(false);
    expect(await views.canUserView('20', priv.id)).toBe(true);
    expect(await views.canUserView('20', 'sv_missing')).toBe(false);
  });

  it('validates inputs by field before writing', async () => {
    await expect(views.createView('5', { name: 'Bad', filter_tags: 'x' as unknown as string[] })).rejects.toMatchObject({ field: 'filter_tags' });
    await expect(views.createView('5', { name: 3 as unknown as string, filter_tags: [] })).rejects.toMatchObject({ field: 'name' });
    await expect(views.createView('', { name: 'Bad', filter_tags: [] })).rejects.toMatchObject({ field: 'ownerId' });
    const view = (await views.createView('5', { name: 'Valid', filter_tags: [] }))!;
    await expect(views.updateView(view.id, { is_shared: 'yes' as unknown as boolean })).rejects.toBeInstanceOf(InputValidationError);
    expect((await views.listAllViews()).some((v) => v.name === 'Bad')).toBe(false);
  });
});

describe('SystemViewRepository on a migrated legacy file', () => {
  it('reads Python-written views and writes rows in the same formats', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const views = repositoryOn(ds, SystemViewRepository, { clock: () => new Date('2026-05-01T12:00:00Z') });
    const research = await views.getView('sv_SbbIHnVLIYc6vfzC');
    expect(research).toEqual({
      id: 'sv_SbbIHnVLIYc6vfzC',
      name: 'Research fleet 🔬',
      description: null,
      icon: '🔬',
      color: '#8B5CF6',
      filter_tags: ['prod', 'research'],
      owner_id: '2',
      owner_email: 'alice@example.com',
      is_shared: true,
      // prod: research-bot, ops-agent; research: research-bot.
      agent_count: 2,
      created_at: new Date('2026-03-21T12:00:31.509Z'),
      updated_at: new Date('2026-03-21T12:00:31.509Z'),
    });
    const bobs = await views.getView('sv_UvDYeYW1MFjUn3AU');
    expect(bobs).toMatchObject({ name: "Bob's \\ view", filter_tags: ['knowledge-base', 'データ'], owner_email: 'bob.obrien@example.com', agent_count: 2 });
    expect((await views.listUserViews('3')).map((v) => v.id)).toEqual(['sv_UvDYeYW1MFjUn3AU', 'sv_SbbIHnVLIYc6vfzC']);
    const created = (await views.createView('2', { name: 'Mine', filter_tags: ['データ', 'ops'], is_shared: true }))!;
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) => db.prepare(`SELECT filter_tags, is_shared, created_at, updated_at FROM system_views WHERE id = ?`).get(created.id));
    expect(stored).toEqual({ filter_tags: '["ops", "\\u30c7\\u30fc\\u30bf"]', is_shared: 1, created_at: '2026-05-01T12:00:00Z', updated_at: '2026-05-01T12:00:00Z' });
  });
});
