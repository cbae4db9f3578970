import type { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { InputValidationError, UniqueConstraintError } from '../../src/errors';
import { SlackRepository } from '../../src/repository/slack.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { legacyManifest } from '../support/fixtures';
import { failWrites, raw, testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const FIXTURE = 'trinity-2026-04-01-8068f0db.db';
const TEN_MINUTES = 10 * 60 * 1000;

/** A public link row as the public_links module would store it. */
async function insertLink(ds: TrinityDataSource, driver: Driver, id: string, agent: string, enabled: boolean, requireEmail: boolean) {
  const bool = (b: boolean) => (driver === 'sqlite' ? (b ? 1 : 0) : b);
  const createdAt = driver === 'sqlite' ? '2026-01-01T00:00:00' : new Date('2026-01-01T00:00:00Z');
  await raw(ds, driver, `INSERT INTO agent_public_links (id, agent_name, token, created_by, created_at, enabled, require_email) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
    id,
    agent,
    `tok-${id}`,
    'admin',
    createdAt,
    bool(enabled),
    bool(requireEmail),
  ]);
}

describe.each(DRIVERS)('SlackRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });

  function setup(start?: string) {
    const time = testClock(start);
    return { time, slack: repositoryOn(ds, SlackRepository, { clock: time.clock }) };
  }

  async function count(table: string, where: string, params: unknown[]): Promise<number> {
    const [row] = await raw(ds, driver, `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);
    return Number(row.n);
  }

  it('creates a connection with a plaintext token and reads it by id and by link', async () => {
    const { slack } = setup();
    const created = await slack.createSlackConnection('link-a1', 'T-A1', 'Acme', 'xoxb-a1', '7');
    expect(created).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      link_id: 'link-a1',
      slack_team_id: 'T-A1',
      slack_team_name: 'Acme',
      slack_bot_token: 'xoxb-a1',
      connected_by: '7',
      connected_at: new Date('2026-03-01T10:00:00.123Z'),
      enabled: true,
    });
    expect(await slack.getSlackConnection(created!.id)).toEqual(created);
    expect(await slack.getSlackConnectionByLink('link-a1')).toEqual(created);
    const [stored] = await raw(ds, driver, `SELECT slack_bot_token FROM slack_link_connections WHERE id = ?`, [created!.id]);
    expect(stored.slack_bot_token).toBe('xoxb-a1');
    expect(await slack.getSlackConnection('nope')).toBeNull();
    expect(await slack.getSlackConnectionByLink('nope')).toBeNull();
  });

  it('rejects a second connection for the same link or team with the UNIQUE error, and bad input by field', async () => {
    const { slack } = setup();
    await slack.createSlackConnection('link-b1', 'T-B1', null, 'xoxb-b1', '1');
    const sameLink = await slack.createSlackConnection('link-b1', 'T-B2', null, 'xoxb-b2', '1').catch((e: unknown) => e);
    expect(sameLink).toBeInstanceOf(UniqueConstraintError);
    expect((sameLink as Error).message).toBe('UNIQUE constraint failed: slack_link_connections.link_id');
    const sameTeam = await slack.createSlackConnection('link-b2', 'T-B1', null, 'xoxb-b3', '1').catch((e: unknown) => e);
    expect((sameTeam as Error).message).toBe('UNIQUE constraint failed: slack_link_connections.slack_team_id');
    expect((sameTeam as Error).message).not.toContain('xoxb');
    await expect(slack.createSlackConnection('', 'T-B3', null, 'xoxb', '1')).rejects.toMatchObject({ name: 'InputValidationError', field: 'link_id' });
    await expect(slack.createSlackConnection('link-b3', 'T-B3', null, 42 as unknown as string, '1')).rejects.toMatchObject({ field: 'slack_bot_token' });
    await expect(slack.createSlackConnection('link-b3', 'T-B3', null, 'xoxb', null as unknown as string)).rejects.toBeInstanceOf(InputValidationError);
    expect(await count('slack_link_connections', `link_id IN ('link-b2', 'link-b3')`, [])).toBe(0);
  });

  it('finds a connection by team only while it and its public link are enabled', async () => {
    const { slack } = setup();
    await insertLink(ds, driver, 'link-c1', 'agent-c', true, true);
    const created = await slack.createSlackConnection('link-c1', 'T-C1', 'Team C', 'xoxb-c1', '2');
    expect(await slack.getSlackConnectionByTeam('T-C1')).toEqual({ ...created, agent_name: 'agent-c', require_email: true });
    // Disabled link -> null, although the connection is enabled.
    await raw(ds, driver, `UPDATE agent_public_links SET enabled = ? WHERE id = ?`, [driver === 'sqlite' ? 0 : false, 'link-c1']);
    expect(await slack.getSlackConnectionByTeam('T-C1')).toBeNull();
    await raw(ds, driver, `UPDATE agent_public_links SET enabled = ? WHERE id = ?`, [driver === 'sqlite' ? 1 : true, 'link-c1']);
    // Disabled connection -> null.
    await slack.updateSlackConnection(created!.id, false);
    expect(await slack.getSlackConnectionByTeam('T-C1')).toBeNull();
    // No link row at all -> null.
    await slack.createSlackConnection('link-c-missing', 'T-C2', null, 'xoxb-c2', '2');
    expect(await slack.getSlackConnectionByTeam('T-C2')).toBeNull();
    // The link's expiry is not checked; require_email false reads as false.
    await insertLink(ds, driver, 'link-c3', 'agent-c3', true, false);
    await raw(ds, driver, `UPDATE agent_public_links SET expires_at = ? WHERE id = ?`, [driver === 'sqlite' ? '2020-01-01T00:00:00' : new Date('2020-01-01T00:00:00Z'), 'link-c3']);
    await slack.createSlackConnection('link-c3', 'T-C3', null, 'xoxb-c3', '2');
    expect(await slack.getSlackConnectionByTeam('T-C3')).toMatchObject({ agent_name: 'agent-c3', require_email: false, enabled: true });
  });

  it('updates only the given fields of a connection', async () => {
    const { slack } = setup();
    const created = (await slack.createSlackConnection('link-d1', 'T-D1', 'Old', 'xoxb-d1', '3'))!;
    expect(await slack.updateSlackConnection(created.id)).toEqual(created);
    expect(await slack.updateSlackConnection(created.id, false)).toEqual({ ...created, enabled: false });
    // null leaves the name as is (it cannot be cleared); enabled comes back.
    expect(await slack.updateSlackConnection(created.id, true, null)).toEqual(created);
    expect(await slack.updateSlackConnection(created.id, null, 'New')).toEqual({ ...created, slack_team_name: 'New' });
    expect(await slack.updateSlackConnection('unknown-d', true, 'x')).toBeNull();
    await expect(slack.updateSlackConnection(created.id, 'yes' as unknown as boolean)).rejects.toMatchObject({ field: 'enabled' });
    expect((await slack.getSlackConnection(created.id))!.enabled).toBe(true);
  });

  it('reads a NULL enabled as false (bool(None))', async () => {
    const { slack } = setup();
    const created = (await slack.createSlackConnection('link-n1', 'T-N1', null, 'xoxb-n1', '3'))!;
    await raw(ds, driver, `UPDATE slack_link_connections SET enabled = NULL WHERE id = ?`, [created.id]);
    expect((await slack.getSlackConnection(created.id))!.enabled).toBe(false);
  });

  it('deletes a connection with every verification of its link, whatever the team', async () => {
    const { slack } = setup();
    const created = (await slack.createSlackConnection('link-e1', 'T-E1', null, 'xoxb-e1', '4'))!;
    await slack.createUserVerification('link-e1', 'U-E1', 'T-E1', 'a@x.com', 'slack_profile');
    await slack.createUserVerification('link-e1', 'U-E2', 'T-OTHER', 'b@x.com', 'email_code');
    await slack.createPendingVerification('link-e1', 'U-E3', 'T-E9');
    await slack.createUserVerification('link-e2', 'U-E1', 'T-E1', 'a@x.com', 'slack_profile');
    await slack.createPendingVerification('link-e2', 'U-E4', 'T-E1');

    expect(await slack.deleteSlackConnection('unknown-e')).toBe(false);
    expect(await count('slack_user_verifications', `link_id IN ('link-e1', 'link-e2')`, [])).toBe(3);

    expect(await slack.deleteSlackConnection(created.id)).toBe(true);
    expect(await slack.getSlackConnection(created.id)).toBeNull();
    expect(await count('slack_user_verifications', 'link_id = ?', ['link-e1'])).toBe(0);
    expect(await count('slack_pending_verifications', 'link_id = ?', ['link-e1'])).toBe(0);
    expect(await slack.getUserVerification('link-e2', 'U-E1', 'T-E1')).not.toBeNull();
    expect(await slack.getPendingVerification('U-E4', 'T-E1')).not.toBeNull();
    expect(await slack.deleteSlackConnection(created.id)).toBe(false);
  });

  it('deletes by link unconditionally and reports only the connection delete', async () => {
    const { slack } = setup();
    await slack.createUserVerification('link-f1', 'U-F1', 'T-F1', 'f@x.com', 'email_code');
    await slack.createPendingVerification('link-f1', 'U-F2', 'T-F1');
    // No connection: the verifications still go, and the result is false.
    expect(await slack.deleteSlackConnectionByLink('link-f1')).toBe(false);
    expect(await count('slack_user_verifications', 'link_id = ?', ['link-f1'])).toBe(0);
    expect(await count('slack_pending_verifications', 'link_id = ?', ['link-f1'])).toBe(0);
    await slack.createSlackConnection('link-f1', 'T-F1', null, 'xoxb-f1', '5');
    expect(await slack.deleteSlackConnectionByLink('link-f1')).toBe(true);
    expect(await slack.getSlackConnectionByLink('link-f1')).toBeNull();
  });

  it('rolls the whole delete back when its last statement fails', async () => {
    const { slack } = setup();
    await slack.createSlackConnection('link-g1', 'T-G1', null, 'xoxb-g1', '6');
    await slack.createUserVerification('link-g1', 'U-G1', 'T-G1', 'g@x.com', 'email_code');
    await slack.createPendingVerification('link-g1', 'U-G2', 'T-G1', 'h@x.com');
    await failWrites(ds, driver, 'DELETE', 'slack_link_connections', { when: { column: 'link_id', value: 'link-g1' } });
    await expect(slack.deleteSlackConnectionByLink('link-g1')).rejects.toThrow('forced failure');
    await expect(slack.deleteSlackConnection((await slack.getSlackConnectionByLink('link-g1'))!.id)).rejects.toThrow('forced failure');
    expect(await slack.getSlackConnectionByLink('link-g1')).not.toBeNull();
    expect(await slack.getUserVerification('link-g1', 'U-G1', 'T-G1')).not.toBeNull();
    expect(await slack.getPendingVerification('U-G2', 'T-G1')).toMatchObject({ email: 'h@x.com' });
  });

  it('replaces a user verification with a new id (INSERT OR REPLACE semantics)', async () => {
    const { slack, time } = setup();
    const first = await slack.createUserVerification('link-h1', 'U-H1', 'T-H1', 'Mixed.Case@X.com', 'slack_profile');
    expect(first).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      link_id: 'link-h1',
      slack_user_id: 'U-H1',
      slack_team_id: 'T-H1',
      verified_email: 'Mixed.Case@X.com',
      verification_method: 'slack_profile',
      verified_at: new Date('2026-03-01T10:00:00.123Z'),
    });
    time.set('2026-03-02T08:00:00Z');
    const second = await slack.createUserVerification('link-h1', 'U-H1', 'T-H1', 'other@x.com', 'email_code');
    expect(second!.id).not.toBe(first!.id);
    expect(second).toMatchObject({ verified_email: 'other@x.com', verification_method: 'email_code', verified_at: new Date('2026-03-02T08:00:00Z') });
    expect(await count('slack_user_verifications', 'link_id = ?', ['link-h1'])).toBe(1);
    expect(await slack.getUserVerification('link-h1', 'U-H1', 'T-H1')).toEqual(second);
    // All three columns must match.
    expect(await slack.getUserVerification('link-h1', 'U-H1', 'T-OTHER')).toBeNull();
    await expect(slack.createUserVerification('link-h1', '', 'T-H1', 'e', 'm')).rejects.toMatchObject({ field: 'slack_user_id' });
  });

  it('keeps one pending verification per user and team, across links', async () => {
    const { slack } = setup();
    await slack.createPendingVerification('link-A', 'U-I1', 'T-I1', 'a@x.com');
    const b = await slack.createPendingVerification('link-B', 'U-I1', 'T-I1');
    expect(b).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      link_id: 'link-B',
      slack_user_id: 'U-I1',
      slack_team_id: 'T-I1',
      email: null,
      code: null,
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      expires_at: new Date('2026-03-01T10:10:00.123Z'),
      state: 'awaiting_email',
    });
    expect(await count('slack_pending_verifications', 'slack_user_id = ? AND slack_team_id = ?', ['U-I1', 'T-I1'])).toBe(1);
    // Another team of the same user is a separate row.
    await slack.createPendingVerification('link-A', 'U-I1', 'T-I2', null, '123456', 'awaiting_code');
    expect(await slack.getPendingVerification('U-I1', 'T-I2')).toMatchObject({ code: '123456', state: 'awaiting_code' });
    expect(await slack.getPendingVerification('U-I1', 'T-I1')).toEqual(b);
  });

  it('expires pending verifications after exactly ten minutes; an update revives them', async () => {
    const { slack, time } = setup();
    await slack.createPendingVerification('link-j', 'U-J1', 'T-J1', 'j@x.com');
    time.set('2026-03-01T10:10:00.122Z');
    expect(await slack.getPendingVerification('U-J1', 'T-J1')).not.toBeNull();
    time.set('2026-03-01T10:10:00.123Z');
    expect(await slack.getPendingVerification('U-J1', 'T-J1')).toBeNull();
    time.set('2026-03-01T10:11:00Z');
    expect(await slack.getPendingVerification('U-J1', 'T-J1')).toBeNull();
    // Not deleted: an update with no fields brings it back with a new expiry.
    const revived = await slack.updatePendingVerification('U-J1', 'T-J1');
    expect(revived).toMatchObject({ email: 'j@x.com', state: 'awaiting_email', expires_at: new Date('2026-03-01T10:21:00Z'), created_at: new Date('2026-03-01T10:00:00.123Z') });
    expect(await slack.updatePendingVerification('U-NONE', 'T-J1', 'x@x.com')).toBeNull();
  });

  it('updates state and code and keeps the email', async () => {
    const { slack, time } = setup();
    await slack.createPendingVerification('link-k', 'U-K1', 'T-K1', 'k@x.com');
    time.advance(60_000);
    const updated = await slack.updatePendingVerification('U-K1', 'T-K1', null, '654321', 'awaiting_code');
    expect(updated).toMatchObject({ email: 'k@x.com', code: '654321', state: 'awaiting_code', expires_at: new Date(new Date('2026-03-01T10:01:00.123Z').getTime() + TEN_MINUTES) });
    await expect(slack.updatePendingVerification('U-K1', 'T-K1', 5 as unknown as string)).rejects.toMatchObject({ field: 'email' });
    expect((await slack.getPendingVerification('U-K1', 'T-K1'))!.email).toBe('k@x.com');
  });

  it('deletes pending verifications and cleans up only the expired ones', async () => {
    const { slack, time } = setup('2026-05-01T00:00:00Z');
    await slack.createPendingVerification('link-l', 'U-L1', 'T-L1');
    expect(await slack.deletePendingVerification('U-L1', 'T-L1')).toBe(true);
    expect(await slack.deletePendingVerification('U-L1', 'T-L1')).toBe(false);

    await slack.createPendingVerification('link-l', 'U-L2', 'T-L1'); // expires 00:10
    time.set('2026-05-01T00:05:00Z');
    await slack.createPendingVerification('link-l', 'U-L3', 'T-L1'); // expires 00:15
    time.set('2026-05-01T00:12:00Z');
    const removed = await slack.cleanupExpiredPendingVerifications();
    // Rows of other tests (created in March) have expired too; at least ours went, and the live one stays.
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await count('slack_pending_verifications', 'slack_user_id = ?', ['U-L2'])).toBe(0);
    expect(await slack.getPendingVerification('U-L3', 'T-L1')).not.toBeNull();
    expect(await slack.cleanupExpiredPendingVerifications()).toBe(0);
  });
});

