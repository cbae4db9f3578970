import type { TrinityDataSource } from '../../src/data-source';
import { InputValidationError } from '../../src/errors';
import { SettingsRepository } from '../../src/repository/settings.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { linguisticOnPostgres, type TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('SettingsRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let settings: SettingsRepository;

  beforeAll(async () => {
    ({ ds, time, repository: settings } = await openRepository(driver, SettingsRepository));
  });

  it('sets, reads and overwrites a setting (one row, latest value, newer updated_at)', async () => {
    time.set('2026-03-01T10:00:00.123Z');
    expect(await settings.setSetting('s1_prompt', 'first')).toEqual({ key: 's1_prompt', value: 'first', updated_at: new Date('2026-03-01T10:00:00.123Z') });
    time.set('2026-03-02T11:00:00Z');
    expect(await settings.setSetting('s1_prompt', 'second')).toEqual({ key: 's1_prompt', value: 'second', updated_at: new Date('2026-03-02T11:00:00Z') });
    expect(await settings.getSetting('s1_prompt')).toEqual({ key: 's1_prompt', value: 'second', updated_at: new Date('2026-03-02T11:00:00Z') });
    const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM system_settings WHERE key = 's1_prompt'`);
    expect(Number(n)).toBe(1);
    expect(await settings.getSetting('s1_missing')).toBeNull();
  });

  it('returns the default only for a missing key, not for a stored empty string', async () => {
    await settings.setSetting('s2_empty', '');
    expect(await settings.getSettingValue('s2_empty', 'dflt')).toBe('');
    expect(await settings.getSettingValue('s2_missing', 'dflt')).toBe('dflt');
    expect(await settings.getSettingValue('s2_missing')).toBeNull();
  });

  it('refuses a null or non-string value before writing', async () => {
    await expect(settings.setSetting('s3_null', null as unknown as string)).rejects.toMatchObject({ name: 'InputValidationError', field: 'value' });
    await expect(settings.setSetting('s3_num', 5 as unknown as string)).rejects.toBeInstanceOf(InputValidationError);
    expect(await settings.getSetting('s3_null')).toBeNull();
    expect(await settings.getSetting('s3_num')).toBeNull();
  });

  it('keys are case-sensitive and deleting reports whether a row went', async () => {
    await settings.setSetting('s4_Foo', 'upper');
    await settings.setSetting('s4_foo', 'lower');
    expect(await settings.getSettingValue('s4_Foo')).toBe('upper');
    expect(await settings.getSettingValue('s4_foo')).toBe('lower');
    expect(await settings.getSetting('S4_FOO')).toBeNull();
    expect(await settings.deleteSetting('s4_foo')).toBe(true);
    expect(await settings.deleteSetting('s4_foo')).toBe(false);
    expect(await settings.getSettingValue('s4_Foo')).toBe('upper');
  });

  it('lists every setting in BINARY key order and as a dict', async () => {
    // A database of its own: the other tests' keys would be in the listing.
    const own = await openTestDataSource(driver);
    const repo = repositoryOn(own, SettingsRepository, { clock: time.clock });
    await linguisticOnPostgres(own, 'system_settings', 'key');
    for (const key of ['beta', 'Zulu', 'alpha', 'Alpha', '_under', 'émile']) await repo.setSetting(key, `v-${key}`);
    const all = await repo.getAllSettings();
    // BINARY: upper case (0x41-0x5A) < '_' (0x5F) < lower case (0x61-) < non-ASCII.
    expect(all.map((s) => s.key)).toEqual(['Alpha', 'Zulu', '_under', 'alpha', 'beta', 'émile']);
    expect(all.every((s) => s.updated_at instanceof Date)).toBe(true);
    expect(await repo.getSettingsDict()).toEqual({ Alpha: 'v-Alpha', Zulu: 'v-Zulu', _under: 'v-_under', alpha: 'v-alpha', beta: 'v-beta', émile: 'v-émile' });
  });
});

describe('SettingsRepository on a migrated legacy file', () => {
  it('reads Python-written settings and writes updated_at in the same naive format', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const settings = repositoryOn(ds, SettingsRepository, { clock: () => new Date('2026-05-01T12:00:00.5Z') });
    const prompt = await settings.getSettingValue('trinity_prompt');
    expect(prompt).toContain('C:\\Users\\o\'brien\\notes.md');
    expect(prompt).toContain('Deploy 🚀 finished ✅');
    expect(await settings.getSettingValue('public_chat_url', 'dflt')).toBe('');
    expect(await settings.getSetting('email_auth_enabled')).toEqual({ key: 'email_auth_enabled', value: 'false', updated_at: new Date('2026-03-18T11:35:07.850Z') });
    expect((await settings.getAllSettings()).map((s) => s.key)).toEqual([
      'anthropic_api_key',
      'email_auth_enabled',
      'github_templates',
      'monitoring_config',
      'ops_cost_limit_daily_usd',
      'public_chat_url',
      'trinity_prompt',
    ]);
    await settings.setSetting('email_auth_enabled', 'true');
    await settings.setSetting('setup_completed', 'true');
    await ds.destroy();
    const stored = withDatabase(copy.path, (db) =>
      db.prepare(`SELECT key, value, updated_at FROM system_settings WHERE key IN ('email_auth_enabled', 'setup_completed', 'trinity_prompt') ORDER BY key`).all(),
    ) as { key: string; value: string; updated_at: string }[];
    expect(stored).toEqual([
      { key: 'email_auth_enabled', value: 'true', updated_at: '2026-05-01T12:00:00.500000' },
      { key: 'setup_completed', value: 'true', updated_at: '2026-05-01T12:00:00.500000' },
      { key: 'trinity_prompt', value: prompt, updated_at: '2026-03-18T11:35:07.845303' },
    ]);
  });
});
