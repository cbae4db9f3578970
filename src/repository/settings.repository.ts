import { SystemSetting as SystemSettingEntity } from '../entity';
import type { SystemSetting } from '../model/settings.model';
import { requireString } from '../model/validate';
import { BaseRepository } from './base.repository';

/** System-wide key/value settings (Python `SettingsOperations`). Values are strings; callers encode booleans/JSON. */
export class SettingsRepository extends BaseRepository {
  /** Exact, case-sensitive key lookup. */
  async getSetting(key: string): Promise<SystemSetting | null> {
    const rows = await this.select(`SELECT key, value, updated_at FROM system_settings WHERE key = ?`, [key]);
    return rows.length ? this.rowToSetting(rows[0]) : null;
  }

  /** The stored value, or `defaultValue` only when the key does not exist (a stored '' is returned as ''). */
  async getSettingValue(key: string, defaultValue: string | null = null): Promise<string | null> {
    const setting = await this.getSetting(key);
    return setting ? setting.value : defaultValue;
  }

  /** Upsert of value and updated_at (Python `INSERT OR REPLACE`; the table has no other columns). */
  async setSetting(key: string, value: string): Promise<SystemSetting> {
    requireString('key', key, { allowEmpty: true });
    requireString('value', value, { allowEmpty: true });
    const rows = await this.select(
      `INSERT INTO system_settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
       RETURNING key, value, updated_at`,
      [key, value, this.encode(SystemSettingEntity, 'updated_at', this.now())],
    );
    return this.rowToSetting(rows[0]);
  }

  async deleteSetting(key: string): Promise<boolean> {
    const { affected } = await this.execute(`DELETE FROM system_settings WHERE key = ?`, [key]);
    return affected > 0;
  }

  /** Every setting by key in SQLite BINARY order (upper case before lower case) on both drivers. */
  async getAllSettings(): Promise<SystemSetting[]> {
    const rows = await this.select(`SELECT key, value, updated_at FROM system_settings ORDER BY ${this.sql.binary('key')}`);
    return rows.map((row) => this.rowToSetting(row));
  }

  async getSettingsDict(): Promise<Record<string, string>> {
    const settings = await this.getAllSettings();
    return Object.fromEntries(settings.map((s) => [s.key, s.value]));
  }

  private rowToSetting(raw: Record<string, unknown>): SystemSetting {
    return this.decodeRow<SystemSetting>(SystemSettingEntity, raw);
  }
}
