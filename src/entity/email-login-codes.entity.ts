import { BoolColumn, Index, Table, TextColumn, TimestampColumn } from './columns';

/** `email_login_codes`: One-time 6-digit login codes for email authentication. */
@Table('email_login_codes')
@Index('idx_email_login_codes_email', ['email'])
@Index('idx_email_login_codes_code', ['code'])
export class EmailLoginCode {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'email', nullable: false })
  email!: string;

  @TextColumn({ name: 'code', nullable: false })
  code!: string;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'expires_at', nullable: false, format: 'naive' })
  expiresAt!: Date;

  @BoolColumn({ name: 'verified', default: false })
  verified!: boolean | null;

  @TimestampColumn({ name: 'used_at', format: 'naive' })
  usedAt!: Date | null;
}
