import type { TrinityDataSource } from '../../src/data-source';
import { SkillRepository } from '../../src/repository/skill.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { failWrites, type TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('SkillRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let skills: SkillRepository;

  beforeAll(async () => {
    ({ ds, time, repository: skills } = await openRepository(driver, SkillRepository));
  });

  it('assigns a skill once: the second call returns null and leaves the row alone', async () => {
    time.set('2026-03-01T10:00:00.123Z');
    const first = await skills.assignSkill('as-a', 'web', 'alice');
    expect(first).toEqual({ id: expect.any(Number), agent_name: 'as-a', skill_name: 'web', assigned_by: 'alice', assigned_at: new Date('2026-03-01T10:00:00.123Z') });
    time.set('2026-03-02T00:00:00Z');
    expect(await skills.assignSkill('as-a', 'web', 'bob')).toBeNull();
    expect(await skills.getAgentSkills('as-a')).toEqual([first]);
  });

  it('a duplicate assignment inside a caller transaction does not abort it', async () => {
    await skills.assignSkill('txdup-a', 'web', 'alice');
    await ds.executor.transaction(async (tx) => {
      const inTx = repositoryOn(tx, SkillRepository, { clock: time.clock });
      expect(await inTx.assignSkill('txdup-a', 'web', 'bob')).toBeNull();
      expect(await inTx.assignSkill('txdup-a', 'other', 'bob')).toMatchObject({ skill_name: 'other' });
    });
    expect(await skills.getAgentSkillNames('txdup-a')).toEqual(['other', 'web']);
  });

  it('treats names case-sensitively and sorts in code-point order', async () => {
    for (const name of ['b', 'A', 'a', 'Skill', 'skill']) await skills.assignSkill('case-a', name, 'u');
    expect(await skills.getAgentSkillNames('case-a')).toEqual(['A', 'Skill', 'a', 'b', 'skill']);
    expect((await skills.getAgentSkills('case-a')).map((s) => s.skill_name)).toEqual(['A', 'Skill', 'a', 'b', 'skill']);
    expect(await skills.getAgentSkillNames('nobody')).toEqual([]);
  });

  it('replaces the whole set, counting the input (duplicates included)', async () => {
    time.set('2026-03-03T00:00:00Z');
    await skills.assignSkill('set-a', 'x', 'old');
    await skills.assignSkill('set-a', 'gone', 'old');
    time.set('2026-03-04T00:00:00Z');
    expect(await skills.setAgentSkills('set-a', ['x', 'x', 'y'], 'u')).toBe(3);
    const rows = await skills.getAgentSkills('set-a');
    expect(rows.map((r) => [r.skill_name, r.assigned_by, r.assigned_at])).toEqual([
      ['x', 'u', new Date('2026-03-04T00:00:00Z')],
      ['y', 'u', new Date('2026-03-04T00:00:00Z')],
    ]);
    // Inserted in input order.
    expect(rows[0].id).toBeLessThan(rows[1].id);
    expect(await skills.setAgentSkills('set-a', [], 'u')).toBe(0);
    expect(await skills.getAgentSkills('set-a')).toEqual([]);
  });

  it('unassigns a pair and reports whether it existed', async () => {
    await skills.assignSkill('un-a', 'x', 'u');
    expect(await skills.unassignSkill('un-a', 'x')).toBe(true);
    expect(await skills.unassignSkill('un-a', 'x')).toBe(false);
    expect(await skills.unassignSkill('un-a', 'never')).toBe(false);
  });

  it('deletes every skill of an agent and returns the count', async () => {
    await skills.setAgentSkills('del-a', ['p', 'q', 'r'], 'u');
    await skills.assignSkill('del-b', 'p', 'u');
    expect(await skills.deleteAgentSkills('del-a')).toBe(3);
    expect(await skills.deleteAgentSkills('del-a')).toBe(0);
    expect(await skills.getAgentSkillNames('del-b')).toEqual(['p']);
  });

  it('checks assignment and lists the agents with a skill', async () => {
    await skills.assignSkill('with-b', 'rare-skill', 'u');
    await skills.assignSkill('with-a', 'rare-skill', 'u');
    await skills.assignSkill('with-c', 'Rare-skill', 'u');
    expect(await skills.isSkillAssigned('with-a', 'rare-skill')).toBe(true);
    expect(await skills.isSkillAssigned('with-a', 'Rare-skill')).toBe(false);
    expect(await skills.getAgentsWithSkill('rare-skill')).toEqual(['with-a', 'with-b']);
    expect(await skills.getAgentsWithSkill('none')).toEqual([]);
  });

  it('leaves the old set in place when the replacing write fails', async () => {
    await skills.setAgentSkills('tx-a', ['keep1', 'keep2'], 'u');
    await failWrites(ds, driver, 'INSERT', 'agent_skills', { when: { column: 'skill_name', value: 'tx-boom' } });
    await expect(skills.setAgentSkills('tx-a', ['new', 'tx-boom'], 'v')).rejects.toThrow(/forced failure/);
    expect(await skills.getAgentSkillNames('tx-a')).toEqual(['keep1', 'keep2']);
    expect((await skills.getAgentSkills('tx-a'))[0].assigned_by).toBe('u');
  });

  it('validates write arguments by field', async () => {
    await expect(skills.assignSkill('', 'x', 'u')).rejects.toMatchObject({ field: 'agentName' });
    await expect(skills.assignSkill('val-a', 'x', null as unknown as string)).rejects.toMatchObject({ field: 'assignedBy' });
    await expect(skills.setAgentSkills('val-a', ['ok', 7 as unknown as string], 'u')).rejects.toMatchObject({ field: 'skillNames[1]' });
    expect(await skills.getAgentSkillNames('val-a')).toEqual([]);
  });
});

describe('SkillRepository on a migrated legacy file', () => {
  it('reads Python-written skills and writes rows in the same naive format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const skills = repositoryOn(ds, SkillRepository, { clock: () => new Date('2026-05-01T12:00:00Z') });
    expect(await skills.getAgentSkills('ops-agent')).toEqual([
      { id: 2, agent_name: 'ops-agent', skill_name: 'deploy', assigned_by: 'alice', assigned_at: new Date('2026-03-18T11:05:07.308Z') },
      { id: 4, agent_name: 'ops-agent', skill_name: 'incident-response', assigned_by: 'alice', assigned_at: new Date('2026-03-18T11:05:07.308Z') },
      { id: 3, agent_name: 'ops-agent', skill_name: 'monitoring', assigned_by: 'alice', assigned_at: new Date('2026-03-18T11:05:07.308Z') },
    ]);
    const created = await skills.assignSkill('cornelius', 'new-skill', 'dana');
    // The AUTOINCREMENT counter carried over: the next id follows the Python rows.
    expect(created!.id).toBe(6);
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) => db.prepare(`SELECT assigned_at FROM agent_skills WHERE id = 6`).get());
    expect(stored).toEqual({ assigned_at: '2026-05-01T12:00:00' });
  });
});
