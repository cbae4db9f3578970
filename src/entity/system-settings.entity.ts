import { Table, TextColumn, TimestampColumn } from './columns';

/** `system_settings`: Key/value platform settings (strings). */
@Table('system_settings')
export class SystemSetting {
  @TextColumn({ name: 'key', primary: true })
  key!: string;

  @TextColumn({ name: 'value', nullable: false })
  value!: string;

  @TimestampColumn({ name: 'updated_at', nullable: false, format: 'naive' })
  updatedAt!: Date;
}
