import type { TrinityDataSource } from '../../src/data-source';
import { placeholders, type Driver } from '../../src/dialect';
import { InputValidationError, InvalidColumnValueError } from '../../src/errors';
import { PublicChatRepository } from '../../src/repository/public-chat.repository';
import { PublicLinkRepository } from '../../src/repository/public-link.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const START = '2026-03-01T10:00:00.123Z';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe.each(DRIVERS)('PublicLinkRepository on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });

  function setup(start = START) {
    const time = testClock(start);
    return { time, links: repositoryOn(ds, PublicLinkRepository, { clock: time.clock }) };
  }

  /** Raw SQL with `?` placeholders on either driver. */
  function query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return ds.query(placeholders(driver, sql), params);
  }

  /** A naive UTC text as a stored timestamp parameter: legacy text on SQLite, a UTC instant on PostgreSQL. */
  function stored(naive: string): string {
    return driver === 'sqlite' ? naive : `${naive}Z`;
  }

  async function insertUsage(row: { id: string; link_id: string; email?: string | null; ip?: string | null; count: number; last_used_at: string }) {
    await query(`INSERT INTO public_link_usage (id, link_id, email, ip_address, message_count, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      row.id,
      row.link_id,
      row.email ?? null,
      row.ip ?? null,
      row.count,
      stored('2026-01-01T00:00:00'),
      stored(row.last_used_at),
    ]);
  }

  async function verificationStates(linkId: string): Promise<Record<string, number>> {
    const rows = await query<{ code: string; verified: number }>(`SELECT code, verified FROM public_link_verifications WHERE link_id = ?`, [linkId]);
    return Object.fromEntries(rows.map((r) => [r.code, Number(r.verified)]));
  }

  // ------------------------------------------------------------------ links

  it('creates a link and reads it back by id and by (case-sensitive) token', async () => {
    const { links } = setup();
    const link = await links.createPublicLink('agent-create', 'alice', 'Demo', true, '2026-12-31T23:59:59');
    expect(link).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      agent_name: 'agent-create',
      token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      created_by: 'alice',
      created_at: new Date(START),
      expires_at: new Date('2026-12-31T23:59:59Z'),
      enabled: true,
      name: 'Demo',
      require_email: true,
    });
    expect(await links.getPublicLink(link!.id)).toEqual(link);
    expect(await links.getPublicLinkByToken(link!.token)).toEqual(link);
    const flipped = link!.token.replace(/[a-z]/, (c) => c.toUpperCase());
    if (flipped !== link!.token) expect(await links.getPublicLinkByToken(flipped)).toBeNull();
    expect(await links.getPublicLink('no-such-id')).toBeNull();
    expect(await links.getPublicLinkByToken('no-such-token')).toBeNull();
    // Defaults: no name, no e-mail requirement, no expiry.
    expect(await links.createPublicLink('agent-create', 'bob')).toMatchObject({ name: null, require_email: false, expires_at: null, enabled: true });
  });

  it('rejects bad create input by field and writes nothing', async () => {
    const { links } = setup();
    await expect(links.createPublicLink('', 'alice')).rejects.toMatchObject({ name: 'InputValidationError', field: 'agent_name' });
    await expect(links.createPublicLink('agent-bad', '')).rejects.toMatchObject({ field: 'created_by' });
    await expect(links.createPublicLink('agent-bad', 'alice', 5 as never)).rejects.toMatchObject({ field: 'name' });
    await expect(links.createPublicLink('agent-bad', 'alice', null, 'yes' as never)).rejects.toMatchObject({ field: 'require_email' });
    await expect(links.createPublicLink('agent-bad', 'alice', null, false, '2026-13-45')).rejects.toBeInstanceOf(InputValidationError);
    await expect(links.createPublicLink('agent-bad', 'alice', null, false, 'tomorrow')).rejects.toMatchObject({ field: 'expires_at' });
    expect(await links.listAgentPublicLinks('agent-bad')).toEqual([]);
  });

  it('lists an agent’s links newest first', async () => {
    const { links, time } = setup();
    const first = await links.createPublicLink('agent-list', 'alice', 'one');
    time.advance(1);
    const second = await links.createPublicLink('agent-list', 'alice', 'two');
    time.advance(HOUR);
    const third = await links.createPublicLink('agent-list', 'alice', 'three');
    await links.createPublicLink('agent-list-other', 'alice');
    expect((await links.listAgentPublicLinks('agent-list')).map((l) => l.id)).toEqual([third!.id, second!.id, first!.id]);
    expect(await links.listAgentPublicLinks('nobody')).toEqual([]);
  });

  it('updates only the given fields; null means unchanged; an empty expiry removes it', async () => {
    const { links, time } = setup();
    const link = (await links.createPublicLink('agent-update', 'alice', 'Name', false, '2026-03-02T00:00:00'))!;
    // No fields: nothing changes.
    expect(await links.updatePublicLink(link.id)).toEqual(link);
    expect(await links.updatePublicLink(link.id, null, null, null, null)).toEqual(link);
    const updated = await links.updatePublicLink(link.id, '', false, true);
    expect(updated).toEqual({ ...link, name: '', enabled: false, require_email: true });
    const reenabled = await links.updatePublicLink(link.id, undefined, true, undefined, '2026-03-05T12:00:00+02:00');
    expect(reenabled).toEqual({ ...link, name: '', require_email: true, expires_at: new Date('2026-03-05T10:00:00Z') });
    // '' = no expiry: the link stays valid long after the old expiry.
    expect((await links.updatePublicLink(link.id, undefined, undefined, undefined, ''))!.expires_at).toBeNull();
    time.set('2030-01-01T00:00:00Z');
    expect((await links.isLinkValid(link.token))[0]).toBe(true);
    expect(await links.updatePublicLink('no-such-id', 'x', true)).toBeNull();
    expect(await links.getPublicLink('no-such-id')).toBeNull();
  });

  it('rejects bad update input by field before writing', async () => {
    const { links } = setup();
    const link = (await links.createPublicLink('agent-update-bad', 'alice', 'Keep'))!;
    await expect(links.updatePublicLink(link.id, 'New', 'yes' as never)).rejects.toMatchObject({ field: 'enabled' });
    await expect(links.updatePublicLink(link.id, 'New', true, 1 as never)).rejects.toMatchObject({ field: 'require_email' });
    await expect(links.updatePublicLink(link.id, 'New', true, true, 'not a date')).rejects.toMatchObject({ field: 'expires_at' });
    expect(await links.getPublicLink(link.id)).toEqual(link);
  });

  it('checks validity in the order not_found, disabled, expired; expiry is strict and naive means UTC', async () => {
    const { links, time } = setup('2026-03-01T10:00:00.000Z');
    expect(await links.isLinkValid('missing-token')).toEqual([false, 'not_found', null]);
    const expiring = (await links.createPublicLink('agent-valid', 'alice', null, false, '2026-03-01T12:00:00'))!;
    const offset = (await links.createPublicLink('agent-valid', 'alice', null, false, '2026-03-01T13:00:00+01:00'))!;
    const disabled = (await links.createPublicLink('agent-valid', 'alice', null, false, '2026-03-01T09:00:00'))!;
    await links.updatePublicLink(disabled.id, undefined, false);
    // Disabled and expired: disabled is reported.
    expect(await links.isLinkValid(disabled.token)).toEqual([false, 'disabled', null]);
    expect(await links.isLinkValid(expiring.token)).toEqual([true, null, expiring]);
    time.set('2026-03-01T12:00:00.000Z'); // exactly the expiry of both (the offset one is 12:00 UTC)
    expect((await links.isLinkValid(expiring.token))[0]).toBe(true);
    expect((await links.isLinkValid(offset.token))[0]).toBe(true);
    time.set('2026-03-01T12:00:00.001Z');
    expect(await links.isLinkValid(expiring.token)).toEqual([false, 'expired', null]);
    expect(await links.isLinkValid(offset.token)).toEqual([false, 'expired', null]);
  });

  it('refuses a malformed expiry on write, and throws on a legacy row holding one', async () => {
    const { links } = setup();
    const link = (await links.createPublicLink('agent-malformed', 'alice'))!;
    await expect(links.updatePublicLink(link.id, undefined, undefined, undefined, '2026-13-45')).rejects.toBeInstanceOf(InputValidationError);
    if (driver === 'sqlite') {
      // Only SQLite can hold such text (timestamptz cannot): the Python layer raised ValueError here.
      await query(`UPDATE agent_public_links SET expires_at = '2026-13-45' WHERE id = ?`, [link.id]);
      expect((await links.getPublicLink(link.id))!.expires_at).toBeNull();
      await expect(links.isLinkValid(link.token)).rejects.toBeInstanceOf(InvalidColumnValueError);
    } else {
      expect(await links.isLinkValid(link.token)).toEqual([true, null, link]);
    }
  });

  // ------------------------------------------------------------------ verification

  it('creates a verification code for the lower-cased email', async () => {
    const { links } = setup();
    const created = await links.createVerification('link-ver-1', 'Visitor@Example.COM');
    expect(created).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      code: expect.stringMatching(/^[1-9]\d{5}$/),
      expires_at: new Date(new Date(START).getTime() + 10 * MINUTE),
      expires_in_seconds: 600,
    });
    const [row] = await query<{ email: string; code: string; verified: number; session_token: string | null }>(
      `SELECT email, code, verified, session_token FROM public_link_verifications WHERE id = ?`,
      [created.id],
    );
    expect({ ...row, verified: Number(row.verified) }).toEqual({ email: 'visitor@example.com', code: created.code, verified: 0, session_token: null });
    expect((await links.createVerification('link-ver-1', 'x@example.com', 3)).expires_in_seconds).toBe(180);
    await expect(links.createVerification('link-ver-1', 'x@example.com', 2.5)).rejects.toMatchObject({ field: 'expiryMinutes' });
    await expect(links.createVerification('link-ver-1', null as never)).rejects.toMatchObject({ field: 'email' });
  });

  it('a new code supersedes the pending code of the same link and email only', async () => {
    const { links, time } = setup();
    const old = await links.createVerification('link-ver-2', 'a@x.com');
    const otherEmail = await links.createVerification('link-ver-2', 'b@x.com');
    const otherLink = await links.createVerification('link-ver-2b', 'a@x.com');
    time.advance(MINUTE);
    const fresh = await links.createVerification('link-ver-2', 'A@X.com');
    expect((await verificationStates('link-ver-2'))[old.code]).toBe(-1);
    expect(await links.verifyCode('link-ver-2', 'a@x.com', old.code)).toEqual([false, 'invalid_code', null]);
    expect((await links.verifyCode('link-ver-2', 'a@x.com', fresh.code))[0]).toBe(true);
    expect((await links.verifyCode('link-ver-2', 'b@x.com', otherEmail.code))[0]).toBe(true);
    expect((await links.verifyCode('link-ver-2b', 'a@x.com', otherLink.code))[0]).toBe(true);
  });

  it('verifies a code once, case-insensitively on the email, and issues a session', async () => {
    const { links } = setup();
    const { code } = await links.createVerification('link-ver-3', 'mixed@x.com');
    expect(await links.verifyCode('link-ver-3', 'mixed@x.com', '000000')).toEqual([false, 'invalid_code', null]);
    expect(await links.verifyCode('link-ver-other', 'mixed@x.com', code)).toEqual([false, 'invalid_code', null]);
    const result = await links.verifyCode('link-ver-3', 'MIXED@X.com', code);
    expect(result).toEqual([true, null, { session_token: expect.stringMatching(/^session_[A-Za-z0-9_-]{43}$/), expires_at: new Date(new Date(START).getTime() + 24 * HOUR) }]);
    expect(await verificationStates('link-ver-3')).toEqual({ [code]: 1 });
    // Used codes are gone.
    expect(await links.verifyCode('link-ver-3', 'mixed@x.com', code)).toEqual([false, 'invalid_code', null]);
    const second = await links.createVerification('link-ver-3', 'short@x.com');
    expect((await links.verifyCode('link-ver-3', 'short@x.com', second.code, 2))[2]?.expires_at).toEqual(new Date(new Date(START).getTime() + 2 * HOUR));
  });

  it('an expired code fails as code_expired every time and stays pending; expiry is strict', async () => {
    const { links, time } = setup();
    const { code, expires_at } = await links.createVerification('link-ver-4', 'late@x.com');
    time.set(expires_at.toISOString()); // exactly at expiry: still valid
    const onTime = await links.createVerification('link-ver-4b', 'late@x.com', 0);
    expect((await links.verifyCode('link-ver-4b', 'late@x.com', onTime.code))[0]).toBe(true);
    time.advance(1);
    expect(await links.verifyCode('link-ver-4', 'late@x.com', code)).toEqual([false, 'code_expired', null]);
    expect(await links.verifyCode('link-ver-4', 'late@x.com', code)).toEqual([false, 'code_expired', null]);
    expect(await verificationStates('link-ver-4')).toEqual({ [code]: 0 });
  });

  it('a code is consumed at most once under concurrent verification', async () => {
    const { links } = setup();
    const { code } = await links.createVerification('link-ver-5', 'race@x.com');
    const results = await Promise.all(Array.from({ length: 10 }, () => links.verifyCode('link-ver-5', 'race@x.com', code)));
    expect(results.filter((r) => r[0])).toHaveLength(1);
    expect(results.filter((r) => !r[0]).every((r) => r[1] === 'invalid_code')).toBe(true);
  });

  it('validates sessions of the right link until they expire', async () => {
    const { links, time } = setup();
    const { code } = await links.createVerification('link-ses', 'Sess@X.com');
    const [, , session] = await links.verifyCode('link-ses', 'sess@x.com', code, 1);
    const token = session!.session_token;
    expect(await links.validateSession('link-ses', token)).toEqual([true, 'sess@x.com']);
    expect(await links.validateSession('link-ses-other', token)).toEqual([false, null]);
    expect(await links.validateSession('link-ses', 'session_unknown')).toEqual([false, null]);
    time.set(session!.expires_at.toISOString());
    expect(await links.validateSession('link-ses', token)).toEqual([true, 'sess@x.com']);
    time.advance(1);
    expect(await links.validateSession('link-ses', token)).toEqual([false, null]);
  });

  it('counts verification requests of an email in the window, across links and states', async () => {
    const { links, time } = setup('2026-03-01T10:00:00.000Z');
    await links.createVerification('link-cnt-1', 'count@x.com'); // 10:00:00 (stored without a fraction)
    time.set('2026-03-01T10:04:00.500Z');
    const { code } = await links.createVerification('link-cnt-2', 'Count@x.com');
    await links.verifyCode('link-cnt-2', 'count@x.com', code);
    await links.createVerification('link-cnt-1', 'count@x.com'); // supersedes the first one
    await links.createVerification('link-cnt-1', 'someone@x.com');
    expect(await links.countRecentVerificationRequests('COUNT@x.com')).toBe(3);
    // Exactly 10 minutes after the first: the window is strict, the first is out.
    time.set('2026-03-01T10:10:00.000Z');
    expect(await links.countRecentVerificationRequests('count@x.com')).toBe(2);
    time.set('2026-03-01T10:09:59.999Z');
    expect(await links.countRecentVerificationRequests('count@x.com')).toBe(3);
    expect(await links.countRecentVerificationRequests('count@x.com', 6)).toBe(2);
    time.set('2026-03-01T10:14:00.500Z');
    expect(await links.countRecentVerificationRequests('count@x.com')).toBe(0);
    expect(await links.countRecentVerificationRequests('nobody@x.com')).toBe(0);
  });

  // ------------------------------------------------------------------ usage

  it('records usage per (link, email, ip): increments the matching row, else inserts', async () => {
    const { links, time } = setup();
    const first = await links.recordUsage('link-use-1', 'v@x.com', '1.1.1.1');
    expect(first).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), recorded: true });
    time.advance(MINUTE);
    expect(await links.recordUsage('link-use-1', 'v@x.com', '1.1.1.1')).toEqual(first);
    // Emails are case-sensitive here: a new row.
    const upper = await links.recordUsage('link-use-1', 'V@x.com', '1.1.1.1');
    expect(upper.id).not.toBe(first.id);
    // Another link: a new row.
    expect((await links.recordUsage('link-use-1b', 'v@x.com', '1.1.1.1')).id).not.toBe(first.id);
    const [row] = await query<Record<string, unknown>>(`SELECT message_count, created_at, last_used_at FROM public_link_usage WHERE id = ?`, [first.id]);
    expect(Number(row.message_count)).toBe(2);
    expect(await links.getLinkUsageStats('link-use-1')).toEqual({
      total_messages: 3,
      unique_users: 2,
      unique_ips: 1,
      last_used_at: new Date(new Date(START).getTime() + MINUTE),
    });
  });

  it('a usage row without an ip matches any ip; a call without an ip matches only ip-less rows', async () => {
    const { links } = setup();
    const anonymous = await links.recordUsage('link-use-2');
    expect(await links.recordUsage('link-use-2', null, '1.2.3.4')).toEqual(anonymous);
    expect(await links.recordUsage('link-use-2', null, '5.6.7.8')).toEqual(anonymous);
    // An email row with an ip is not matched by an ip-less call.
    const withIp = await links.recordUsage('link-use-2', 'e@x.com', '9.9.9.9');
    const withoutIp = await links.recordUsage('link-use-2', 'e@x.com');
    expect(withoutIp.id).not.toBe(withIp.id);
    // The ip-less e@x.com row now matches any ip for e@x.com (its ip stays NULL) ...
    expect(await links.recordUsage('link-use-2', 'e@x.com', '1.2.3.4')).toEqual(withoutIp);
    // ... and a NULL email matches only NULL-email rows, not the e@x.com row of that ip.
    expect(await links.recordUsage('link-use-2', null, '9.9.9.9')).toEqual(anonymous);
    const stats = await links.getLinkUsageStats('link-use-2');
    expect(stats).toMatchObject({ total_messages: 7, unique_users: 1, unique_ips: 1 });
    await expect(links.recordUsage('', 'e@x.com')).rejects.toMatchObject({ field: 'linkId' });
    await expect(links.recordUsage('link-use-2', 5 as never)).rejects.toMatchObject({ field: 'email' });
  });

  it('gives zero stats for an unused link', async () => {
    const { links } = setup();
    expect(await links.getLinkUsageStats('link-unused')).toEqual({ total_messages: 0, unique_users: 0, unique_ips: 0, last_used_at: null });
  });

  it('loses no count under 50 concurrent usage records (existing and new rows)', async () => {
    const { links } = setup();
    const existing = await links.recordUsage('link-race', 'r@x.com', '10.0.0.1');
    const ids = await Promise.all(Array.from({ length: 50 }, () => links.recordUsage('link-race', 'r@x.com', '10.0.0.1')));
    expect(new Set(ids.map((r) => r.id))).toEqual(new Set([existing.id]));
    // A key that has no row yet: one row is created, not 50.
    const fresh = await Promise.all(Array.from({ length: 50 }, () => links.recordUsage('link-race-new', null, '10.0.0.2')));
    expect(new Set(fresh.map((r) => r.id)).size).toBe(1);
    expect((await links.getLinkUsageStats('link-race')).total_messages).toBe(51);
    expect((await links.getLinkUsageStats('link-race-new')).total_messages).toBe(50);
  });

  it('sums the lifetime counters of rows an ip or a link used within the window', async () => {
    const { links } = setup('2026-03-01T10:00:00.000Z');
    await insertUsage({ id: 'u-ip-1', link_id: 'link-win-a', ip: '7.7.7.7', count: 57, last_used_at: '2026-03-01T09:59:50.250000' });
    await insertUsage({ id: 'u-ip-2', link_id: 'link-win-b', ip: '7.7.7.7', count: 3, last_used_at: '2026-03-01T09:59:30' });
    await insertUsage({ id: 'u-ip-3', link_id: 'link-win-a', ip: '7.7.7.7', count: 100, last_used_at: '2026-03-01T09:59:00' }); // exactly at the cut-off
    await insertUsage({ id: 'u-ip-4', link_id: 'link-win-a', ip: '8.8.8.8', count: 5, last_used_at: '2026-03-01T09:59:59' });
    // The lifetime total of a row touched 10 s ago, not the messages of the last minute; across links.
    expect(await links.countRecentMessagesByIp('7.7.7.7')).toBe(60);
    expect(await links.countRecentMessagesByIp('7.7.7.7', 2)).toBe(160);
    expect(await links.countRecentMessagesByIp('203.0.113.99')).toBe(0);
    expect(await links.countRecentMessagesByToken('link-win-a')).toBe(62);
    expect(await links.countRecentMessagesByToken('link-win-b', 0.25)).toBe(0);
    expect(await links.countRecentMessagesByToken('link-win-b', 0.5)).toBe(0); // 30 s ago is exactly the cut-off
    expect(await links.countRecentMessagesByToken('link-win-b', 0.6)).toBe(3);
    await expect(links.countRecentMessagesByIp('7.7.7.7', NaN)).rejects.toMatchObject({ field: 'minutes' });
  });

  // ------------------------------------------------------------------ memory

  it('gets or creates per-visitor memory by lower-cased email', async () => {
    const { links, time } = setup();
    const created = await links.getOrCreateUserMemory('agent-mem', 'Bob@X.com');
    expect(created).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      agent_name: 'agent-mem',
      user_email: 'bob@x.com',
      memory_text: '',
      message_count: 0,
      created_at: new Date(START),
      updated_at: new Date(START),
    });
    time.advance(HOUR);
    expect(await links.getOrCreateUserMemory('agent-mem', 'bob@x.com')).toEqual(created);
    expect((await links.getOrCreateUserMemory('agent-mem-2', 'bob@x.com')).id).not.toBe(created.id);
    // Concurrent first calls all get the same row.
    const raced = await Promise.all(Array.from({ length: 10 }, () => links.getOrCreateUserMemory('agent-mem-race', 'r@x.com')));
    expect(new Set(raced.map((m) => m.id)).size).toBe(1);
  });

  it('increments and updates memory only for existing rows', async () => {
    const { links, time } = setup();
    expect(await links.incrementMessageCount('agent-inc', 'ghost@x.com')).toBe(0);
    expect(await links.updateUserMemory('agent-inc', 'ghost@x.com', 'x')).toBe(false);
    const [{ n }] = await query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM public_user_memory WHERE agent_name = 'agent-inc'`);
    expect(Number(n)).toBe(0);
    await links.getOrCreateUserMemory('agent-inc', 'm@x.com');
    time.advance(MINUTE);
    expect(await links.incrementMessageCount('agent-inc', 'M@x.com')).toBe(1);
    expect(await links.incrementMessageCount('agent-inc', 'm@x.com')).toBe(2);
    time.advance(MINUTE);
    expect(await links.updateUserMemory('agent-inc', 'M@X.COM', '- likes tea\n- Zoë 🙂')).toBe(true);
    expect(await links.getOrCreateUserMemory('agent-inc', 'm@x.com')).toMatchObject({
      memory_text: '- likes tea\n- Zoë 🙂',
      message_count: 2,
      created_at: new Date(START),
      updated_at: new Date(new Date(START).getTime() + 2 * MINUTE),
    });
    await expect(links.updateUserMemory('agent-inc', 'm@x.com', null as never)).rejects.toMatchObject({ field: 'memoryText' });
  });

  it('loses no increment under 50 concurrent calls', async () => {
    const { links } = setup();
    await links.getOrCreateUserMemory('agent-inc-race', 'c@x.com');
    const counts = await Promise.all(Array.from({ length: 50 }, () => links.incrementMessageCount('agent-inc-race', 'c@x.com')));
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await links.getOrCreateUserMemory('agent-inc-race', 'c@x.com')).message_count).toBe(50);
  });

  // ------------------------------------------------------------------ deletes

  it('deletes a link with its verifications and usage, but not sessions or memory', async () => {
    const { links, time } = setup();
    const chat = repositoryOn(ds, PublicChatRepository, { clock: time.clock });
    const link = (await links.createPublicLink('agent-del', 'alice'))!;
    const keep = (await links.createPublicLink('agent-del', 'alice'))!;
    for (const l of [link, keep]) {
      await links.createVerification(l.id, 'd@x.com');
      await links.recordUsage(l.id, 'd@x.com', '1.1.1.1');
    }
    const session = await chat.getOrCreateSession(link.id, 'd@x.com', 'email');
    await links.getOrCreateUserMemory('agent-del', 'd@x.com');
    expect(await links.deletePublicLink(link.id)).toBe(true);
    expect(await links.getPublicLink(link.id)).toBeNull();
    expect(await verificationStates(link.id)).toEqual({});
    expect((await links.getLinkUsageStats(link.id)).total_messages).toBe(0);
    expect(Object.keys(await verificationStates(keep.id))).toHaveLength(1);
    expect((await links.getLinkUsageStats(keep.id)).total_messages).toBe(1);
    expect(await chat.getSession(session.id)).not.toBeNull();
    expect((await links.getOrCreateUserMemory('agent-del', 'd@x.com')).agent_name).toBe('agent-del');
    // Unknown id: false, but orphaned child rows still go.
    await links.createVerification('orphan-link', 'o@x.com');
    await links.recordUsage('orphan-link', 'o@x.com');
    expect(await links.deletePublicLink('orphan-link')).toBe(false);
    expect(await verificationStates('orphan-link')).toEqual({});
    expect((await links.getLinkUsageStats('orphan-link')).total_messages).toBe(0);
  });

  it('deletes all links of an agent with their children and returns the link count', async () => {
    const { links } = setup();
    const a = (await links.createPublicLink('agent-delall', 'alice'))!;
    const b = (await links.createPublicLink('agent-delall', 'alice'))!;
    const other = (await links.createPublicLink('agent-delall-other', 'alice'))!;
    for (const l of [a, b, other]) {
      await links.createVerification(l.id, 'x@x.com');
      await links.recordUsage(l.id, null, '2.2.2.2');
    }
    expect(await links.deleteAgentPublicLinks('agent-delall')).toBe(2);
    expect(await links.listAgentPublicLinks('agent-delall')).toEqual([]);
    for (const l of [a, b]) {
      expect(await verificationStates(l.id)).toEqual({});
      expect((await links.getLinkUsageStats(l.id)).total_messages).toBe(0);
    }
    expect(Object.keys(await verificationStates(other.id))).toHaveLength(1);
    expect((await links.getLinkUsageStats(other.id)).total_messages).toBe(1);
    expect(await links.deleteAgentPublicLinks('agent-delall')).toBe(0);
  });

  it('rolls a failed link delete back completely', async () => {
    const own = await openTestDataSource(driver);
    const links = repositoryOn(own, PublicLinkRepository, { clock: () => new Date(START) });
    const link = (await links.createPublicLink('agent-rollback', 'alice'))!;
    await links.createVerification(link.id, 'r@x.com');
    await links.recordUsage(link.id, 'r@x.com');
    // The third statement (the link row) fails: the child deletes must be undone.
    await own.query(`ALTER TABLE agent_public_links RENAME TO agent_public_links_gone`);
    await expect(links.deletePublicLink(link.id)).rejects.toThrow();
    const [{ n: verifications }] = await own.query(`SELECT COUNT(*) AS n FROM public_link_verifications`);
    const [{ n: usage }] = await own.query(`SELECT COUNT(*) AS n FROM public_link_usage`);
    expect([Number(verifications), Number(usage)]).toEqual([1, 1]);
    await own.destroy();
  });
});

