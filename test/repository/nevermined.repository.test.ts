import { randomBytes } from 'crypto';
import { CredentialEncryption, CredentialEncryptionError, encryptionKeyFromEnv } from '../../src/codec/credential-encryption';
import type { TrinityDataSource } from '../../src/data-source';
import { placeholders, type Driver } from '../../src/dialect';
import { NeverminedRepository } from '../../src/repository/nevermined.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { legacyManifest } from '../support/fixtures';
import type { TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const API_KEY = 'sandbox:eyJhbGciOiJIUzI1NiJ9.test-key';
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(DRIVERS)('NeverminedRepository on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  let nvm: NeverminedRepository;
  let time: TestClock;
  const key = randomBytes(32);
  const encryption = new CredentialEncryption(() => key);

  beforeAll(async () => {
    ({ ds, time, repository: nvm } = await openRepository(driver, NeverminedRepository, { encryption }));
  });

  beforeEach(() => time.set('2026-03-01T10:00:00.123Z'));

  const q = (sql: string, params: unknown[] = []) => ds.query(placeholders(driver, sql), params);

  it('creates a disabled config, keeps id, created_at and enabled on update, and bumps updated_at', async () => {
    const created = await nvm.createOrUpdateConfig('nvm-a', API_KEY, 'sandbox', 'did:nv:1', 'plan-1');
    expect(created).toEqual({
      id: expect.stringMatching(UUID4),
      agent_name: 'nvm-a',
      nvm_environment: 'sandbox',
      nvm_agent_id: 'did:nv:1',
      nvm_plan_id: 'plan-1',
      credits_per_request: 1,
      enabled: false,
      created_at: new Date('2026-03-01T10:00:00.123Z'),
      updated_at: new Date('2026-03-01T10:00:00.123Z'),
    });
    expect(created).not.toHaveProperty('nvm_api_key');
    expect(await nvm.getConfig('nvm-a')).toEqual(created);
    expect(await nvm.isNeverminedEnabled('nvm-a')).toBe(false);

    time.set('2026-03-01T11:00:00Z');
    expect(await nvm.setEnabled('nvm-a', true)).toBe(true);
    expect(await nvm.isNeverminedEnabled('nvm-a')).toBe(true);
    time.set('2026-03-02T09:30:00Z');
    const updated = await nvm.createOrUpdateConfig('nvm-a', 'live:new-key', 'live', 'did:nv:2', 'plan-2', 7);
    expect(updated).toEqual({
      ...created,
      nvm_environment: 'live',
      nvm_agent_id: 'did:nv:2',
      nvm_plan_id: 'plan-2',
      credits_per_request: 7,
      enabled: true,
      updated_at: new Date('2026-03-02T09:30:00Z'),
    });
    expect((await nvm.getConfigWithKey('nvm-a'))?.nvm_api_key).toBe('live:new-key');
    const [{ n }] = await q(`SELECT COUNT(*) AS n FROM nevermined_agent_config WHERE agent_name = 'nvm-a'`);
    expect(Number(n)).toBe(1);

    expect(await nvm.setEnabled('nvm-a', false)).toBe(true);
    expect(await nvm.getConfig('nvm-a')).toMatchObject({ enabled: false, updated_at: new Date('2026-03-02T09:30:00Z') });
    expect(await nvm.getConfig('nobody')).toBeNull();
  });

  it('stores the key encrypted and round-trips it; wrong or missing keys throw without leaking; no key in the payload gives ""', async () => {
    const config = await nvm.createOrUpdateConfig('nvm-key', API_KEY, 'sandbox', 'did:nv:k', 'plan-k', 2);
    const [{ encrypted_credentials }] = await q(`SELECT encrypted_credentials FROM nevermined_agent_config WHERE agent_name = 'nvm-key'`);
    expect(encrypted_credentials).not.toContain(API_KEY);
    expect(encryption.decrypt(encrypted_credentials)).toEqual({ nvm_api_key: API_KEY });
    expect(await nvm.getConfigWithKey('nvm-key')).toEqual({ config, nvm_api_key: API_KEY });
    expect(await nvm.getConfigWithKey('nobody')).toBeNull();

    const wrongKey = repositoryOn(ds, NeverminedRepository, { encryption: new CredentialEncryption(() => randomBytes(32)) });
    const error = await wrongKey.getConfigWithKey('nvm-key').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialEncryptionError);
    expect((error as Error).message).not.toContain(API_KEY);
    const noKey = repositoryOn(ds, NeverminedRepository, { encryption: new CredentialEncryption(() => encryptionKeyFromEnv({})) });
    await expect(noKey.getConfigWithKey('nvm-key')).rejects.toBeInstanceOf(CredentialEncryptionError);
    // A missing key also stops a write before anything is stored.
    await expect(noKey.createOrUpdateConfig('nvm-nokey', API_KEY, 'sandbox', 'a', 'p')).rejects.toBeInstanceOf(CredentialEncryptionError);
    expect(await nvm.getConfig('nvm-nokey')).toBeNull();

    await q(`UPDATE nevermined_agent_config SET encrypted_credentials = ? WHERE agent_name = 'nvm-key'`, [encryption.encrypt({ other: 'x' })]);
    expect(await nvm.getConfigWithKey('nvm-key')).toEqual({ config, nvm_api_key: '' });
  });

  it('validates the config arguments by field before writing', async () => {
    await expect(nvm.createOrUpdateConfig('', API_KEY, 'sandbox', 'a', 'p')).rejects.toMatchObject({ name: 'InputValidationError', field: 'agent_name' });
    await expect(nvm.createOrUpdateConfig('nvm-bad', API_KEY, 'sandbox', 'a', 'p', 1.5)).rejects.toMatchObject({ field: 'credits_per_request' });
    await expect(nvm.createOrUpdateConfig('nvm-bad', API_KEY, null as unknown as string, 'a', 'p')).rejects.toMatchObject({ field: 'nvm_environment' });
    await expect(nvm.createOrUpdateConfig('nvm-bad', '', 'sandbox', 'a', 'p')).rejects.toMatchObject({ field: 'nvm_api_key' });
    await expect(nvm.setEnabled('nvm-bad', 1 as unknown as boolean)).rejects.toMatchObject({ field: 'enabled' });
    expect(await nvm.getConfig('nvm-bad')).toBeNull();
  });

  it('set_enabled without a config returns false and creates nothing; delete keeps the payment log', async () => {
    expect(await nvm.setEnabled('nvm-none', true)).toBe(false);
    expect(await nvm.getConfig('nvm-none')).toBeNull();
    expect(await nvm.isNeverminedEnabled('nvm-none')).toBe(false);

    await nvm.createOrUpdateConfig('nvm-del', API_KEY, 'sandbox', 'a', 'p');
    const entry = await nvm.logPayment('nvm-del', 'verify', true, { creditsAmount: 1 });
    expect(await nvm.deleteConfig('nvm-del')).toBe(true);
    expect(await nvm.getConfig('nvm-del')).toBeNull();
    expect(await nvm.deleteConfig('nvm-del')).toBe(false);
    expect(await nvm.getPaymentLog('nvm-del')).toEqual([entry]);
  });

  it('logs payments with every field, converts integer strings, and refuses unknown options', async () => {
    const full = await nvm.logPayment('nvm-log', 'settle', true, {
      executionId: 'exec-1',
      subscriberAddress: '0xabc',
      creditsAmount: 5,
      txHash: '0xfeed',
      remainingBalance: 95,
      error: null,
    });
    expect(full).toEqual({
      id: expect.stringMatching(UUID4),
      agent_name: 'nvm-log',
      execution_id: 'exec-1',
      action: 'settle',
      subscriber_address: '0xabc',
      credits_amount: 5,
      tx_hash: '0xfeed',
      remaining_balance: 95,
      success: true,
      error: null,
      created_at: new Date('2026-03-01T10:00:00.123Z'),
    });
    expect(await nvm.getPaymentLogEntry(full.id)).toEqual(full);
    const minimal = await nvm.logPayment('nvm-log', 'reject', false);
    expect(minimal).toMatchObject({ execution_id: null, subscriber_address: null, credits_amount: null, tx_hash: null, remaining_balance: null, success: false, error: null });
    const fromString = await nvm.logPayment('nvm-log', 'verify', true, { creditsAmount: '42', remainingBalance: ' 7 ' });
    expect(fromString).toMatchObject({ credits_amount: 42, remaining_balance: 7 });
    const [{ credits_amount }] = await q(`SELECT credits_amount FROM nevermined_payment_log WHERE id = ?`, [fromString.id]);
    expect(Number(credits_amount)).toBe(42);
    expect(typeof credits_amount === 'number' || driver === 'postgres').toBe(true);

    await expect(nvm.logPayment('nvm-log', 'settle', true, { credits: 5 } as never)).rejects.toMatchObject({ name: 'InputValidationError', field: 'opts.credits' });
    await expect(nvm.logPayment('nvm-log', 'settle', true, { creditsAmount: 'five' })).rejects.toMatchObject({ field: 'credits_amount' });
    await expect(nvm.logPayment('nvm-log', 'settle', 'yes' as unknown as boolean)).rejects.toMatchObject({ field: 'success' });
    await expect(nvm.logPayment('', 'settle', true)).rejects.toMatchObject({ field: 'agent_name' });
    expect(await nvm.getPaymentLog('nvm-log')).toHaveLength(3);
    expect(await nvm.getPaymentLogEntry('no-such-entry')).toBeNull();
  });

  it('returns the log newest first with a limit, and settlement failures across agents', async () => {
    const at = async (iso: string, agent: string, action: string, success: boolean) => {
      time.set(iso);
      return nvm.logPayment(agent, action, success);
    };
    const oldest = await at('2026-03-03T08:00:00Z', 'nvm-order', 'verify', true);
    const failed = await at('2026-03-03T09:00:00Z', 'nvm-order', 'settle_failed', false);
    const newest = await at('2026-03-03T10:00:00.5Z', 'nvm-order', 'reject', false);
    const otherFailed = await at('2026-03-03T11:00:00Z', 'nvm-order-2', 'settle_failed', false);
    expect((await nvm.getPaymentLog('nvm-order')).map((e) => e.id)).toEqual([newest.id, failed.id, oldest.id]);
    expect(await nvm.getPaymentLog('nvm-order', 1)).toEqual([newest]);
    expect(await nvm.getPaymentLog('nvm-order', 0)).toEqual([]);
    expect(await nvm.getPaymentLog('nvm-order', -1)).toHaveLength(3); // SQLite: a negative LIMIT is no limit
    await expect(nvm.getPaymentLog('nvm-order', 1.5)).rejects.toMatchObject({ field: 'limit' });

    const failures = await nvm.getSettlementFailures();
    expect(failures.every((e) => e.action === 'settle_failed')).toBe(true);
    expect(failures.map((e) => e.id)).toEqual(expect.arrayContaining([failed.id, otherFailed.id]));
    expect(failures.map((e) => e.id)).not.toContain(newest.id);
    expect(failures.map((e) => e.created_at.getTime())).toEqual([...failures.map((e) => e.created_at.getTime())].sort((a, b) => b - a));
    expect(await nvm.getSettlementFailures(1)).toEqual([failures[0]]);
  });

  it('concurrent first configurations of one agent end in one row', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => nvm.createOrUpdateConfig('nvm-race', `k${i}`, 'sandbox', 'a', 'p', i + 1)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const [{ n }] = await q(`SELECT COUNT(*) AS n FROM nevermined_agent_config WHERE agent_name = 'nvm-race'`);
    expect(Number(n)).toBe(1);
    const final = await nvm.getConfigWithKey('nvm-race');
    expect(final?.nvm_api_key).toBe(`k${final!.config.credits_per_request - 1}`);
  });
});

