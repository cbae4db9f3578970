import type { TrinityDataSource } from '../../src/data-source';
import { InputValidationError, UniqueConstraintError } from '../../src/errors';
import { EmailAuthRepository, generateLoginCode } from '../../src/repository/email-auth.repository';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import type { TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

// The module object the repository calls randomInt on (spied on below).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeCrypto = require('crypto') as typeof import('crypto');

afterAll(cleanupTestDatabases);
afterEach(() => jest.restoreAllMocks());

describe('generateLoginCode', () => {
  it('zero-pads to six digits and draws from 0..999999', () => {
    const spy = jest.spyOn(nodeCrypto, 'randomInt').mockImplementation((() => 42) as never);
    expect(generateLoginCode()).toBe('000042');
    expect(spy).toHaveBeenCalledWith(0, 1_000_000);
    spy.mockImplementation((() => 999_999) as never);
    expect(generateLoginCode()).toBe('999999');
    spy.mockRestore();
    for (let i = 0; i < 50; i++) expect(generateLoginCode()).toMatch(/^\d{6}$/);
  });
});

describe.each(DRIVERS)('EmailAuthRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let auth: EmailAuthRepository;
  let users: UserRepository;
  let adminId: number;

  beforeAll(async () => {
    ({ ds, time, repository: auth } = await openRepository(driver, EmailAuthRepository));
    users = repositoryOn(ds, UserRepository, { clock: time.clock });
    adminId = (await users.createUser({ username: 'admin', role: 'admin' })).id;
  });

  const p = (n: number) => (driver === 'postgres' ? `$${n}` : '?');

  async function rawCode(id: string): Promise<{ verified: unknown; used_at: unknown }> {
    const [row] = await ds.query(`SELECT verified, used_at FROM email_login_codes WHERE id = ${p(1)}`, [id]);
    return row;
  }

  describe('whitelist', () => {
    it('stores the email lower-cased and refuses a case-variant duplicate with false', async () => {
      expect(await auth.addToWhitelist('W1-A@X.com', 'admin')).toBe(true);
      expect(await auth.addToWhitelist('w1-a@x.COM', 'admin')).toBe(false);
      expect(await auth.isEmailWhitelisted('W1-a@X.COM')).toBe(true);
      const [row] = await ds.query(`SELECT email, added_by, source FROM email_whitelist WHERE email = ${p(1)}`, ['w1-a@x.com']);
      expect(row).toEqual({ email: 'w1-a@x.com', added_by: String(adminId), source: 'manual' });
    });

    it('throws "User not found" for an unknown adder and writes nothing', async () => {
      await expect(auth.addToWhitelist('w2@x.com', 'ghost')).rejects.toThrow('User not found: ghost');
      expect(await auth.isEmailWhitelisted('w2@x.com')).toBe(false);
      await expect(auth.addToWhitelist('', 'admin')).rejects.toBeInstanceOf(InputValidationError);
    });

    it('folds non-ASCII letters the same way on both drivers', async () => {
      expect(await auth.addToWhitelist('ZOË-w3@Example.DE', 'admin', 'agent_sharing')).toBe(true);
      expect(await auth.isEmailWhitelisted('zoë-w3@example.de')).toBe(true);
      expect(await auth.isEmailWhitelisted('ZOË-W3@EXAMPLE.DE')).toBe(true);
      // A row holding non-ASCII upper case (never written by either layer) is folded ASCII-only, as
      // SQLite's LOWER() did: it matches on neither driver.
      await ds.query(`INSERT INTO email_whitelist (email, added_by, added_at, source) VALUES (${p(1)}, '1', ${p(2)}, 'manual')`, [
        'ÄRGER-w3@X.COM',
        driver === 'postgres' ? new Date() : '2026-01-01T00:00:00',
      ]);
      expect(await auth.isEmailWhitelisted('ärger-w3@x.com')).toBe(false);
      expect(await auth.isEmailWhitelisted('ÄRGER-w3@X.COM')).toBe(false);
      expect(await auth.removeFromWhitelist('ärger-w3@x.com')).toBe(false);
      // Stored ASCII upper case still folds, as the legacy LOWER(email) did.
      await ds.query(`UPDATE email_whitelist SET email = ${p(1)} WHERE email = ${p(2)}`, ['ärger-W3@X.COM', 'ÄRGER-w3@X.COM']);
      expect(await auth.isEmailWhitelisted('Ärger-w3@x.com')).toBe(true);
    });

    it('removes by case-insensitive email', async () => {
      await auth.addToWhitelist('w4@x.com', 'admin');
      expect(await auth.removeFromWhitelist('W4@X.COM')).toBe(true);
      expect(await auth.removeFromWhitelist('w4@x.com')).toBe(false);
      expect(await auth.isEmailWhitelisted('w4@x.com')).toBe(false);
    });

    it('lists newest first with added_by as text and the adder username (null once the user is gone)', async () => {
      const own = await openTestDataSource(driver);
      const repo = repositoryOn(own, EmailAuthRepository, { clock: time.clock });
      const u = repositoryOn(own, UserRepository, { clock: time.clock });
      const first = await u.createUser({ username: 'root', role: 'admin' });
      const second = await u.createUser({ username: 'helper' });
      time.set('2026-03-01T00:00:00Z');
      await repo.addToWhitelist('old@x.com', 'root');
      time.set('2026-03-02T00:00:00.250Z');
      await repo.addToWhitelist('new@x.com', 'helper', 'agent_sharing');
      const list = await repo.listWhitelist();
      expect(list).toEqual([
        { id: expect.any(Number), email: 'new@x.com', added_by: String(second.id), added_by_username: 'helper', added_at: new Date('2026-03-02T00:00:00.250Z'), source: 'agent_sharing' },
        { id: expect.any(Number), email: 'old@x.com', added_by: String(first.id), added_by_username: 'root', added_at: new Date('2026-03-01T00:00:00Z'), source: 'manual' },
      ]);
      expect(await repo.listWhitelist(1)).toHaveLength(1);
      expect(await repo.listWhitelist(0)).toEqual([]);
      expect(await repo.listWhitelist(-1)).toHaveLength(2);
      await own.query(`DELETE FROM users WHERE id = ${p(1)}`, [second.id]);
      expect((await repo.listWhitelist())[0]).toMatchObject({ added_by: String(second.id), added_by_username: null });
    });
  });

  describe('login codes', () => {
    it('creates a zero-padded 6-digit code stored for the lower-cased email', async () => {
      time.set('2026-03-10T12:00:00.5Z');
      jest.spyOn(nodeCrypto, 'randomInt').mockImplementation((() => 42) as never);
      const created = await auth.createLoginCode('C1@X.com', 15);
      expect(created).toEqual({
        code_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        code: '000042',
        created_at: new Date('2026-03-10T12:00:00.5Z'),
        expires_at: new Date('2026-03-10T12:15:00.5Z'),
        expires_in_seconds: 900,
      });
      const [row] = await ds.query(`SELECT email, code, verified, used_at FROM email_login_codes WHERE id = ${p(1)}`, [created.code_id]);
      expect(row).toEqual({ email: 'c1@x.com', code: '000042', verified: driver === 'postgres' ? false : 0, used_at: null });
      expect((await auth.createLoginCode('c1@x.com')).expires_in_seconds).toBe(600);
    });

    it('verifies the right code once, case-insensitively by email', async () => {
      time.set('2026-03-10T13:00:00Z');
      const created = await auth.createLoginCode('user-c2@x.com');
      expect(await auth.verifyLoginCode('user-c2@x.com', created.code === '000000' ? '000001' : '000000')).toBeNull();
      time.set('2026-03-10T13:05:00Z');
      expect(await auth.verifyLoginCode('USER-C2@X.COM', created.code)).toEqual({ code_id: created.code_id, email: 'user-c2@x.com', verified: true });
      expect(await rawCode(created.code_id)).toEqual({
        verified: driver === 'postgres' ? true : 1,
        used_at: driver === 'postgres' ? new Date('2026-03-10T13:05:00Z') : '2026-03-10T13:05:00',
      });
      expect(await auth.verifyLoginCode('user-c2@x.com', created.code)).toBeNull();
    });

    it('an expired code is refused and stays unverified; other live codes stay valid', async () => {
      jest.spyOn(nodeCrypto, 'randomInt').mockImplementationOnce((() => 111111) as never).mockImplementationOnce((() => 222222) as never);
      time.set('2026-03-10T14:00:00Z');
      const short = await auth.createLoginCode('c3@x.com', 1);
      const long = await auth.createLoginCode('c3@x.com', 30);
      time.set('2026-03-10T14:01:00.001Z'); // 1 ms after the short code's expiry
      expect(await auth.verifyLoginCode('c3@x.com', '111111')).toBeNull();
      expect((await rawCode(short.code_id)).used_at).toBeNull();
      expect(await auth.verifyLoginCode('c3@x.com', '222222')).toMatchObject({ code_id: long.code_id });
    });

    it('a code is valid up to and including its expiry instant', async () => {
      jest.spyOn(nodeCrypto, 'randomInt').mockImplementation((() => 333333) as never);
      time.set('2026-03-10T15:00:00Z');
      const created = await auth.createLoginCode('c4@x.com', 1);
      time.set('2026-03-10T15:01:00Z');
      expect(await auth.verifyLoginCode('c4@x.com', '333333')).toMatchObject({ code_id: created.code_id });
    });

    it('takes the newest matching code when the same code was issued twice', async () => {
      jest.spyOn(nodeCrypto, 'randomInt').mockImplementation((() => 444444) as never);
      time.set('2026-03-10T16:00:00Z');
      const older = await auth.createLoginCode('c5@x.com');
      time.set('2026-03-10T16:00:30Z');
      const newer = await auth.createLoginCode('c5@x.com');
      expect(await auth.verifyLoginCode('c5@x.com', '444444')).toMatchObject({ code_id: newer.code_id });
      expect(await auth.verifyLoginCode('c5@x.com', '444444')).toMatchObject({ code_id: older.code_id });
      expect(await auth.verifyLoginCode('c5@x.com', '444444')).toBeNull();
    });

    it('counts only codes created inside the window (verified ones too)', async () => {
      time.set('2026-03-11T09:00:00Z');
      await auth.createLoginCode('c6@x.com'); // 60 min before the count: outside
      time.set('2026-03-11T09:50:00Z');
      await auth.createLoginCode('c6@x.com'); // exactly 10 min before: not strictly after the cut-off
      time.set('2026-03-11T09:55:00.5Z');
      const inside = await auth.createLoginCode('C6@x.com');
      await auth.createLoginCode('c6@x.com');
      time.set('2026-03-11T09:57:00Z');
      await auth.verifyLoginCode('c6@x.com', inside.code);
      time.set('2026-03-11T10:00:00Z');
      expect(await auth.countRecentCodeRequests('C6@X.COM')).toBe(2);
      expect(await auth.countRecentCodeRequests('c6@x.com', 61)).toBe(4);
      expect(await auth.countRecentCodeRequests('other@x.com')).toBe(0);
    });

    it('cleanupOldCodes deletes codes older than N days and returns the count', async () => {
      const own = await openTestDataSource(driver);
      const repo = repositoryOn(own, EmailAuthRepository, { clock: time.clock });
      time.set('2026-03-01T00:00:00Z');
      await repo.createLoginCode('old1@x.com');
      time.set('2026-03-01T23:59:59.999Z');
      await repo.createLoginCode('old2@x.com');
      time.set('2026-03-02T00:00:00.001Z');
      const fresh = await repo.createLoginCode('fresh@x.com');
      time.set('2026-03-03T00:00:00Z');
      expect(await repo.cleanupOldCodes()).toBe(2);
      expect(await repo.cleanupOldCodes(1)).toBe(0);
      const [{ n }] = await own.query(`SELECT COUNT(*) AS n FROM email_login_codes WHERE id = ${p(1)}`, [fresh.code_id]);
      expect(Number(n)).toBe(1);
      time.set('2026-03-10T00:00:00Z');
      expect(await repo.cleanupOldCodes(7)).toBe(1);
    });

    it('validates scalar arguments', async () => {
      await expect(auth.createLoginCode('c8@x.com', 1.5)).rejects.toMatchObject({ field: 'expiryMinutes' });
      await expect(auth.createLoginCode(null as unknown as string)).rejects.toMatchObject({ field: 'email' });
      await expect(auth.verifyLoginCode('c8@x.com', 123456 as unknown as string)).rejects.toMatchObject({ field: 'code' });
      expect(await auth.countRecentCodeRequests('c8@x.com', 1000)).toBe(0);
    });
  });

  describe('getOrCreateEmailUser', () => {
    it('creates username = email = the address with role user, then returns it', async () => {
      time.set('2026-03-12T00:00:00Z');
      const user = await auth.getOrCreateEmailUser('new-g1@x.com');
      expect(user).toEqual({
        id: expect.any(Number),
        username: 'new-g1@x.com',
        password: null,
        role: 'user',
        auth0_sub: null,
        name: null,
        picture: null,
        email: 'new-g1@x.com',
        created_at: new Date('2026-03-12T00:00:00Z'),
        updated_at: new Date('2026-03-12T00:00:00Z'),
        last_login: null,
      });
      expect(await auth.getOrCreateEmailUser('new-g1@x.com')).toEqual(user);
    });

    it('finds an existing user by its email column, whatever the username', async () => {
      const existing = await users.createUser({ username: 'g2-name', email: 'g2@x.com' });
      expect(await auth.getOrCreateEmailUser('g2@x.com')).toEqual(existing);
    });

    it('a mixed-case email returns null (the lookup is case-sensitive), creating the lower-cased user once', async () => {
      expect(await auth.getOrCreateEmailUser('New-G3@X.com')).toBeNull();
      // The user was created lower-cased all the same.
      expect(await users.getUserByUsername('new-g3@x.com')).toMatchObject({ email: 'new-g3@x.com' });
      // Now the lower-cased user exists and the exact-case lookup misses it: Python's INSERT failed on the username.
      const error = await auth.getOrCreateEmailUser('New-G3@X.com').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UniqueConstraintError);
      expect((error as Error).message).toBe('UNIQUE constraint failed: users.username');
      expect((await users.listUsers()).filter((u) => u.username === 'new-g3@x.com')).toHaveLength(1);
      // The lower-cased email finds the user.
      expect(await auth.getOrCreateEmailUser('new-g3@x.com')).toMatchObject({ username: 'new-g3@x.com' });
    });

    it('a user whose username is the lower-cased email but whose email column differs makes it throw, as in Python', async () => {
      await users.createUser({ username: 'g4@x.com', email: 'other-g4@x.com' });
      await expect(auth.getOrCreateEmailUser('g4@x.com')).rejects.toThrow('UNIQUE constraint failed: users.username');
    });
  });
});

