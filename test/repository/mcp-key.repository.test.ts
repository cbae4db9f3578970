import { createHash } from 'crypto';
import type { TrinityDataSource } from '../../src/data-source';
import { InputValidationError } from '../../src/errors';
import { McpKeyRepository, hashApiKey } from '../../src/repository/mcp-key.repository';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { raw, type TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('McpKeyRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let keys: McpKeyRepository;
  let users: UserRepository;

  beforeAll(async () => {
    ({ ds, time, repository: keys } = await openRepository(driver, McpKeyRepository));
    users = repositoryOn(ds, UserRepository, { clock: time.clock });
  });

  /** One raw row. */
  async function rawKey(id: string): Promise<Record<string, unknown>> {
    const rows = await raw(ds, driver, `SELECT key_hash, key_prefix, usage_count, last_used_at, is_active, scope FROM mcp_api_keys WHERE id = ?`, [id]);
    return rows[0];
  }

  it('creates a user key: 55-char secret, 20-char prefix, only the SHA-256 hex is stored', async () => {
    time.set('2026-03-01T10:00:00.123Z');
    const user = await users.createUser({ username: 'k1-user', email: 'k1@x.com' });
    const created = await keys.createMcpApiKey('k1-user', { name: 'Laptop', description: 'home' });
    expect(created).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      name: 'Laptop',
      description: 'home',
      key_prefix: created!.api_key.slice(0, 20),
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      last_used_at: null,
      usage_count: 0,
      is_active: true,
      user_id: user.id,
      username: 'k1-user',
      user_email: 'k1@x.com',
      agent_name: null,
      scope: 'user',
      api_key: expect.stringMatching(/^trinity_mcp_[A-Za-z0-9_-]{43}$/),
    });
    expect(created!.api_key).toHaveLength(55);
    expect(created!.key_prefix).toHaveLength(20);
    const raw = await rawKey(created!.id);
    expect(raw.key_hash).toBe(createHash('sha256').update(created!.api_key).digest('hex'));
    expect(raw.key_hash).toMatch(/^[0-9a-f]{64}$/);
    // The stored row equals what create returned (without the secret).
    const { api_key, ...stored } = created!;
    expect(await keys.getMcpApiKey(created!.id, 'k1-user')).toEqual(stored);
    expect(JSON.stringify(await keys.listMcpApiKeys('k1-user'))).not.toContain(api_key);
  });

  it('returns null for an unknown user and validates the input', async () => {
    expect(await keys.createMcpApiKey('k2-ghost', { name: 'x' })).toBeNull();
    await users.createUser({ username: 'k2-user' });
    await expect(keys.createMcpApiKey('k2-user', { name: 5 } as never)).rejects.toMatchObject({ name: 'InputValidationError', field: 'name' });
    await expect(keys.createMcpApiKey('k2-user', {} as never)).rejects.toBeInstanceOf(InputValidationError);
    expect(await keys.listMcpApiKeys('k2-user')).toEqual([]);
    expect(await keys.listMcpApiKeys('k2-ghost')).toEqual([]);
  });

  it('validates a key: user_id is the username; each use counts; unknown keys are null', async () => {
    time.set('2026-03-02T00:00:00Z');
    await users.createUser({ username: 'k3-user', email: 'k3@x.com' });
    const created = (await keys.createMcpApiKey('k3-user', { name: 'CI' }))!;
    time.set('2026-03-02T01:00:00.5Z');
    expect(await keys.validateMcpApiKey(created.api_key)).toEqual({
      key_id: created.id,
      key_name: 'CI',
      user_id: 'k3-user',
      user_email: 'k3@x.com',
      agent_name: null,
      scope: 'user',
    });
    time.set('2026-03-02T02:00:00Z');
    await keys.validateMcpApiKey(created.api_key);
    expect(await keys.getMcpApiKey(created.id, 'k3-user')).toMatchObject({ usage_count: 2, last_used_at: new Date('2026-03-02T02:00:00Z') });
    expect(await keys.validateMcpApiKey(created.api_key.slice(0, -1) + (created.api_key.endsWith('A') ? 'B' : 'A'))).toBeNull();
    expect(await keys.validateMcpApiKey('')).toBeNull();
    // There is no prefix check: any string is hashed and looked up.
    expect(await keys.validateMcpApiKey('not-a-trinity-key')).toBeNull();
  });

  it('counts concurrent validations exactly (atomic increment)', async () => {
    await users.createUser({ username: 'k4-user' });
    const created = (await keys.createMcpApiKey('k4-user', { name: 'busy' }))!;
    const results = await Promise.all(Array.from({ length: 20 }, () => keys.validateMcpApiKey(created.api_key)));
    expect(results.every((r) => r?.key_id === created.id)).toBe(true);
    expect((await keys.getMcpApiKey(created.id, 'k4-user'))?.usage_count).toBe(20);
  });

  it('a revoked key does not validate and records no usage; revoking twice is true twice', async () => {
    await users.createUser({ username: 'k5-user' });
    const created = (await keys.createMcpApiKey('k5-user', { name: 'old' }))!;
    expect(await keys.revokeMcpApiKey(created.id, 'k5-user')).toBe(true);
    expect(await keys.revokeMcpApiKey(created.id, 'k5-user')).toBe(true);
    expect(await keys.validateMcpApiKey(created.api_key)).toBeNull();
    expect(await keys.getMcpApiKey(created.id, 'k5-user')).toMatchObject({ is_active: false, usage_count: 0, last_used_at: null });
    // Revoked keys stay listed.
    expect((await keys.listMcpApiKeys('k5-user')).map((k) => k.id)).toEqual([created.id]);
  });

  it('enforces ownership for revoke/delete (admins bypass) and for get (no admin bypass)', async () => {
    await users.createUser({ username: 'k6-owner' });
    await users.createUser({ username: 'k6-other' });
    await users.createUser({ username: 'k6-admin', role: 'admin' });
    const a = (await keys.createMcpApiKey('k6-owner', { name: 'a' }))!;
    const b = (await keys.createMcpApiKey('k6-owner', { name: 'b' }))!;
    expect(await keys.revokeMcpApiKey(a.id, 'k6-other')).toBe(false);
    expect(await keys.deleteMcpApiKey(a.id, 'k6-other')).toBe(false);
    expect(await keys.revokeMcpApiKey(a.id, 'k6-ghost')).toBe(false);
    expect(await keys.getMcpApiKey(a.id, 'k6-other')).toBeNull();
    expect(await keys.getMcpApiKey(a.id, 'k6-admin')).toBeNull();
    expect(await keys.getMcpApiKey(a.id, 'k6-ghost')).toBeNull();
    expect((await keys.getMcpApiKey(a.id, 'k6-owner'))?.is_active).toBe(true);
    expect(await keys.revokeMcpApiKey(a.id, 'k6-admin')).toBe(true);
    expect(await keys.revokeMcpApiKey('k6-no-such-id', 'k6-admin')).toBe(false);
    expect(await keys.revokeMcpApiKey('k6-no-such-id', 'k6-owner')).toBe(false);
    expect(await keys.deleteMcpApiKey(b.id, 'k6-owner')).toBe(true);
    expect(await keys.deleteMcpApiKey(b.id, 'k6-owner')).toBe(false);
    expect(await keys.deleteMcpApiKey(a.id, 'k6-admin')).toBe(true);
    expect(await keys.listMcpApiKeys('k6-owner')).toEqual([]);
  });

  it('agent keys: generated name/description, several coexist, the newest active one is returned', async () => {
    await users.createUser({ username: 'k7-owner', email: 'k7@x.com' });
    expect(await keys.createAgentMcpApiKey('k7-bot', 'k7-ghost')).toBeNull();
    time.set('2026-03-03T00:00:00Z');
    const older = (await keys.createAgentMcpApiKey('k7-bot', 'k7-owner'))!;
    expect(older).toMatchObject({ name: 'agent-k7-bot-key', description: 'Auto-generated key for agent k7-bot', agent_name: 'k7-bot', scope: 'agent', username: 'k7-owner' });
    time.set('2026-03-03T00:00:01Z');
    const newer = (await keys.createAgentMcpApiKey('k7-bot', 'k7-owner', 'custom'))!;
    expect(newer.description).toBe('custom');
    const { api_key, ...newerStored } = newer;
    expect(await keys.getAgentMcpApiKey('k7-bot')).toEqual(newerStored);
    expect(await keys.validateMcpApiKey(api_key)).toEqual({ key_id: newer.id, key_name: 'agent-k7-bot-key', user_id: 'k7-owner', user_email: 'k7@x.com', agent_name: 'k7-bot', scope: 'agent' });
    await keys.revokeMcpApiKey(newer.id, 'k7-owner');
    expect((await keys.getAgentMcpApiKey('k7-bot'))?.id).toBe(older.id);
    await keys.revokeMcpApiKey(older.id, 'k7-owner');
    expect(await keys.getAgentMcpApiKey('k7-bot')).toBeNull();
    expect(await keys.getAgentMcpApiKey('k7-none')).toBeNull();
    // Listed among the owner's keys, newest first.
    expect((await keys.listMcpApiKeys('k7-owner')).map((k) => k.id)).toEqual([newer.id, older.id]);
  });

  it('deleteAgentMcpApiKey removes agent-scope keys (revoked too) and leaves user-scope keys alone', async () => {
    await users.createUser({ username: 'k8-owner' });
    const agentKey = (await keys.createAgentMcpApiKey('k8-bot', 'k8-owner'))!;
    const revoked = (await keys.createAgentMcpApiKey('k8-bot', 'k8-owner'))!;
    await keys.revokeMcpApiKey(revoked.id, 'k8-owner');
    const userKey = (await keys.createMcpApiKey('k8-owner', { name: 'mine' }))!;
    // A user-scope key whose agent_name was somehow set.
    await raw(ds, driver, `UPDATE mcp_api_keys SET agent_name = 'k8-bot' WHERE id = ?`, [userKey.id]);
    expect(await keys.deleteAgentMcpApiKey('k8-bot')).toBe(true);
    expect(await keys.deleteAgentMcpApiKey('k8-bot')).toBe(false);
    const left = await keys.listMcpApiKeys('k8-owner');
    expect(left.map((k) => k.id)).toEqual([userKey.id]);
    expect(left[0]).toMatchObject({ agent_name: 'k8-bot', scope: 'user' });
    expect(await keys.getMcpApiKey(agentKey.id, 'k8-owner')).toBeNull();
  });

  it('keys of a deleted user disappear from every read, validation included', async () => {
    const user = await users.createUser({ username: 'k9-user' });
    const created = (await keys.createMcpApiKey('k9-user', { name: 'orphan' }))!;
    expect((await keys.listAllMcpApiKeys()).some((k) => k.id === created.id)).toBe(true);
    await raw(ds, driver, `DELETE FROM users WHERE id = ?`, [user.id]);
    expect((await keys.listAllMcpApiKeys()).some((k) => k.id === created.id)).toBe(false);
    expect(await keys.validateMcpApiKey(created.api_key)).toBeNull();
    expect((await rawKey(created.id)).usage_count).toBe(0);
  });

  it('lists every key with an existing user, newest first; NULL/empty scope reads as user', async () => {
    const own = await openTestDataSource(driver);
    const repo = repositoryOn(own, McpKeyRepository, { clock: time.clock });
    const u = repositoryOn(own, UserRepository, { clock: time.clock });
    await u.createUser({ username: 'l-a' });
    await u.createUser({ username: 'l-b' });
    time.set('2026-03-04T00:00:00Z');
    const first = (await repo.createMcpApiKey('l-a', { name: '' }))!;
    time.set('2026-03-04T00:00:02Z');
    const second = (await repo.createAgentMcpApiKey('bot', 'l-b'))!;
    time.set('2026-03-04T00:00:01Z');
    const third = (await repo.createMcpApiKey('l-b', { name: 'n' }))!;
    await raw(own, driver, `UPDATE mcp_api_keys SET scope = NULL WHERE id = ?`, [third.id]);
    const all = await repo.listAllMcpApiKeys();
    expect(all.map((k) => [k.id, k.username, k.scope])).toEqual([
      [second.id, 'l-b', 'agent'],
      [third.id, 'l-b', 'user'],
      [first.id, 'l-a', 'user'],
    ]);
    expect(all[2].name).toBe('');
  });
});

