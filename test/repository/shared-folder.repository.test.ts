import type { TrinityDataSource } from '../../src/data-source';
import { PermissionRepository } from '../../src/repository/permission.repository';
import { SharedFolderRepository } from '../../src/repository/shared-folder.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { linguisticOnPostgres, type TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe('SharedFolderRepository static helpers', () => {
  it('build the volume name and mount path', () => {
    expect(SharedFolderRepository.getSharedVolumeName('my-research-bot')).toBe('agent-my-research-bot-shared');
    expect(SharedFolderRepository.getSharedMountPath('my-research-bot')).toBe('/home/developer/shared-in/my-research-bot');
  });
});

describe.each(DRIVERS)('SharedFolderRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let folders: SharedFolderRepository;
  let perms: PermissionRepository;

  beforeAll(async () => {
    ({ ds, time, repository: folders } = await openRepository(driver, SharedFolderRepository));
    perms = repositoryOn(ds, PermissionRepository, { clock: time.clock });
  });

  it('upserts with keep-unspecified semantics and keeps created_at', async () => {
    time.set('2026-03-01T10:00:00.123Z');
    expect(await folders.upsertSharedFolderConfig('s1-a', true)).toEqual({
      agent_name: 's1-a',
      expose_enabled: true,
      consume_enabled: false,
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      updated_at: new Date('2026-03-01T10:00:00.123Z'),
    });
    time.set('2026-03-02T00:00:00Z');
    const updated = await folders.upsertSharedFolderConfig('s1-a', null, true);
    expect(updated).toEqual({
      agent_name: 's1-a',
      expose_enabled: true,
      consume_enabled: true,
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      updated_at: new Date('2026-03-02T00:00:00Z'),
    });
    expect(await folders.getSharedFolderConfig('s1-a')).toEqual(updated);
    time.set('2026-03-02T01:00:00Z');
    expect(await folders.upsertSharedFolderConfig('s1-a', false)).toMatchObject({ expose_enabled: false, consume_enabled: true });
  });

  it('an upsert without flags only bumps updated_at, or creates the row with both flags off', async () => {
    time.set('2026-03-01T00:00:00Z');
    await folders.upsertSharedFolderConfig('s2-a', true, true);
    time.set('2026-03-05T00:00:00Z');
    expect(await folders.upsertSharedFolderConfig('s2-a')).toEqual({
      agent_name: 's2-a',
      expose_enabled: true,
      consume_enabled: true,
      created_at: new Date('2026-03-01T00:00:00Z'),
      updated_at: new Date('2026-03-05T00:00:00Z'),
    });
    expect(await folders.upsertSharedFolderConfig('s2-new')).toMatchObject({ expose_enabled: false, consume_enabled: false, created_at: new Date('2026-03-05T00:00:00Z') });
    await expect(folders.upsertSharedFolderConfig('s2-bad', 1 as unknown as boolean)).rejects.toMatchObject({ name: 'InputValidationError', field: 'exposeEnabled' });
    expect(await folders.getSharedFolderConfig('s2-bad')).toBeNull();
  });

  it('reads null for a missing row; delete reports whether a row went', async () => {
    expect(await folders.getSharedFolderConfig('s3-none')).toBeNull();
    expect(await folders.deleteSharedFolderConfig('s3-none')).toBe(false);
    await folders.upsertSharedFolderConfig('s3-a', true);
    expect(await folders.deleteSharedFolderConfig('s3-a')).toBe(true);
    expect(await folders.getSharedFolderConfig('s3-a')).toBeNull();
  });

  describe('discovery (a database of its own)', () => {
    let f: SharedFolderRepository;
    let p: PermissionRepository;

    beforeAll(async () => {
      const own = await openTestDataSource(driver);
      f = repositoryOn(own, SharedFolderRepository, { clock: time.clock });
      p = repositoryOn(own, PermissionRepository, { clock: time.clock });
      await linguisticOnPostgres(own, 'agent_shared_folder_config', 'agent_name');
      await f.upsertSharedFolderConfig('x', true, true); // the requester also exposes
      await f.upsertSharedFolderConfig('b-exposer', true, false);
      await f.upsertSharedFolderConfig('A-exposer', true, false);
      await f.upsertSharedFolderConfig('c-exposer', true, false);
      await f.upsertSharedFolderConfig('quiet', false, false);
      await f.upsertSharedFolderConfig('consumer-1', false, true);
      await f.upsertSharedFolderConfig('consumer-2', false, true);
      await p.addPermission('x', 'b-exposer', 'admin');
      await p.addPermission('x', 'A-exposer', 'admin');
      await p.addPermission('x', 'x', 'admin');
      await p.addPermission('x', 'quiet', 'admin');
      await p.addPermission('c-exposer', 'x', 'admin'); // wrong direction for x
      await p.addPermission('consumer-1', 'quiet', 'admin'); // consumer -> source
      await p.addPermission('quiet', 'consumer-2', 'admin'); // source -> consumer: wrong direction
      await p.addPermission('x', 'quiet', 'admin');
    });

    it('lists exposing agents in BINARY order', async () => {
      expect(await f.getAgentsExposingFolders()).toEqual(['A-exposer', 'b-exposer', 'c-exposer', 'x']);
    });

    it('offers only exposers the requester may call, never itself', async () => {
      expect(await f.getAvailableSharedFolders('x')).toEqual(['A-exposer', 'b-exposer']);
      expect(await f.getAvailableSharedFolders('nobody')).toEqual([]);
    });

    it('finds consumers that may call the source, even when the source does not expose', async () => {
      expect(await f.getConsumingAgents('quiet')).toEqual(['consumer-1', 'x']);
      // x consumes but x -> x is its own name: excluded.
      expect(await f.getConsumingAgents('x')).toEqual([]);
    });
  });
});

describe('SharedFolderRepository on a migrated legacy file', () => {
  it('reads Python-written configs and writes rows in the same naive format with 0/1 flags', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const folders = repositoryOn(ds, SharedFolderRepository, { clock: () => new Date('2026-05-01T12:00:00.25Z') });
    expect(await folders.getSharedFolderConfig('ops-agent')).toEqual({
      agent_name: 'ops-agent',
      expose_enabled: false,
      consume_enabled: true,
      created_at: new Date('2026-03-18T11:05:07.303Z'),
      updated_at: new Date('2026-03-18T11:05:07.303Z'),
    });
    expect(await folders.getAgentsExposingFolders()).toEqual(['cornelius', 'research-bot']);
    // Legacy permissions: cornelius -> research-bot exists, ops-agent -> cornelius does not.
    expect(await folders.getAvailableSharedFolders('cornelius')).toEqual(['research-bot']);
    expect(await folders.getConsumingAgents('research-bot')).toEqual(['cornelius']);
    await folders.upsertSharedFolderConfig('ops-agent', true);
    await folders.upsertSharedFolderConfig('ruby-writer', null, true);
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) =>
      db.prepare(`SELECT * FROM agent_shared_folder_config WHERE agent_name IN ('ops-agent', 'ruby-writer') ORDER BY agent_name`).all(),
    );
    expect(stored).toEqual([
      { agent_name: 'ops-agent', expose_enabled: 1, consume_enabled: 1, created_at: '2026-03-18T11:05:07.303504', updated_at: '2026-05-01T12:00:00.250000' },
      { agent_name: 'ruby-writer', expose_enabled: 0, consume_enabled: 1, created_at: '2026-05-01T12:00:00.250000', updated_at: '2026-05-01T12:00:00.250000' },
    ]);
  });
});