describe('EmailAuthRepository on a migrated legacy file', () => {
  it('reads Python-written whitelist and codes and writes rows in the same naive format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const auth = repositoryOn(ds, EmailAuthRepository, { clock: () => new Date('2026-03-21T12:00:00Z') });
    // Python lower-cased 'zoë' with Unicode rules; the upper-case argument folds the same way here.
    expect(await auth.isEmailWhitelisted('ZOË@Example.DE')).toBe(true);
    expect(await auth.listWhitelist()).toEqual([
      { id: 3, email: 'zoë@example.de', added_by: '2', added_by_username: 'alice', added_at: new Date('2026-03-21T11:56:30.786Z'), source: 'manual' },
      { id: 2, email: 'bob.obrien@example.com', added_by: '1', added_by_username: 'admin', added_at: new Date('2026-03-21T11:56:30.784Z'), source: 'agent_sharing' },
      { id: 1, email: 'visitor.one@example.com', added_by: '2', added_by_username: 'alice', added_at: new Date('2026-03-21T11:56:30.783Z'), source: 'manual' },
    ]);
    // The legacy code expires at 12:12:30.853597 and is unverified; the verified one cannot be reused.
    expect(await auth.verifyLoginCode('Visitor.One@example.com', '014192')).toEqual({ code_id: 'oU4tuwfnRDsvj34Q5m9urQ', email: 'visitor.one@example.com', verified: true });
    expect(await auth.verifyLoginCode('chen.wei@example.cn', '498386')).toBeNull();
    expect(await auth.countRecentCodeRequests('chen.wei@example.cn', 10)).toBe(1);
    expect(await auth.getOrCreateEmailUser('chen.wei@example.cn')).toMatchObject({ id: 4, name: '陈伟 (Chen Wei)' });
    expect(await auth.addToWhitelist('Ünal@Example.com', 'dana')).toBe(true);
    const code = await auth.createLoginCode('Ünal@Example.com');
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) => ({
      whitelist: db.prepare(`SELECT id, email, added_by, added_at, source FROM email_whitelist WHERE id > 3`).all(),
      codes: db.prepare(`SELECT id, email, created_at, expires_at, verified, used_at FROM email_login_codes ORDER BY created_at`).all(),
    }));
    // sqlite_sequence for email_whitelist is 4 in the manifest: the next id is 5.
    expect(stored.whitelist).toEqual([{ id: 5, email: 'ünal@example.com', added_by: '5', added_at: '2026-03-21T12:00:00', source: 'manual' }]);
    expect(stored.codes).toEqual([
      { id: '6SDvGzXiivN4cMnmrHlV5Q', email: 'chen.wei@example.cn', created_at: '2026-03-21T11:56:30.788812', expires_at: '2026-03-21T12:06:30.788812', verified: 1, used_at: '2026-03-21T11:57:30.853391' },
      { id: 'oU4tuwfnRDsvj34Q5m9urQ', email: 'visitor.one@example.com', created_at: '2026-03-21T11:57:30.853597', expires_at: '2026-03-21T12:12:30.853597', verified: 1, used_at: '2026-03-21T12:00:00' },
      { id: code.code_id, email: 'ünal@example.com', created_at: '2026-03-21T12:00:00', expires_at: '2026-03-21T12:10:00', verified: 0, used_at: null },
    ]);
  });
});
