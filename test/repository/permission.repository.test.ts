import type { TrinityDataSource } from '../../src/data-source';
import { InputValidationError } from '../../src/errors';
import { PermissionRepository } from '../../src/repository/permission.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { linguisticOnPostgres, raw, type TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('PermissionRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let perms: PermissionRepository;

  beforeAll(async () => {
    ({ ds, time, repository: perms } = await openRepository(driver, PermissionRepository));
    await linguisticOnPostgres(ds, 'agent_permissions', 'target_agent');
  });

  async function countRows(where: string, params: unknown[]): Promise<number> {
    const [{ n }] = await raw(ds, driver, `SELECT COUNT(*) AS n FROM agent_permissions WHERE ${where}`, params);
    return Number(n);
  }

  it('adds a permission, returns the stored model, and refuses a duplicate with null', async () => {
    time.set('2026-03-01T10:00:00.123Z');
    const added = await perms.addPermission('p1-a', 'p1-b', 'alice');
    expect(added).toEqual({ id: expect.any(Number), source_agent: 'p1-a', target_agent: 'p1-b', created_at: new Date('2026-03-01T10:00:00.123Z'), created_by: 'alice' });
    expect(await perms.addPermission('p1-a', 'p1-b', 'bob')).toBeNull();
    expect(await perms.getPermissionDetails('p1-a')).toEqual([added]);
  });

  it('allows a self-permission in addPermission (no guard there)', async () => {
    expect(await perms.addPermission('p2-a', 'p2-a', 'alice')).toMatchObject({ source_agent: 'p2-a', target_agent: 'p2-a' });
    expect(await perms.isPermitted('p2-a', 'p2-a')).toBe(true);
  });

  it('is directional and case-sensitive', async () => {
    await perms.addPermission('p3-a', 'p3-b', 'alice');
    expect(await perms.isPermitted('p3-a', 'p3-b')).toBe(true);
    expect(await perms.isPermitted('p3-b', 'p3-a')).toBe(false);
    expect(await perms.isPermitted('P3-A', 'p3-b')).toBe(false);
  });

  it('lists targets in SQLite BINARY order (upper case first)', async () => {
    for (const target of ['beta', 'Zeta', 'alpha', 'Alpha', 'ärger']) await perms.addPermission('p4-src', target, 'alice');
    expect(await perms.getPermittedAgents('p4-src')).toEqual(['Alpha', 'Zeta', 'alpha', 'beta', 'ärger']);
    expect((await perms.getPermissionDetails('p4-src')).map((p) => p.target_agent)).toEqual(['Alpha', 'Zeta', 'alpha', 'beta', 'ärger']);
    expect(await perms.getPermittedAgents('p4-nobody')).toEqual([]);
  });

  it('removes one pair and reports whether it existed', async () => {
    await perms.addPermission('p5-a', 'p5-b', 'alice');
    expect(await perms.removePermission('p5-a', 'p5-b')).toBe(true);
    expect(await perms.removePermission('p5-a', 'p5-b')).toBe(false);
    expect(await perms.isPermitted('p5-a', 'p5-b')).toBe(false);
  });

  it('setPermissions replaces outgoing rows, skips self and duplicates, and returns the input length', async () => {
    time.set('2026-03-03T00:00:00Z');
    await perms.addPermission('p6-a', 'p6-old', 'alice');
    await perms.addPermission('p6-x', 'p6-a', 'alice'); // incoming: untouched
    expect(await perms.setPermissions('p6-a', ['p6-b', 'p6-b', 'p6-a', 'p6-c'], 'bob')).toBe(4);
    const details = await perms.getPermissionDetails('p6-a');
    expect(details.map((p) => [p.target_agent, p.created_by, p.created_at.toISOString()])).toEqual([
      ['p6-b', 'bob', '2026-03-03T00:00:00.000Z'],
      ['p6-c', 'bob', '2026-03-03T00:00:00.000Z'],
    ]);
    // Inserted in list order: b before c.
    expect(details[0].id).toBeLessThan(details[1].id);
    expect(await perms.isPermitted('p6-x', 'p6-a')).toBe(true);
    expect(await perms.setPermissions('p6-a', [], 'bob')).toBe(0);
    expect(await perms.getPermittedAgents('p6-a')).toEqual([]);
    expect(await perms.isPermitted('p6-x', 'p6-a')).toBe(true);
    expect(await perms.setPermissions('p6-a', ['p6-a'], 'bob')).toBe(1);
    expect(await perms.getPermittedAgents('p6-a')).toEqual([]);
  });

  it('setPermissions validates its input before writing', async () => {
    await perms.addPermission('p7-a', 'p7-keep', 'alice');
    await expect(perms.setPermissions('p7-a', ['p7-b', 7 as unknown as string], 'bob')).rejects.toMatchObject({ field: 'targetAgents[1]' });
    await expect(perms.setPermissions('p7-a', 'p7-b' as unknown as string[], 'bob')).rejects.toBeInstanceOf(InputValidationError);
    await expect(perms.addPermission('p7-a', '', 'bob')).rejects.toMatchObject({ field: 'targetAgent' });
    expect(await perms.getPermittedAgents('p7-a')).toEqual(['p7-keep']);
  });

  it('deleteAgentPermissions removes outgoing and incoming rows and returns the sum', async () => {
    await perms.addPermission('p8-a', 'p8-b', 'alice');
    await perms.addPermission('p8-a', 'p8-c', 'alice');
    await perms.addPermission('p8-d', 'p8-a', 'alice');
    await perms.addPermission('p8-d', 'p8-b', 'alice');
    expect(await perms.deleteAgentPermissions('p8-a')).toBe(3);
    expect(await countRows('source_agent = ? OR target_agent = ?', ['p8-a', 'p8-a'])).toBe(0);
    expect(await perms.isPermitted('p8-d', 'p8-b')).toBe(true);
    expect(await perms.deleteAgentPermissions('p8-a')).toBe(0);
  });

  it('grantDefaultPermissions is a no-op returning 0', async () => {
    expect(await perms.grantDefaultPermissions('p9-a', 'alice')).toBe(0);
    expect(await countRows('source_agent = ? OR target_agent = ?', ['p9-a', 'p9-a'])).toBe(0);
  });

  it('setPermissions and deleteAgentPermissions change nothing when a statement fails (one transaction)', async () => {
    const own = await openTestDataSource(driver);
    const repo = repositoryOn(own, PermissionRepository, { clock: time.clock });
    await repo.addPermission('f-a', 'f-old', 'alice');
    // The DELETE still works, every INSERT fails: the whole call must roll back.
    await own.query(`ALTER TABLE agent_permissions RENAME COLUMN created_by TO created_by_gone`);
    await expect(repo.setPermissions('f-a', ['f-new'], 'bob')).rejects.toThrow();
    await own.query(`ALTER TABLE agent_permissions RENAME COLUMN created_by_gone TO created_by`);
    expect(await repo.getPermittedAgents('f-a')).toEqual(['f-old']);
    // deleteAgentPermissions: the outgoing DELETE works, the incoming one fails; both roll back.
    await repo.addPermission('f-x', 'f-a', 'alice');
    await own.query(`ALTER TABLE agent_permissions RENAME COLUMN target_agent TO target_agent_gone`);
    await expect(repo.deleteAgentPermissions('f-a')).rejects.toThrow();
    await own.query(`ALTER TABLE agent_permissions RENAME COLUMN target_agent_gone TO target_agent`);
    expect(await repo.getPermittedAgents('f-a')).toEqual(['f-old']);
    expect(await repo.isPermitted('f-x', 'f-a')).toBe(true);
  });
});

