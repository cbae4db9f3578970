/** A system-wide key/value setting (Python `SystemSetting`); values are always strings. */
export interface SystemSetting {
  key: string;
  value: string;
  updated_at: Date;
}