describe('PublicLinkRepository on a migrated legacy file', () => {
  it('reads Python-written links, codes, usage and memory, and writes rows in the same naive format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const time = testClock('2026-03-21T12:00:00.000Z');
    const links = repositoryOn(ds, PublicLinkRepository, { clock: time.clock });

    const cornelius = await links.getPublicLinkByToken('v8H4ptPQN4G_6E42a5KcV10noPg91XhN');
    expect(cornelius).toEqual({
      id: 'G-FZLGUvxyK8yCePgYHuOg',
      agent_name: 'cornelius',
      token: 'v8H4ptPQN4G_6E42a5KcV10noPg91XhN',
      created_by: 'bob.obrien@example.com',
      created_at: new Date('2026-03-21T11:50:33.806Z'),
      expires_at: new Date('2026-12-31T23:59:59Z'),
      enabled: true,
      name: null,
      require_email: false,
    });
    expect(await links.getPublicLink('wKTA2HAVt34WzbOQ2HSNKA')).toMatchObject({ enabled: false, name: "Ops (disabled) — it's \\ off", created_by: 'alice' });
    expect(await links.isLinkValid('51s91S4LrJtXMpyA5TFFhKoODGnIzV36')).toEqual([false, 'disabled', null]);
    expect((await links.isLinkValid('0KV6spYD9rILvJLTlH-cA6QJP4JVsKad'))[2]).toMatchObject({ name: 'Research demo 🚀', require_email: true, expires_at: null });

    expect(await links.getLinkUsageStats('G-FZLGUvxyK8yCePgYHuOg')).toEqual({
      total_messages: 3,
      unique_users: 0,
      unique_ips: 2,
      last_used_at: new Date('2026-03-21T11:56:22.168Z'),
    });
    // visitor.one's session runs until 2026-03-22T11:52:34.410627.
    const session = 'session_7fYodtzg5A_XAcWIwxLL_13WEqer5wl9JaScFa6_ZYg';
    expect(await links.validateSession('kTetfP3X3T4y3MuMiNDtTw', session)).toEqual([true, 'visitor.one@example.com']);
    // The superseded code (-1) is invalid; the pending one (expires 12:03:35.082426) is accepted once.
    expect(await links.verifyCode('kTetfP3X3T4y3MuMiNDtTw', 'visitor.two@example.com', '481514')).toEqual([false, 'invalid_code', null]);
    time.set('2026-03-21T11:55:00.000Z');
    expect(await links.countRecentVerificationRequests('Visitor.Two@example.com', 3)).toBe(2); // 11:52:34 and 11:53:35
    expect(await links.countRecentVerificationRequests('Visitor.Two@example.com', 2)).toBe(1); // 11:53:35 only
    expect((await links.verifyCode('kTetfP3X3T4y3MuMiNDtTw', 'Visitor.Two@example.com', '741175'))[0]).toBe(true);
    expect(await links.getOrCreateUserMemory('research-bot', 'Visitor.One@example.com')).toMatchObject({
      id: 'sdQL64283iqa8M0_xir6aw',
      memory_text: '- Prefers concise answers\n- Timezone: Europe/Berlin\n- Name: Zoë 🙂',
      message_count: 2,
      updated_at: new Date('2026-03-21T11:56:30.767Z'),
    });
    expect(await links.incrementMessageCount('research-bot', 'visitor.one@example.com')).toBe(3);

    // New rows, one with a whole-second clock (Python drops a .000000 fraction).
    time.set('2026-05-01T12:00:00.250Z');
    const link = (await links.createPublicLink('cornelius', 'alice', 'New', true, '2026-06-01T00:00:00'))!;
    await links.createVerification(link.id, 'New@Example.com');
    time.set('2026-05-01T12:00:01.000Z');
    await links.recordUsage('G-FZLGUvxyK8yCePgYHuOg', null, '198.51.100.23');
    await ds.destroy();

    withDatabase(copy.path, (db) => {
      const storedLink = db.prepare(`SELECT created_at, expires_at, enabled, typeof(enabled) AS t, require_email FROM agent_public_links WHERE id = ?`).get(link.id);
      expect(storedLink).toEqual({ created_at: '2026-05-01T12:00:00.250000', expires_at: '2026-06-01T00:00:00', enabled: 1, t: 'integer', require_email: 1 });
      const verification = db.prepare(`SELECT email, created_at, expires_at, verified FROM public_link_verifications WHERE link_id = ?`).get(link.id);
      expect(verification).toEqual({ email: 'new@example.com', created_at: '2026-05-01T12:00:00.250000', expires_at: '2026-05-01T12:10:00.250000', verified: 0 });
      // The Python row (ip 198.51.100.23, count 2) was incremented, not duplicated.
      const usage = db.prepare(`SELECT message_count, created_at, last_used_at FROM public_link_usage WHERE id = 'hvknl2kJi8TVsOym9gRY6w'`).get();
      expect(usage).toEqual({ message_count: 3, created_at: '2026-03-21T11:55:51.352965', last_used_at: '2026-05-01T12:00:01' });
      const session = db.prepare(`SELECT session_expires_at FROM public_link_verifications WHERE code = '741175'`).get() as { session_expires_at: string };
      expect(session.session_expires_at).toBe('2026-03-22T11:55:00');
    });
  });
});
