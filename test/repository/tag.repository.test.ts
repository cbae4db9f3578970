import { InputValidationError } from '../../src/errors';
import type { TrinityDataSource } from '../../src/data-source';
import { TagRepository, normalizeTag, normalizedTagSet } from '../../src/repository/tag.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { failWrites, raw, type TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe('tag normalisation (Python lower().strip())', () => {
  it('strips Python whitespace, not JS trim() whitespace', () => {
    expect(normalizeTag('\x1c Prod \x85')).toBe('prod');
    // U+FEFF is not whitespace for Python's str.strip().
    expect(normalizeTag('\ufeffx')).toBe('\ufeffx');
    expect(normalizedTagSet(['  Prod ', 'prod', '', '  ', 'Alpha'])).toEqual(['alpha', 'prod']);
    // Code-point order: an astral character sorts after U+FFxx (UTF-16 order would put it first).
    expect(normalizedTagSet(['\uff21', '😀'])).toEqual(['\uff41', '😀']);
  });
});

describe.each(DRIVERS)('TagRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let tags: TagRepository;

  beforeAll(async () => {
    ({ ds, time, repository: tags } = await openRepository(driver, TagRepository));
  });

  async function createdAt(agent: string, tag: string): Promise<Date | null> {
    const rows = await raw(ds, driver, 'SELECT created_at FROM agent_tags WHERE agent_name = ? AND tag = ?', [agent, tag]);
    if (!rows.length) return null;
    return new Date(rows[0].created_at as string);
  }

  it('sets a normalised, deduplicated, sorted tag list and replaces the previous one', async () => {
    time.set('2026-03-01T10:00:00.123Z');
    expect(await tags.setAgentTags('set-a', ['  Prod ', 'prod', '', '  ', 'Alpha'])).toEqual(['alpha', 'prod']);
    expect(await tags.getAgentTags('set-a')).toEqual(['alpha', 'prod']);
    time.set('2026-03-02T00:00:00Z');
    expect(await tags.setAgentTags('set-a', ['prod', 'Zeta'])).toEqual(['prod', 'zeta']);
    expect(await tags.getAgentTags('set-a')).toEqual(['prod', 'zeta']);
    // Tags the agent already had get the new created_at.
    expect(await createdAt('set-a', 'prod')).toEqual(new Date('2026-03-02T00:00:00Z'));
    expect(await tags.setAgentTags('set-a', [])).toEqual([]);
    expect(await tags.getAgentTags('set-a')).toEqual([]);
  });

  it('reads tags in code-point order (upper case first, not the database locale)', async () => {
    await tags.addTag('order-a', 'b');
    // Stored un-normalised, as rows from before normalisation could be.
    await ds.query(`INSERT INTO agent_tags (agent_name, tag) VALUES ('order-a', 'B'), ('order-a', 'a')`);
    expect(await tags.getAgentTags('order-a')).toEqual(['B', 'a', 'b']);
  });

  it('adds a tag once, keeps the first created_at, and ignores a blank tag', async () => {
    time.set('2026-03-03T08:00:00Z');
    expect(await tags.addTag('add-a', 'X')).toEqual(['x']);
    time.set('2026-03-04T08:00:00Z');
    expect(await tags.addTag('add-a', ' x ')).toEqual(['x']);
    expect(await createdAt('add-a', 'x')).toEqual(new Date('2026-03-03T08:00:00Z'));
    expect(await tags.addTag('add-a', '   ')).toEqual(['x']);
    expect(await tags.addTag('add-b', '   ')).toEqual([]);
    expect(await tags.getAgentTags('add-b')).toEqual([]);
  });

  it('removes a normalised tag; removing a missing tag returns the current list', async () => {
    await tags.setAgentTags('rm-a', ['prod', 'dev']);
    expect(await tags.removeTag('rm-a', ' PROD ')).toEqual(['dev']);
    expect(await tags.removeTag('rm-a', 'nope')).toEqual(['dev']);
  });

  it('lists every tag with its agent count, most used first, ties alphabetically', async () => {
    const ds2 = await openTestDataSource(driver);
    const fresh = repositoryOn(ds2, TagRepository, { clock: time.clock });
    await fresh.setAgentTags('a1', ['zz', 'mid', 'top']);
    await fresh.setAgentTags('a2', ['top', 'mid', 'aa']);
    await fresh.setAgentTags('a3', ['top']);
    expect(await fresh.listAllTags()).toEqual([
      { tag: 'top', count: 3 },
      { tag: 'mid', count: 2 },
      { tag: 'aa', count: 1 },
      { tag: 'zz', count: 1 },
    ]);
  });

  it('finds agents by one tag (normalised) and by any of several tags', async () => {
    await tags.setAgentTags('by-y', ['t-one', 't-two']);
    await tags.setAgentTags('by-x', ['t-one']);
    await tags.setAgentTags('by-z', ['t-two']);
    expect(await tags.getAgentsByTag(' T-ONE ')).toEqual(['by-x', 'by-y']);
    expect(await tags.getAgentsByTag('missing')).toEqual([]);
    expect(await tags.getAgentsByTags(['T-one', 't-two', 't-two'])).toEqual(['by-x', 'by-y', 'by-z']);
    expect(await tags.getAgentsByTags(['', ' '])).toEqual([]);
    expect(await tags.getAgentsByTags([])).toEqual([]);
    expect(await tags.getAgentsByTags(null)).toEqual([]);
  });

  it('deletes every tag of an agent and no other agent', async () => {
    await tags.setAgentTags('del-a', ['one', 'two']);
    await tags.setAgentTags('del-b', ['one']);
    await tags.deleteAgentTags('del-a');
    expect(await tags.getAgentTags('del-a')).toEqual([]);
    expect(await tags.getAgentTags('del-b')).toEqual(['one']);
  });

  it('maps every requested agent to its tags, [] when it has none, matching names exactly', async () => {
    await tags.setAgentTags('map-x', ['b', 'a']);
    expect(await tags.getTagsForAgents(['map-x', 'map-y', 'map-x', 'MAP-X'])).toEqual({ 'map-x': ['a', 'b'], 'map-y': [], 'MAP-X': [] });
    expect(Object.keys(await tags.getTagsForAgents(['map-y', 'map-x']))).toEqual(['map-y', 'map-x']);
    expect(await tags.getTagsForAgents([])).toEqual({});
  });

  it('handles more names and tags than one IN chunk', async () => {
    const names = Array.from({ length: 1200 }, (_, i) => `bulk-${i}`);
    await tags.setAgentTags('bulk-7', ['bulk']);
    const map = await tags.getTagsForAgents(names);
    expect(Object.keys(map)).toHaveLength(1200);
    expect(map['bulk-7']).toEqual(['bulk']);
    expect(await tags.getAgentsByTags([...Array.from({ length: 700 }, (_, i) => `nope-${i}`), 'bulk'])).toEqual(['bulk-7']);
  });

  it('validates write arguments before writing', async () => {
    await expect(tags.setAgentTags('', ['x'])).rejects.toMatchObject({ field: 'agentName' });
    await expect(tags.setAgentTags('val-a', ['x', 5 as unknown as string])).rejects.toMatchObject({ field: 'tags[1]' });
    await expect(tags.setAgentTags('val-a', 'x' as unknown as string[])).rejects.toBeInstanceOf(InputValidationError);
    await expect(tags.addTag('val-a', null as unknown as string)).rejects.toMatchObject({ field: 'tag' });
    expect(await tags.getAgentTags('val-a')).toEqual([]);
  });

  it('leaves the old tags in place when the replacing write fails', async () => {
    await tags.setAgentTags('tx-a', ['keep']);
    // The DELETE runs, then the INSERT fails on one row: the whole write must roll back.
    await failWrites(ds, driver, 'INSERT', 'agent_tags', { when: { column: 'tag', value: 'tx-boom' } });
    await expect(tags.setAgentTags('tx-a', ['new1', 'tx-boom'])).rejects.toThrow(/forced failure/);
    expect(await tags.getAgentTags('tx-a')).toEqual(['keep']);
  });

  it('writes created_at in the legacy naive+Z shape', async () => {
    time.set('2026-03-05T01:02:03Z');
    await tags.addTag('fmt-a', 'whole');
    time.set('2026-03-05T01:02:03.450Z');
    await tags.addTag('fmt-a', 'frac');
    expect(await createdAt('fmt-a', 'frac')).toEqual(new Date('2026-03-05T01:02:03.450Z'));
    if (driver !== 'sqlite') return;
    const rows: { tag: string; created_at: string }[] = await ds.query(`SELECT tag, created_at FROM agent_tags WHERE agent_name = 'fmt-a' ORDER BY tag`);
    expect(rows).toEqual([
      { tag: 'frac', created_at: '2026-03-05T01:02:03.450000Z' },
      { tag: 'whole', created_at: '2026-03-05T01:02:03Z' },
    ]);
  });
});

describe('TagRepository on a migrated legacy file', () => {
  it('reads Python-written tags and writes rows in the same naive+Z format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const tags = repositoryOn(ds, TagRepository, { clock: () => new Date('2026-05-01T12:00:00Z') });
    expect(await tags.getAgentTags('research-bot')).toEqual(['nlp', 'prod', 'research', 'データ']);
    expect(await tags.getAgentsByTag('prod')).toEqual(['ops-agent', 'research-bot']);
    expect((await tags.listAllTags())[0]).toEqual({ tag: 'prod', count: 2 });
    await tags.addTag('cornelius', 'New');
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) => db.prepare(`SELECT tag, created_at FROM agent_tags WHERE agent_name = 'cornelius' ORDER BY tag`).all() as { tag: string; created_at: string }[]);
    expect(stored[0]).toEqual({ tag: 'knowledge-base', created_at: '2026-03-18T11:05:07.307823Z' });
    expect(stored[1]).toEqual({ tag: 'new', created_at: '2026-05-01T12:00:00Z' });
  });
});