describe('PermissionRepository on a migrated legacy file', () => {
  it('reads Python-written permissions and writes created_at in the same naive format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const perms = repositoryOn(ds, PermissionRepository, { clock: () => new Date('2026-05-01T12:00:00Z') });
    expect(await perms.getPermittedAgents('trinity-system')).toEqual(['cornelius', 'ops-agent', 'research-bot', 'ruby-writer']);
    expect(await perms.getPermissionDetails('research-bot')).toEqual([
      { id: 1, source_agent: 'research-bot', target_agent: 'ops-agent', created_at: new Date('2026-03-18T11:05:07.300Z'), created_by: 'alice' },
    ]);
    expect(await perms.isPermitted('cornelius', 'research-bot')).toBe(true);
    const added = await perms.addPermission('ops-agent', 'cornelius', 'alice');
    // The manifest's sqlite_sequence is 7 (row 7 was deleted by Python): AUTOINCREMENT never reuses it.
    expect(added?.id).toBe(8);
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) => db.prepare(`SELECT id, created_at FROM agent_permissions WHERE id IN (1, 8) ORDER BY id`).all());
    expect(stored).toEqual([
      { id: 1, created_at: '2026-03-18T11:05:07.300542' },
      { id: 8, created_at: '2026-05-01T12:00:00' },
    ]);
  });
});
