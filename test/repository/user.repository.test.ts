import { UniqueConstraintError, InputValidationError } from '../../src/errors';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('UserRepository on %s', (driver) => {
  async function setup() {
    const { ds, time, repository: users } = await openRepository(driver, UserRepository);
    return { ds, time, users };
  }

  it('creates a user and reads it back by every key', async () => {
    const { users } = await setup();
    const created = await users.createUser({ username: 'alice', password: '$2b$12$hash', role: 'admin', auth0_sub: 'auth0|1', name: 'Alice', picture: 'p.png', email: 'alice@example.com' });
    expect(created).toEqual({
      id: expect.any(Number),
      username: 'alice',
      password: '$2b$12$hash',
      role: 'admin',
      auth0_sub: 'auth0|1',
      name: 'Alice',
      picture: 'p.png',
      email: 'alice@example.com',
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      updated_at: new Date('2026-03-01T10:00:00.123Z'),
      last_login: null,
    });
    for (const found of [
      await users.getUserByUsername('alice'),
      await users.getUserByAuth0Sub('auth0|1'),
      await users.getUserById(created.id),
      await users.getUserById(String(created.id)),
      await users.getUserByEmail('alice@example.com'),
    ]) {
      expect(found).toEqual(created);
    }
    expect(await users.getUserByUsername('nobody')).toBeNull();
    expect(await users.getUserById('not-a-number')).toBeNull();
  });

  it('falls back to the username for an empty email and defaults the role', async () => {
    const { users } = await setup();
    const user = await users.createUser({ username: 'bob', email: '' });
    expect(user).toMatchObject({ email: 'bob', role: 'user', password: null });
  });

  it('rejects a duplicate username with the legacy UNIQUE wording, and bad input by field', async () => {
    const { users } = await setup();
    await users.createUser({ username: 'carol' });
    const error = await users.createUser({ username: 'carol' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueConstraintError);
    expect((error as Error).message).toBe('UNIQUE constraint failed: users.username');
    await expect(users.createUser({ username: '' })).rejects.toMatchObject({ name: 'InputValidationError', field: 'username' });
    await expect(users.createUser({ username: 42 as unknown as string })).rejects.toBeInstanceOf(InputValidationError);
    expect(await users.listUsers()).toHaveLength(1);
  });

  it('email lookups are case-sensitive', async () => {
    const { users } = await setup();
    await users.createUser({ username: 'dana', email: 'a@x.com' });
    expect(await users.getUserByEmail('A@x.com')).toBeNull();
  });

  it('updates only profile fields, clears with null, and bumps updated_at', async () => {
    const { users, time } = await setup();
    await users.createUser({ username: 'erin', name: 'Erin', email: 'erin@x.com' });
    time.set('2026-03-02T00:00:00Z');
    // Python ignored other keys (a password among them); they are refused, and nothing is written.
    await expect(users.updateUser('erin', { name: 'E', password: 'x' } as never)).rejects.toMatchObject({ name: 'InputValidationError', field: 'updates.password' });
    const unchanged = await users.updateUser('erin', {});
    expect(unchanged).toMatchObject({ name: 'Erin', password: null, updated_at: new Date('2026-03-01T10:00:00.123Z') });
    const updated = await users.updateUser('erin', { name: null, role: 'admin' });
    expect(updated).toMatchObject({ name: null, role: 'admin', email: 'erin@x.com', updated_at: new Date('2026-03-02T00:00:00Z') });
    expect(await users.updateUser('ghost', { name: 'x' })).toBeNull();
    await expect(users.updateUser('erin', { name: 5 } as never)).rejects.toMatchObject({ field: 'name' });
  });

  it('updates a password only for an existing user (no admin is created)', async () => {
    const { users } = await setup();
    await users.createUser({ username: 'fay' });
    expect(await users.updateUserPassword('fay', '$2b$new')).toBe(true);
    expect((await users.getUserByUsername('fay'))?.password).toBe('$2b$new');
    expect(await users.updateUserPassword('newguy', '$2b$x')).toBe(false);
    expect(await users.getUserByUsername('newguy')).toBeNull();
  });

  it('records the last login', async () => {
    const { users, time } = await setup();
    await users.createUser({ username: 'gus' });
    time.set('2026-03-05T08:00:00Z');
    await users.updateLastLogin('gus');
    expect(await users.getUserByUsername('gus')).toMatchObject({ last_login: new Date('2026-03-05T08:00:00Z'), updated_at: new Date('2026-03-05T08:00:00Z') });
    await users.updateLastLogin('ghost'); // no error
  });

  it('gets or creates Auth0 users along the three legacy paths', async () => {
    const { users, time } = await setup();
    const created = await users.getOrCreateAuth0User('auth0|9', 'hal@x.com', 'Hal', 'h.png');
    expect(created).toMatchObject({ username: 'hal@x.com', email: 'hal@x.com', auth0_sub: 'auth0|9', role: 'user', password: null });
    time.set('2026-03-03T00:00:00Z');
    // Same name and picture: no write at all.
    expect(await users.getOrCreateAuth0User('auth0|9', 'hal@x.com', 'Hal', 'h.png')).toEqual(created);
    expect((await users.getOrCreateAuth0User('auth0|9', 'hal@x.com', 'Hal 2'))?.name).toBe('Hal 2');
    // A local user whose username is the email is linked; missing name/picture overwrite with NULL.
    await users.createUser({ username: 'ivy@x.com', name: 'Ivy', picture: 'i.png' });
    const linked = await users.getOrCreateAuth0User('auth0|10', 'ivy@x.com');
    expect(linked).toMatchObject({ username: 'ivy@x.com', auth0_sub: 'auth0|10', name: null, picture: null });
  });

  it('lists users newest first without passwords', async () => {
    const { users, time } = await setup();
    await users.createUser({ username: 'old', password: 'h1' });
    time.set('2026-04-01T00:00:00Z');
    await users.createUser({ username: 'new', password: 'h2' });
    const list = await users.listUsers();
    expect(list.map((u) => u.username)).toEqual(['new', 'old']);
    expect(list.every((u) => !('password' in u) && !('password_hash' in u))).toBe(true);
  });

  it('prefers the subject over the email, and links by username, not by the email column', async () => {
    const { users } = await setup();
    await users.createUser({ username: 'jo@x.com' });
    await users.createUser({ username: 'other', auth0_sub: 'auth0|taken' });
    // The subject is found first: jo@x.com stays unlinked.
    await expect(users.getOrCreateAuth0User('auth0|taken', 'jo@x.com', 'Jo')).resolves.toMatchObject({ username: 'other', name: 'Jo' });
    expect((await users.getUserByUsername('jo@x.com'))?.auth0_sub).toBeNull();
    // 'kim@x.com' is only an email column value, not a username: a new user is created.
    await users.createUser({ username: 'kim', email: 'kim@x.com' });
    await expect(users.getOrCreateAuth0User('auth0|kim', 'kim@x.com')).resolves.toMatchObject({ username: 'kim@x.com', auth0_sub: 'auth0|kim' });
    expect(await users.listUsers()).toHaveLength(4);
  });
});

describe('UserRepository on a migrated legacy file', () => {
  it('reads Python-written users and writes rows in the same naive format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const users = repositoryOn(ds, UserRepository, { clock: () => new Date('2026-05-01T12:00:00Z') });
    const bob = await users.getUserById(3);
    expect(bob).toMatchObject({ auth0_sub: 'google-oauth2|108234567890123456789', name: "Bob O'Brien \\ 🚀", password: null });
    expect(bob!.created_at).toBeInstanceOf(Date);
    await users.createUser({ username: 'zed' });
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) => db.prepare(`SELECT created_at FROM users WHERE username IN ('admin', 'zed') ORDER BY id`).all() as { created_at: string }[]);
    // Python wrote naive ISO text (no zone); so do we, with the fraction omitted at .000000.
    expect(stored[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
    expect(stored[1].created_at).toBe('2026-05-01T12:00:00');
  });
});