describe('McpKeyRepository on a migrated legacy file', () => {
  it('reads Python-written keys and stores new keys and usage in the same formats', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const keys = repositoryOn(ds, McpKeyRepository, { clock: () => new Date('2026-05-01T12:00:00Z') });
    const alice = await keys.listMcpApiKeys('alice');
    expect(alice.map((k) => k.id)).toEqual(['ak-Sw9CxKB22r4dZ_NMjYw', 'Kimcfd6kZgjOBIVHBnlqJQ', 'TYkU2X3hYYCM3sXhHm1aYA']);
    expect(alice[2]).toEqual({
      id: 'TYkU2X3hYYCM3sXhHm1aYA',
      name: 'Claude Desktop',
      description: "Alice's laptop \\ home",
      key_prefix: 'trinity_mcp_04DpaJO9',
      created_at: new Date('2026-03-18T13:35:08.077Z'),
      last_used_at: new Date('2026-03-18T13:50:08.671Z'),
      usage_count: 3,
      is_active: true,
      user_id: 2,
      username: 'alice',
      user_email: 'alice@example.com',
      agent_name: null,
      scope: 'user',
    });
    expect(await keys.getMcpApiKey('OhgDyRf5ion7EopXfo942g', 'bob.obrien@example.com')).toMatchObject({ name: 'CI 🚀', is_active: false, description: null });
    expect((await keys.getAgentMcpApiKey('research-bot'))?.id).toBe('Kimcfd6kZgjOBIVHBnlqJQ');
    expect((await keys.listAllMcpApiKeys()).length).toBe(5);
    const created = (await keys.createMcpApiKey('dana', { name: 'new' }))!;
    expect(await keys.validateMcpApiKey(created.api_key)).toMatchObject({ user_id: 'dana', user_email: 'dana@example.org' });
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) =>
      db.prepare(`SELECT id, key_hash, created_at, last_used_at, usage_count, is_active, scope, agent_name FROM mcp_api_keys WHERE id IN (?, ?) ORDER BY created_at`).all('TYkU2X3hYYCM3sXhHm1aYA', created.id),
    ) as Record<string, unknown>[];
    expect(stored[0]).toMatchObject({ created_at: '2026-03-18T13:35:08.077559', usage_count: 3, is_active: 1 });
    expect(stored[1]).toEqual({
      id: created.id,
      key_hash: hashApiKey(created.api_key),
      created_at: '2026-05-01T12:00:00',
      last_used_at: '2026-05-01T12:00:00',
      usage_count: 1,
      is_active: 1,
      scope: 'user',
      agent_name: null,
    });
  });
});
