/**
 * Ids after duplicates are the Python layer's, on both drivers. The Python layer inserted with plain
 * INSERTs that failed on a duplicate (caught or not); a failed statement takes no AUTOINCREMENT value
 * on SQLite, so the next row got the next id. Where Python used `ON CONFLICT DO UPDATE` (Telegram
 * bindings) SQLite does take a value for the updated row, and so does trinity-db. Every expected id
 * below follows from those rules applied to the Python statements named in the comments.
 */
import type { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { UniqueConstraintError } from '../../src/errors';
import { AgentRepository } from '../../src/repository/agent.repository';
import { EmailAuthRepository } from '../../src/repository/email-auth.repository';
import { PermissionRepository } from '../../src/repository/permission.repository';
import { SkillRepository } from '../../src/repository/skill.repository';
import { TelegramChannelRepository } from '../../src/repository/telegram-channel.repository';
import { UserRepository } from '../../src/repository/user.repository';
import { CredentialEncryption } from '../../src/codec/credential-encryption';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';
import { testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('ids after duplicates on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  const time = testClock('2026-03-01T10:00:00Z');
  let users: UserRepository;

  // A fresh database per test: every sequence starts at 1.
  beforeEach(async () => {
    ds = await openTestDataSource(driver);
    users = repositoryOn(ds, UserRepository, { clock: time.clock });
  });

  async function createUsers(count: number): Promise<void> {
    for (let i = 1; i <= count; i++) await users.createUser({ username: `u${i}`, email: `u${i}@x.com`, auth0_sub: `auth0|${i}` });
  }

  it('users: duplicate createUser, getOrCreateEmailUser and getOrCreateAuth0User of existing users take no id', async () => {
    const auth = repositoryOn(ds, EmailAuthRepository, { clock: time.clock });
    await createUsers(7); // ids 1-7
    expect((await auth.getOrCreateEmailUser('eight@x.com'))!.id).toBe(8); // username eight@x.com
    // Python: INSERT fails (IntegrityError propagates): no id.
    await expect(users.createUser({ username: 'u3' })).rejects.toThrow(new UniqueConstraintError('users', ['username']));
    await expect(users.createUser({ username: 'fresh', auth0_sub: 'auth0|4' })).rejects.toThrow(new UniqueConstraintError('users', ['auth0_sub']));
    await expect(users.createUser({ username: 'u5', auth0_sub: 'auth0|6' })).rejects.toThrow('UNIQUE constraint failed: users.username');
    // Python: found by email, no INSERT.
    expect((await auth.getOrCreateEmailUser('u2@x.com'))!.id).toBe(2);
    // Python: a mixed-case email misses user 8 by email, and its INSERT of username eight@x.com fails: no id.
    await expect(auth.getOrCreateEmailUser('Eight@X.com')).rejects.toThrow('UNIQUE constraint failed: users.username');
    // Python: found by auth0_sub, no INSERT.
    expect((await users.getOrCreateAuth0User('auth0|1', 'u1@x.com')).id).toBe(1);
    expect((await users.createUser({ username: 'u9' })).id).toBe(9);
    expect((await auth.getOrCreateEmailUser('new@x.com'))!.id).toBe(10);
    expect((await users.getOrCreateAuth0User('auth0|new', 'hal@x.com')).id).toBe(11);
  });

  it('agent_ownership: registering an agent twice (with and without isSystem) takes no id', async () => {
    await createUsers(1);
    const agents = repositoryOn(ds, AgentRepository, { clock: time.clock });
    expect(await agents.registerAgentOwner('a', 'u1')).toBe(true); // id 1
    // Python: INSERT fails, IntegrityError caught (then UPDATE of is_system): no id.
    expect(await agents.registerAgentOwner('a', 'u1')).toBe(false);
    expect(await agents.registerAgentOwner('a', 'u1', true)).toBe(false);
    expect(await agents.getAgentOwner('a')).toMatchObject({ id: 1, is_system: true });
    expect(await agents.registerAgentOwner('b', 'u1')).toBe(true);
    expect((await agents.getAgentOwner('b'))!.id).toBe(2);
  });

  it('agent_sharing: a duplicate share takes no id', async () => {
    await createUsers(1);
    const agents = repositoryOn(ds, AgentRepository, { clock: time.clock });
    await agents.registerAgentOwner('a', 'u1');
    for (let i = 1; i <= 4; i++) expect((await agents.shareAgent('a', 'u1', `friend${i}@x.com`))!.id).toBe(i);
    // Python: INSERT of the lower-cased email fails, IntegrityError caught: no id.
    expect(await agents.shareAgent('a', 'u1', 'Friend2@X.com')).toBeNull();
    expect((await agents.shareAgent('a', 'u1', 'friend5@x.com'))!.id).toBe(5);
  });

  it('email_whitelist: whitelisting an email again takes no id', async () => {
    await createUsers(1);
    const auth = repositoryOn(ds, EmailAuthRepository, { clock: time.clock });
    expect(await auth.addToWhitelist('a@x.com', 'u1')).toBe(true); // id 1
    // Python: found by the check, no INSERT.
    expect(await auth.addToWhitelist('A@X.com', 'u1')).toBe(false);
    expect(await auth.addToWhitelist('b@x.com', 'u1')).toBe(true);
    expect((await auth.listWhitelist()).map((w) => [w.email, w.id])).toEqual([
      ['b@x.com', 2],
      ['a@x.com', 1],
    ]);
  });

  it('agent_permissions: a duplicate addPermission and repeated targets of setPermissions take no id', async () => {
    const permissions = repositoryOn(ds, PermissionRepository, { clock: time.clock });
    expect((await permissions.addPermission('x', 'y', 'u'))!.id).toBe(1);
    // Python: IntegrityError caught: no id.
    expect(await permissions.addPermission('x', 'y', 'u')).toBeNull();
    expect((await permissions.addPermission('x', 'z', 'u'))!.id).toBe(2);
    // Python: DELETE, then y (3), y again fails (caught: no id), x skipped (the source), z (4).
    expect(await permissions.setPermissions('x', ['y', 'y', 'x', 'z'], 'u')).toBe(4);
    expect((await permissions.getPermissionDetails('x')).map((p) => [p.target_agent, p.id])).toEqual([
      ['y', 3],
      ['z', 4],
    ]);
    expect((await permissions.addPermission('w', 'v', 'u'))!.id).toBe(5);
  });

  it('agent_skills: a duplicate assignSkill and repeated names of setAgentSkills take no id', async () => {
    const skills = repositoryOn(ds, SkillRepository, { clock: time.clock });
    expect((await skills.assignSkill('a', 's1', 'u'))!.id).toBe(1);
    // Python: IntegrityError caught: no id.
    expect(await skills.assignSkill('a', 's1', 'u')).toBeNull();
    expect((await skills.assignSkill('a', 's2', 'u'))!.id).toBe(2);
    // Python: DELETE, then s1 (3), s1 again fails (caught per row: no id), s3 (4).
    expect(await skills.setAgentSkills('a', ['s1', 's1', 's3'], 'u')).toBe(3);
    expect((await skills.getAgentSkills('a')).map((s) => [s.skill_name, s.id])).toEqual([
      ['s1', 3],
      ['s3', 4],
    ]);
    expect((await skills.assignSkill('b', 's1', 'u'))!.id).toBe(5);
  });

  it("telegram_bindings: a bot of another agent takes no id; a re-binding takes one, as Python's upsert did", async () => {
    const telegram = repositoryOn(ds, TelegramChannelRepository, { clock: time.clock, encryption: new CredentialEncryption(() => Buffer.alloc(32, 7)) });
    expect((await telegram.createBinding('a', 'token', null, '100'))!.id).toBe(1);
    // Python: INSERT … ON CONFLICT (agent_name) DO UPDATE; SQLite takes a value for the updated row (2).
    expect((await telegram.createBinding('a', 'token', null, '100'))!.id).toBe(1);
    // Python: the statement fails on UNIQUE(bot_id): no id.
    await expect(telegram.createBinding('b', 'token', null, '100')).rejects.toThrow(new UniqueConstraintError('telegram_bindings', ['bot_id']));
    expect((await telegram.createBinding('a', 'token', null, '200'))!.id).toBe(1); // takes 3
    expect((await telegram.createBinding('b', 'token', null, '300'))!.id).toBe(4);
    await expect(telegram.createBinding('a', 'token', null, '300')).rejects.toThrow('UNIQUE constraint failed: telegram_bindings.bot_id');
    expect((await telegram.createBinding('c', 'token'))!.id).toBe(5);
    // Chat links: Python checked, then inserted; an existing link takes no id.
    expect((await telegram.getOrCreateChatLink(1, 'tg-1')).id).toBe(1);
    expect((await telegram.getOrCreateChatLink(1, 'tg-1')).id).toBe(1);
    expect((await telegram.getOrCreateChatLink(1, 'tg-2')).id).toBe(2);
  });

  it('concurrent duplicates take no id either: one row is made, the next row gets the next id', async () => {
    await createUsers(1);
    const agents = repositoryOn(ds, AgentRepository, { clock: time.clock });
    const auth = repositoryOn(ds, EmailAuthRepository, { clock: time.clock });
    const registered = await Promise.all(Array.from({ length: 8 }, () => agents.registerAgentOwner('race', 'u1')));
    expect(registered.filter(Boolean)).toHaveLength(1);
    const shares = await Promise.all(Array.from({ length: 8 }, () => agents.shareAgent('race', 'u1', 'racer@x.com')));
    expect(shares.filter((s) => s !== null)).toHaveLength(1);
    const logins = await Promise.all(Array.from({ length: 8 }, () => auth.getOrCreateEmailUser('racer@x.com')));
    expect(new Set(logins.map((u) => u!.id))).toEqual(new Set([2]));
    expect(await agents.registerAgentOwner('next', 'u1')).toBe(true);
    expect((await agents.getAgentOwner('next'))!.id).toBe(2);
    expect((await agents.shareAgent('race', 'u1', 'second@x.com'))!.id).toBe(2);
    expect((await users.createUser({ username: 'after' })).id).toBe(3);
    const whitelisted = await Promise.all(Array.from({ length: 8 }, () => auth.addToWhitelist('racer@x.com', 'u1')));
    expect(whitelisted.filter(Boolean)).toHaveLength(1);
    expect(await auth.addToWhitelist('second@x.com', 'u1')).toBe(true);
    expect((await auth.listWhitelist()).map((w) => w.id)).toEqual([2, 1]);
    const telegram = repositoryOn(ds, TelegramChannelRepository, { clock: time.clock, encryption: new CredentialEncryption(() => Buffer.alloc(32, 7)) });
    const links = await Promise.all(Array.from({ length: 8 }, () => telegram.getOrCreateChatLink(1, 'tg-race')));
    expect(new Set(links.map((l) => l.id))).toEqual(new Set([1]));
    expect((await telegram.getOrCreateChatLink(1, 'tg-next')).id).toBe(2);
  });
});