describe('NeverminedRepository on a migrated legacy file', () => {
  const manifest = legacyManifest();
  const fixtureKey = manifest.environment.CREDENTIAL_ENCRYPTION_KEY as string;

  it('reads Python-written configs, keys and log entries, and writes rows in the same formats', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const encryption = new CredentialEncryption(() => encryptionKeyFromEnv({ CREDENTIAL_ENCRYPTION_KEY: fixtureKey }));
    const nvm = repositoryOn(ds, NeverminedRepository, { clock: () => new Date('2026-05-01T12:00:00Z'), encryption });

    const raw = withDatabase(copy.path, (db) => ({
      configs: db.prepare(`SELECT * FROM nevermined_agent_config ORDER BY agent_name`).all() as Record<string, string | number>[],
      log: db.prepare(`SELECT id FROM nevermined_payment_log WHERE agent_name = 'cornelius' ORDER BY created_at DESC`).all() as { id: string }[],
    }));
    for (const row of raw.configs) {
      const config = await nvm.getConfig(row.agent_name as string);
      expect(config).toMatchObject({
        id: row.id,
        nvm_environment: row.nvm_environment,
        nvm_agent_id: row.nvm_agent_id,
        nvm_plan_id: row.nvm_plan_id,
        credits_per_request: row.credits_per_request,
        enabled: row.enabled === 1,
      });
      expect(config!.created_at.toISOString().slice(0, 23)).toBe(String(row.created_at).slice(0, 23));
      expect(await nvm.isNeverminedEnabled(row.agent_name as string)).toBe(row.enabled === 1);
      const withKey = await nvm.getConfigWithKey(row.agent_name as string);
      expect(withKey?.nvm_api_key).toMatch(/^[a-z]+:.+/); // "env:jwt"
    }
    // Manifest check: the settle_failed entry of the fixture.
    const failure = await nvm.getPaymentLogEntry('ee0c9017-60c0-4c45-bc3c-456edc31efc6');
    expect(failure).toMatchObject({ action: 'settle_failed', success: false, error: "insufficient balance: it's \\ gone", tx_hash: null });
    expect((await nvm.getSettlementFailures()).map((e) => e.id)).toEqual(['ee0c9017-60c0-4c45-bc3c-456edc31efc6']);
    expect((await nvm.getPaymentLog('cornelius')).map((e) => e.id)).toEqual(raw.log.map((r) => r.id));

    await nvm.createOrUpdateConfig('port-agent', 'sandbox:port', 'sandbox', 'did:nv:port', 'plan-port', 3);
    await nvm.setEnabled('port-agent', true);
    const entry = await nvm.logPayment('port-agent', 'settle', true, { creditsAmount: '3' });
    await ds.destroy();
    const written = withDatabase(copy.path, (db) => ({
      config: db.prepare(`SELECT encrypted_credentials, created_at, updated_at, enabled, typeof(enabled) AS enabled_type FROM nevermined_agent_config WHERE agent_name = 'port-agent'`).get() as Record<string, unknown>,
      python: db.prepare(`SELECT encrypted_credentials FROM nevermined_agent_config WHERE agent_name = 'cornelius'`).get() as { encrypted_credentials: string },
      log: db.prepare(`SELECT created_at, success, typeof(success) AS success_type, credits_amount, typeof(credits_amount) AS credits_type FROM nevermined_payment_log WHERE id = ?`).get(entry.id) as Record<string, unknown>,
    }));
    expect(written.config).toMatchObject({ created_at: '2026-05-01T12:00:00', updated_at: '2026-05-01T12:00:00', enabled: 1, enabled_type: 'integer' });
    expect(written.log).toEqual({ created_at: '2026-05-01T12:00:00', success: 1, success_type: 'integer', credits_amount: 3, credits_type: 'integer' });
    const shape = (text: string) => text.replace(/"[A-Za-z0-9+/=]+"(,?)$/gm, '"…"$1');
    expect(shape(written.config.encrypted_credentials as string)).toBe(shape(written.python.encrypted_credentials));
    expect(encryption.decrypt(written.config.encrypted_credentials as string)).toEqual({ nvm_api_key: 'sandbox:port' });
  });
});
