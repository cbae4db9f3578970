import { randomBytes } from 'crypto';
import { CredentialEncryption, CredentialEncryptionError, encryptionKeyFromEnv } from '../../src/codec/credential-encryption';
import type { TrinityDataSource } from '../../src/data-source';
import { placeholders, type Driver } from '../../src/dialect';
import { InputValidationError } from '../../src/errors';
import { SubscriptionNotFoundError, SubscriptionRepository } from '../../src/repository/subscription.repository';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { legacyManifest } from '../support/fixtures';
import type { TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const TOKEN = 'sk-ant-oat01-TestTokenValue-0001';

describe.each(DRIVERS)('SubscriptionRepository on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  let subs: SubscriptionRepository;
  let users: UserRepository;
  let time: TestClock;
  const key = randomBytes(32);
  const encryption = new CredentialEncryption(() => key);

  beforeAll(async () => {
    ({ ds, time, repository: subs } = await openRepository(driver, SubscriptionRepository, { encryption }));
    users = repositoryOn(ds, UserRepository, { clock: time.clock });
  });

  beforeEach(() => time.set('2026-03-01T10:00:00.123Z'));

  const q = (sql: string, params: unknown[] = []) => ds.query(placeholders(driver, sql), params);

  async function addUser(username: string, email: string | null = `${username}@x.com`): Promise<number> {
    return (await users.createUser({ username, email })).id;
  }

  async function addAgent(name: string, ownerId: number, subscriptionId: string | null = null): Promise<void> {
    await q(`INSERT INTO agent_ownership (agent_name, owner_id, created_at, subscription_id) VALUES (?, ?, ?, ?)`, [name, ownerId, '2026-01-01T00:00:00Z', subscriptionId]);
  }

  /** A timestamp as a legacy writer stored it: raw text on SQLite, the instant on PostgreSQL. */
  const stored = (text: string) => (driver === 'sqlite' ? text : new Date(/[Zz]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`));

  async function resetSubscriptions(): Promise<void> {
    await q(`UPDATE agent_ownership SET subscription_id = NULL`);
    await q(`DELETE FROM subscription_credentials`);
    await q(`DELETE FROM subscription_rate_limit_events`);
  }

  it('creates a subscription, stores the token encrypted, and reads it back by id and name', async () => {
    const owner = await addUser('owner1');
    const created = await subs.createSubscription('max-1', TOKEN, owner, 'max', 'tier-5x');
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      name: 'max-1',
      subscription_type: 'max',
      rate_limit_tier: 'tier-5x',
      owner_id: owner,
      owner_email: 'owner1@x.com',
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      updated_at: new Date('2026-03-01T10:00:00.123Z'),
      agent_count: 0,
    });
    expect(created).not.toHaveProperty('encrypted_credentials');
    await addAgent('sub-create-a1', owner, created.id);
    expect(await subs.getSubscription(created.id)).toEqual({ ...created, agent_count: 1 });
    expect(await subs.getSubscriptionByName('max-1')).toEqual({ ...created, agent_count: 1 });
    expect(await subs.getSubscriptionByName('MAX-1')).toBeNull();
    expect(await subs.getSubscription('no-such-id')).toBeNull();
    const [{ encrypted_credentials }] = await q(`SELECT encrypted_credentials FROM subscription_credentials WHERE id = ?`, [created.id]);
    expect(encrypted_credentials).not.toContain(TOKEN);
    expect(encryption.decrypt(encrypted_credentials)).toEqual({ token: TOKEN });
    expect(await subs.getSubscriptionToken(created.id)).toBe(TOKEN);
    expect(await subs.getSubscriptionToken('no-such-id')).toBeNull();
  });

  it('re-registering a name keeps id, owner and created_at, replaces the token, nulls omitted fields, and returns agent_count 0', async () => {
    const first = await addUser('owner2');
    const second = await addUser('owner2b');
    const original = await subs.createSubscription('shared-name', TOKEN, first, 'max', 'tier');
    await addAgent('rereg-a1', first, original.id);
    time.set('2026-03-02T08:00:00Z');
    const again = await subs.createSubscription('shared-name', 'sk-ant-oat01-second', second);
    expect(again).toEqual({ ...original, subscription_type: null, rate_limit_tier: null, updated_at: new Date('2026-03-02T08:00:00Z'), agent_count: 0 });
    expect(await subs.getSubscriptionToken(original.id)).toBe('sk-ant-oat01-second');
    expect((await subs.getSubscription(original.id))?.agent_count).toBe(1);
    const [{ n }] = await q(`SELECT COUNT(*) AS n FROM subscription_credentials WHERE name = ?`, ['shared-name']);
    expect(Number(n)).toBe(1);
  });

  it('an unknown owner: the row is written, then the call throws, and the subscription stays invisible', async () => {
    const error = await subs.createSubscription('orphan-sub', TOKEN, 987654).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscriptionNotFoundError);
    expect((error as Error).message).not.toContain(TOKEN);
    const rows = await q(`SELECT id FROM subscription_credentials WHERE name = ?`, ['orphan-sub']);
    expect(rows).toHaveLength(1);
    expect(await subs.getSubscription(rows[0].id)).toBeNull();
    expect(await subs.getSubscriptionByName('orphan-sub')).toBeNull();
    expect((await subs.listSubscriptions()).map((s) => s.name)).not.toContain('orphan-sub');
    // The token read does not join users.
    expect(await subs.getSubscriptionToken(rows[0].id)).toBe(TOKEN);
  });

  it('rejects bad input by field, and a missing key, before anything is written', async () => {
    const owner = await addUser('owner3');
    await expect(subs.createSubscription('', TOKEN, owner)).rejects.toMatchObject({ name: 'InputValidationError', field: 'name' });
    await expect(subs.createSubscription('bad-1', 42 as unknown as string, owner)).rejects.toMatchObject({ field: 'token' });
    await expect(subs.createSubscription('bad-2', TOKEN, '3' as unknown as number)).rejects.toMatchObject({ field: 'owner_id' });
    await expect(subs.createSubscription('bad-3', TOKEN, owner, 5 as unknown as string)).rejects.toBeInstanceOf(InputValidationError);
    const noKey = repositoryOn(ds, SubscriptionRepository, { encryption: new CredentialEncryption(() => encryptionKeyFromEnv({})) });
    const error = await noKey.createSubscription('bad-4', TOKEN, owner).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialEncryptionError);
    expect((error as Error).message).not.toContain(TOKEN);
    const rows = await q(`SELECT name FROM subscription_credentials WHERE name IN ('bad-1', 'bad-2', 'bad-3', 'bad-4', '')`);
    expect(rows).toEqual([]);
  });

  it('token reads: another key throws without leaking, legacy and unknown payloads give null', async () => {
    const owner = await addUser('owner4');
    const sub = await subs.createSubscription('token-kinds', TOKEN, owner);
    const otherKey = repositoryOn(ds, SubscriptionRepository, { encryption: new CredentialEncryption(() => randomBytes(32)) });
    const error = await otherKey.getSubscriptionToken(sub.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialEncryptionError);
    expect((error as Error).message).not.toContain(TOKEN);
    const noKey = repositoryOn(ds, SubscriptionRepository, { encryption: new CredentialEncryption(() => encryptionKeyFromEnv({})) });
    await expect(noKey.getSubscriptionToken(sub.id)).rejects.toBeInstanceOf(CredentialEncryptionError);

    const setPayload = (payload: Record<string, unknown>) =>
      q(`UPDATE subscription_credentials SET encrypted_credentials = ? WHERE id = ?`, [encryption.encrypt(payload), sub.id]);
    await setPayload({ '.credentials.json': '{"claudeAiOauth": {}}' });
    expect(await subs.getSubscriptionToken(sub.id)).toBeNull();
    await setPayload({ something: 'else' });
    expect(await subs.getSubscriptionToken(sub.id)).toBeNull();
    await setPayload({ token: '' });
    expect(await subs.getSubscriptionToken(sub.id)).toBeNull();
    await q(`UPDATE subscription_credentials SET encrypted_credentials = ? WHERE id = ?`, ['not an envelope', sub.id]);
    await expect(subs.getSubscriptionToken(sub.id)).rejects.toBeInstanceOf(CredentialEncryptionError);
  });

  it('lists by name in byte order, filters by a truthy owner only, and lists the agents of each', async () => {
    const owner = await addUser('owner5');
    const other = await addUser('owner5b');
    const b = await subs.createSubscription('list-B', TOKEN, owner);
    const a = await subs.createSubscription('list-a', TOKEN, owner);
    const c = await subs.createSubscription('list-C', TOKEN, other);
    // Byte order (SQLite BINARY): upper case before lower case.
    expect((await subs.listSubscriptions(owner)).map((s) => s.name)).toEqual(['list-B', 'list-a']);
    expect((await subs.listSubscriptions(other)).map((s) => s.id)).toEqual([c.id]);
    const all = (await subs.listSubscriptions()).map((s) => s.name);
    expect(all).toEqual(expect.arrayContaining(['list-B', 'list-a', 'list-C']));
    expect((await subs.listSubscriptions(0)).map((s) => s.name)).toEqual(all);
    expect((await subs.listSubscriptions(null)).map((s) => s.name)).toEqual(all);
    expect(all).toEqual([...all].sort((x, y) => (Buffer.from(x) < Buffer.from(y) ? -1 : 1)));

    await addAgent('list-z-agent', owner, b.id);
    await addAgent('list-a-agent', owner, b.id);
    const withAgents = await subs.listSubscriptionsWithAgents(owner);
    expect(withAgents).toEqual([
      { ...(await subs.getSubscription(b.id)), agents: ['list-z-agent', 'list-a-agent'], agent_count: 2 },
      { ...(await subs.getSubscription(a.id)), agents: [], agent_count: 0 },
    ]);
    expect(await subs.getAgentsBySubscription(b.id)).toEqual(['list-z-agent', 'list-a-agent']);
    expect(await subs.getAgentsBySubscription('none')).toEqual([]);
  });

  it('deletes a subscription, unassigning its agents and keeping its rate-limit events', async () => {
    const owner = await addUser('owner6');
    const sub = await subs.createSubscription('to-delete', TOKEN, owner);
    await addAgent('del-a1', owner, sub.id);
    await addAgent('del-a2', owner, sub.id);
    await subs.recordRateLimitEvent('del-a1', sub.id, '429');
    expect(await subs.deleteSubscription(sub.id)).toBe(true);
    expect(await subs.getSubscription(sub.id)).toBeNull();
    expect(await subs.getAgentSubscriptionId('del-a1')).toBeNull();
    expect(await subs.getAgentSubscriptionId('del-a2')).toBeNull();
    const events = await q(`SELECT id FROM subscription_rate_limit_events WHERE subscription_id = ?`, [sub.id]);
    expect(events).toHaveLength(1);
    expect(await subs.deleteSubscription(sub.id)).toBe(false);
    expect(await subs.deleteSubscription('never-existed')).toBe(false);
  });

  it('a failing delete rolls back the unassignment (one transaction)', async () => {
    const own = await openTestDataSource(driver);
    const repo = repositoryOn(own, SubscriptionRepository, { encryption });
    const user = await repositoryOn(own, UserRepository).createUser({ username: 'tx' });
    await own.query(placeholders(driver, `INSERT INTO agent_ownership (agent_name, owner_id, created_at, subscription_id) VALUES (?, ?, ?, ?)`), [
      'tx-agent',
      user.id,
      '2026-01-01T00:00:00Z',
      'sub-x',
    ]);
    await own.query(`ALTER TABLE subscription_credentials RENAME TO subscription_credentials_gone`);
    await expect(repo.deleteSubscription('sub-x')).rejects.toThrow();
    expect(await repo.getAgentSubscriptionId('tx-agent')).toBe('sub-x');
  });

  it('assigns, re-assigns and clears, and refuses unknown subscriptions and agents with the legacy messages', async () => {
    const owner = await addUser('owner7');
    const one = await subs.createSubscription('assign-1', TOKEN, owner);
    const two = await subs.createSubscription('assign-2', TOKEN, owner);
    await addAgent('assign-agent', owner);
    expect(await subs.getAgentSubscription('assign-agent')).toBeNull();
    expect(await subs.assignSubscriptionToAgent('assign-agent', one.id)).toBe(true);
    expect(await subs.assignSubscriptionToAgent('assign-agent', one.id)).toBe(true); // same value: still matched
    expect(await subs.getAgentSubscriptionId('assign-agent')).toBe(one.id);
    expect(await subs.getAgentSubscription('assign-agent')).toEqual({ ...one, agent_count: 1 });

    const noSub = await subs.assignSubscriptionToAgent('assign-agent', 'missing-sub').catch((e: unknown) => e);
    expect(noSub).toBeInstanceOf(SubscriptionNotFoundError);
    expect((noSub as Error).message).toBe('Subscription missing-sub not found');
    const ghost = await subs.assignSubscriptionToAgent('ghost', two.id).catch((e: unknown) => e);
    expect(ghost).toBeInstanceOf(SubscriptionNotFoundError);
    expect((ghost as Error).message).toBe('Agent ghost not found in ownership table');
    expect(await subs.getAgentSubscriptionId('assign-agent')).toBe(one.id);
    expect(await subs.getAgentsBySubscription(two.id)).toEqual([]);

    expect(await subs.clearAgentSubscription('assign-agent')).toBe(true);
    expect(await subs.getAgentSubscriptionId('assign-agent')).toBeNull();
    expect(await subs.getAgentSubscription('assign-agent')).toBeNull();
    expect(await subs.clearAgentSubscription('ghost')).toBe(true);
    expect(await subs.getAgentSubscriptionId('ghost')).toBeNull();
    await expect(subs.assignSubscriptionToAgent('', one.id)).rejects.toMatchObject({ field: 'agentName' });
  });

  it('counts rate-limit events per (agent, subscription) in an exact 2-hour window', async () => {
    time.set('2026-03-05T10:00:00Z');
    expect(await subs.recordRateLimitEvent('rl-agent', 'rl-sub', 'first 429')).toBe(1);
    time.set('2026-03-05T11:00:00Z');
    expect(await subs.recordRateLimitEvent('rl-agent', 'rl-sub')).toBe(2);
    expect(await subs.recordRateLimitEvent('rl-other-agent', 'rl-sub')).toBe(1);
    expect(await subs.recordRateLimitEvent('rl-agent', 'rl-other-sub')).toBe(1);
    // 2 h after the first event it no longer counts (the window is "> now - 2 h").
    time.set('2026-03-05T12:00:00Z');
    expect(await subs.recordRateLimitEvent('rl-agent', 'rl-sub')).toBe(2);
    time.set('2026-03-05T12:59:59.999Z');
    expect(await subs.recordRateLimitEvent('rl-agent', 'rl-sub')).toBe(3);
    const [{ error_message }] = await q(`SELECT error_message FROM subscription_rate_limit_events WHERE agent_name = ? AND subscription_id = ? ORDER BY occurred_at LIMIT 1`, [
      'rl-agent',
      'rl-sub',
    ]);
    expect(error_message).toBe('first 429');
    await expect(subs.recordRateLimitEvent('rl-agent', 'rl-sub', null as unknown as string)).rejects.toMatchObject({ field: 'errorMessage' });
  });

  it('a subscription is rate-limited for 2 hours after any agent\'s event, not until the next UTC day', async () => {
    time.set('2026-03-06T00:05:00Z');
    await subs.recordRateLimitEvent('lim-agent', 'lim-sub');
    expect(await subs.isSubscriptionRateLimited('lim-sub')).toBe(true);
    time.set('2026-03-06T02:04:59Z');
    expect(await subs.isSubscriptionRateLimited('lim-sub')).toBe(true);
    // Python kept it limited until 2026-03-07T01:59:59 (text comparison against datetime('now')).
    time.set('2026-03-06T02:05:01Z');
    expect(await subs.isSubscriptionRateLimited('lim-sub')).toBe(false);
    // An event from 23:00 the day before counts at 00:59 and no longer at 01:01.
    time.set('2026-03-06T23:00:00Z');
    await subs.recordRateLimitEvent('lim-agent-2', 'lim-sub-2');
    time.set('2026-03-07T00:59:00Z');
    expect(await subs.isSubscriptionRateLimited('lim-sub-2')).toBe(true);
    time.set('2026-03-07T01:01:00Z');
    expect(await subs.isSubscriptionRateLimited('lim-sub-2')).toBe(false);
    expect(await subs.isSubscriptionRateLimited('never-limited')).toBe(false);
  });

  it('clears the events of one (agent, subscription) pair only', async () => {
    await subs.recordRateLimitEvent('clr-a', 'clr-sub');
    await subs.recordRateLimitEvent('clr-a', 'clr-sub');
    await subs.recordRateLimitEvent('clr-b', 'clr-sub');
    await subs.clearRateLimitEvents('clr-a', 'clr-sub');
    expect(await subs.recordRateLimitEvent('clr-a', 'clr-sub')).toBe(1);
    expect(await subs.recordRateLimitEvent('clr-b', 'clr-sub')).toBe(2);
  });

  it('cleanup deletes events older than exactly 24 hours', async () => {
    await resetSubscriptions();
    for (const at of ['2026-03-09T00:01:00Z', '2026-03-09T09:59:59Z', '2026-03-09T10:00:01Z', '2026-03-10T09:00:00Z']) {
      time.set(at);
      await subs.recordRateLimitEvent('cleanup-agent', 'cleanup-sub', at);
    }
    time.set('2026-03-10T10:00:00Z');
    // Python deleted only rows dated 2026-03-08 or earlier: the 34-hour-old event survived.
    expect(await subs.cleanupOldRateLimitEvents()).toBe(2);
    const left = await q(`SELECT error_message FROM subscription_rate_limit_events ORDER BY occurred_at`);
    expect(left.map((r: { error_message: string }) => r.error_message)).toEqual(['2026-03-09T10:00:01Z', '2026-03-10T09:00:00Z']);
    expect(await subs.cleanupOldRateLimitEvents()).toBe(0);
  });

  it('picks the least used subscription that is not rate-limited, by name on ties', async () => {
    await resetSubscriptions();
    expect(await subs.getLeastUsedSubscription()).toBeNull();
    const owner = await addUser('owner8');
    const a = await subs.createSubscription('lu-A', TOKEN, owner);
    const b = await subs.createSubscription('lu-B', TOKEN, owner);
    await addAgent('lu-agent', owner, a.id);
    await subs.recordRateLimitEvent('someone', b.id);
    expect(await subs.getLeastUsedSubscription()).toEqual({ ...(await subs.getSubscription(a.id)), agent_count: 1 });
    const c = await subs.createSubscription('lu-C', TOKEN, owner);
    const a0 = await subs.createSubscription('lu-0', TOKEN, owner);
    expect((await subs.getLeastUsedSubscription())?.id).toBe(a0.id);
    await subs.recordRateLimitEvent('someone', a0.id);
    expect((await subs.getLeastUsedSubscription())?.id).toBe(c.id);
    await subs.recordRateLimitEvent('someone', c.id);
    await subs.recordRateLimitEvent('someone', a.id);
    expect(await subs.getLeastUsedSubscription()).toBeNull();
    // Two hours later nothing is limited: of the three without agents, lu-0 sorts first (byte order).
    time.set('2026-03-01T12:00:00.124Z');
    expect((await subs.getLeastUsedSubscription())?.id).toBe(a0.id);
  });

  it('selects the best alternative: another subscription, fewest agents, not rate-limited', async () => {
    await resetSubscriptions();
    const owner = await addUser('owner9');
    const current = await subs.createSubscription('alt-current', TOKEN, owner);
    expect(await subs.selectBestAlternativeSubscription(current.id)).toBeNull();
    const busy = await subs.createSubscription('alt-busy', TOKEN, owner);
    const idle = await subs.createSubscription('alt-idle', TOKEN, owner);
    await addAgent('alt-a1', owner, busy.id);
    await addAgent('alt-a2', owner, busy.id);
    await addAgent('alt-a3', owner, idle.id);
    expect((await subs.selectBestAlternativeSubscription(current.id))?.id).toBe(idle.id);
    await subs.recordRateLimitEvent('alt-a3', idle.id);
    expect(await subs.selectBestAlternativeSubscription(current.id)).toMatchObject({ id: busy.id, agent_count: 2 });
    await subs.recordRateLimitEvent('alt-a1', busy.id);
    expect(await subs.selectBestAlternativeSubscription(current.id)).toBeNull();
    expect((await subs.selectBestAlternativeSubscription('unknown'))?.id).toBe(current.id);
  });

  it('sums usage over 5 hours and 7 days from assistant messages and finished executions, whatever the stored time format', async () => {
    const owner = await addUser('owner10');
    const sub = await subs.createSubscription('usage', TOKEN, owner);
    await addAgent('usage-agent', owner, sub.id);
    time.set('2026-03-10T12:00:00Z'); // 5 h cut-off 07:00:00, 7 d cut-off 2026-03-03T12:00:00
    let n = 0;
    const chat = (role: string, ts: string, input: number | null, output: number | null, cost: number | null, subscriptionId = sub.id) =>
      q(
        `INSERT INTO chat_messages (id, session_id, agent_name, user_id, user_email, role, content, "timestamp", cost, context_used, subscription_id, output_tokens)
         VALUES (?, 's', 'usage-agent', 1, 'u@x', ?, 'c', ?, ?, ?, ?, ?)`,
        [`usage-msg-${driver}-${n++}`, role, stored(ts), cost, input, subscriptionId, output],
      );
    const execution = (status: string, startedAt: string, input: number | null, cost: number | null) =>
      q(
        `INSERT INTO schedule_executions (id, schedule_id, agent_name, status, started_at, message, triggered_by, context_used, cost, subscription_id)
         VALUES (?, '__manual__', 'usage-agent', ?, ?, 'm', 'manual', ?, ?, ?)`,
        [`usage-exec-${driver}-${n++}`, status, stored(startedAt), input, cost, sub.id],
      );
    await chat('assistant', '2026-03-10T07:00:00', 100, 10, 0.5, sub.id); // exactly at the 5 h cut-off: counts
    await chat('assistant', '2026-03-10T06:59:59.999000', 200, 20, 0.25); // 7 d only
    await chat('user', '2026-03-10T11:00:00', 1000, 1000, 1000); // user role: never
    await chat('assistant', '2026-03-03T11:59:59', 5000, 5000, 5000); // older than 7 d
    await chat('assistant', '2026-03-10T11:00:00', 7000, 7000, 7000, 'other-sub');
    await execution('success', '2026-03-10T07:00:00', 1, 0.125); // naive text at the cut-off (scheduler service): counts
    await execution('failed', '2026-03-10T07:00:00.000000Z', 2, null); // Z6 at the cut-off; NULL cost adds 0
    await execution('success', '2026-03-10T06:59:59.999999Z', 4, 1); // Z6 just before: 7 d only
    await execution('success', '2026-03-03T12:00:00.500000', 8, 2); // naive, just inside 7 d
    await execution('running', '2026-03-10T11:00:00.000000Z', 10000, 10000);
    await execution('pending', '2026-03-10T11:00:00.000000Z', 10000, 10000);
    await execution('success', '2026-03-03T11:59:59.999999Z', 10000, 10000); // older than 7 d

    expect(await subs.getSubscriptionUsage(sub.id)).toEqual({
      subscription_id: sub.id,
      window_5h: { input_tokens: 100 + 1 + 2, output_tokens: 10, cost_usd: 0.5 + 0.125, message_count: 3 },
      window_7d: { input_tokens: 100 + 200 + 1 + 2 + 4 + 8, output_tokens: 30, cost_usd: 0.5 + 0.25 + 0.125 + 1 + 2, message_count: 6 },
      agents: ['usage-agent'],
    });
    expect(await subs.getSubscriptionUsage('unknown-sub')).toEqual({
      subscription_id: 'unknown-sub',
      window_5h: { input_tokens: 0, output_tokens: 0, cost_usd: 0, message_count: 0 },
      window_7d: { input_tokens: 0, output_tokens: 0, cost_usd: 0, message_count: 0 },
      agents: [],
    });
  });

  it('concurrent registrations of one name and concurrent rate-limit events lose nothing', async () => {
    const owner = await addUser('owner11');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => subs.createSubscription('concurrent', `sk-ant-oat01-${i}`, owner)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const [{ n }] = await q(`SELECT COUNT(*) AS n FROM subscription_credentials WHERE name = 'concurrent'`);
    expect(Number(n)).toBe(1);
    expect(await subs.getSubscriptionToken(results[0].id)).toMatch(/^sk-ant-oat01-[0-7]$/);

    const counts = await Promise.all(Array.from({ length: 6 }, () => subs.recordRateLimitEvent('conc-agent', 'conc-sub')));
    expect(Math.max(...counts)).toBe(6);
    expect(await subs.recordRateLimitEvent('conc-agent', 'conc-sub')).toBe(7);
  });
});

describe('SubscriptionRepository on a migrated legacy file', () => {
  const manifest = legacyManifest();
  const fixtureKey = manifest.environment.CREDENTIAL_ENCRYPTION_KEY as string;
  const ALICE_MAX = '5ca5e395-6fad-4dc7-ba1f-fd94a862ef6d';

  it('reads the Python-written subscriptions, tokens, events and usage, and writes rows in the same formats', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    let now = new Date('2026-03-18T14:50:08Z'); // one hour after the fixture's rate-limit event
    const encryption = new CredentialEncryption(() => encryptionKeyFromEnv({ CREDENTIAL_ENCRYPTION_KEY: fixtureKey }));
    const subs = repositoryOn(ds, SubscriptionRepository, { clock: () => now, encryption });

    const raw = withDatabase(copy.path, (db) => ({
      agents: (db.prepare(`SELECT agent_name FROM agent_ownership WHERE subscription_id = ? ORDER BY id`).all(ALICE_MAX) as { agent_name: string }[]).map((r) => r.agent_name),
      row: db.prepare(`SELECT * FROM subscription_credentials WHERE id = ?`).get(ALICE_MAX) as Record<string, string | number>,
      ownerEmail: (db.prepare(`SELECT u.email FROM users u JOIN subscription_credentials s ON s.owner_id = u.id WHERE s.id = ?`).get(ALICE_MAX) as { email: string }).email,
    }));
    const sub = await subs.getSubscription(ALICE_MAX);
    expect(sub).toEqual({
      id: ALICE_MAX,
      name: raw.row.name,
      subscription_type: 'max', // manifest check
      rate_limit_tier: 'default_claude_max_5x', // manifest check
      owner_id: raw.row.owner_id,
      owner_email: raw.ownerEmail,
      created_at: new Date(`${raw.row.created_at}Z`.replace(/(\.\d{3})\d{3}Z$/, '$1Z')),
      updated_at: new Date(`${raw.row.updated_at}Z`.replace(/(\.\d{3})\d{3}Z$/, '$1Z')),
      agent_count: raw.agents.length,
    });
    expect(await subs.getAgentsBySubscription(ALICE_MAX)).toEqual(raw.agents);
    // Every Python-written token decrypts to a Claude OAuth token.
    for (const s of await subs.listSubscriptions()) expect(await subs.getSubscriptionToken(s.id)).toMatch(/^sk-ant-oat01-/);
    expect(await subs.isSubscriptionRateLimited(ALICE_MAX)).toBe(true);
    now = new Date('2026-03-18T15:50:09Z');
    expect(await subs.isSubscriptionRateLimited(ALICE_MAX)).toBe(false);

    // Usage: the fixture's assistant messages (2026-03-21 06:39/06:40) and executions (03-21 05:06Z, 03-19 02:50Z).
    now = new Date('2026-03-21T07:00:00Z');
    const usage = await subs.getSubscriptionUsage(ALICE_MAX);
    expect(usage.window_5h).toMatchObject({ input_tokens: 12000 + 180000 + 150321, output_tokens: 812 + 32000, message_count: 3 });
    expect(usage.window_5h.cost_usd).toBeCloseTo(0.0123 + 0.9876 + 1.23456789, 10);
    expect(usage.window_7d).toMatchObject({ input_tokens: 12000 + 180000 + 150321 + 45210, message_count: 4 });

    // New rows are stored as the Python layer stores them.
    now = new Date('2026-05-01T12:00:00Z');
    const created = await subs.createSubscription('port-written', 'sk-ant-oat01-port', 2);
    await subs.recordRateLimitEvent('research-bot', created.id, 'limit');
    await ds.destroy();
    const written = withDatabase(copy.path, (db) => ({
      python: db.prepare(`SELECT encrypted_credentials, created_at FROM subscription_credentials WHERE id = ?`).get(ALICE_MAX) as Record<string, string>,
      port: db.prepare(`SELECT encrypted_credentials, created_at, updated_at, typeof(owner_id) AS owner_type FROM subscription_credentials WHERE name = 'port-written'`).get() as Record<string, string>,
      event: db.prepare(`SELECT occurred_at FROM subscription_rate_limit_events WHERE subscription_id = ?`).get(created.id) as { occurred_at: string },
    }));
    expect(written.python.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(written.port).toMatchObject({ created_at: '2026-05-01T12:00:00', updated_at: '2026-05-01T12:00:00', owner_type: 'integer' });
    expect(written.event.occurred_at).toBe('2026-05-01T12:00:00');
    // Same envelope layout (indent-2 JSON, same key order) as the Python rows.
    const shape = (text: string) => text.replace(/"[A-Za-z0-9+/=]+"(,?)$/gm, '"…"$1');
    expect(shape(written.port.encrypted_credentials)).toBe(shape(written.python.encrypted_credentials));
    expect(encryption.decrypt(written.port.encrypted_credentials)).toEqual({ token: 'sk-ant-oat01-port' });
  });
});