describe('SlackRepository on a migrated legacy file', () => {
  it('reads the Python-written rows and writes NAIVE_ISO text like them', async () => {
    const copy = legacyFixtureCopy(FIXTURE);
    const manifest = legacyManifest();
    const checks = manifest.files.find((f: { file: string }) => f.file === FIXTURE).checks as { table: string; pk: Record<string, unknown>; values: Record<string, unknown> }[];
    const pendingCheck = checks.find((c) => c.table === 'slack_pending_verifications')!;
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    // Python wrote these rows at 2026-03-21T11:56:30 (faked clock); pending rows expire ten minutes later.
    const slack = repositoryOn(ds, SlackRepository, { clock: () => new Date('2026-03-21T12:00:00Z') });
    const raw = await ds.query(`SELECT * FROM slack_link_connections`);
    expect(raw).toHaveLength(1);
    const [link] = await ds.query(`SELECT agent_name, require_email FROM agent_public_links WHERE id = ?`, [raw[0].link_id]);

    const connection = await slack.getSlackConnectionByTeam(raw[0].slack_team_id);
    expect(connection).toMatchObject({ id: raw[0].id, slack_bot_token: raw[0].slack_bot_token, enabled: true, agent_name: link.agent_name, require_email: link.require_email === 1 });
    expect(connection!.slack_bot_token.startsWith('xoxb-')).toBe(true);
    expect(connection!.connected_at.getTime()).toBe(new Date(raw[0].connected_at + 'Z').getTime());

    const pending = await slack.getPendingVerification(pendingCheck.values.slack_user_id as string, raw[0].slack_team_id);
    expect(pending).toMatchObject({ id: pendingCheck.pk.id, code: pendingCheck.values.code, email: pendingCheck.values.email, state: 'awaiting_code' });
    expect(pending!.expires_at.getTime() - pending!.created_at.getTime()).toBe(TEN_MINUTES);
    const [verification] = await ds.query(`SELECT * FROM slack_user_verifications`);
    expect(await slack.getUserVerification(verification.link_id, verification.slack_user_id, verification.slack_team_id)).toMatchObject({
      id: verification.id,
      verified_email: verification.verified_email,
    });

    // Our writes: same shape as the Python rows (microseconds; fraction dropped at .000000).
    const writer = repositoryOn(ds, SlackRepository, { clock: () => new Date('2026-04-02T09:30:15.250Z') });
    await writer.createSlackConnection('new-link', 'T-NEW', null, 'xoxb-new', '1');
    await writer.createUserVerification('new-link', 'U-NEW', 'T-NEW', 'n@x.com', 'slack_profile');
    await writer.createPendingVerification('new-link', 'U-NEW', 'T-NEW');
    await repositoryOn(ds, SlackRepository, { clock: () => new Date('2026-04-02T09:30:15Z') }).updatePendingVerification('U-NEW', 'T-NEW', null, '111111');
    await ds.destroy();
    withDatabase(copy.path, (db) => {
      const naive = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;
      expect((db.prepare(`SELECT connected_at FROM slack_link_connections WHERE id = ?`).get(raw[0].id) as { connected_at: string }).connected_at).toMatch(naive);
      expect(db.prepare(`SELECT connected_at, enabled, typeof(enabled) AS t FROM slack_link_connections WHERE link_id = 'new-link'`).get()).toEqual({
        connected_at: '2026-04-02T09:30:15.250000',
        enabled: 1,
        t: 'integer',
      });
      expect(db.prepare(`SELECT verified_at FROM slack_user_verifications WHERE link_id = 'new-link'`).get()).toEqual({ verified_at: '2026-04-02T09:30:15.250000' });
      expect(db.prepare(`SELECT created_at, expires_at FROM slack_pending_verifications WHERE link_id = 'new-link'`).get()).toEqual({
        created_at: '2026-04-02T09:30:15.250000',
        expires_at: '2026-04-02T09:40:15',
      });
    });
  });
});
