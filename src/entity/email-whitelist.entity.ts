import { IdColumn, Index, Table, TextColumn, TimestampColumn } from './columns';

/** `email_whitelist`: Emails allowed to log in with email codes. */
@Table('email_whitelist')
@Index('idx_email_whitelist_email', ['email'])
export class EmailWhitelist {
  @IdColumn()
  id!: number;

  @TextColumn({ name: 'email', nullable: false, unique: true })
  email!: string;

  @TextColumn({ name: 'added_by', nullable: false })
  addedBy!: string;

  @TimestampColumn({ name: 'added_at', nullable: false, format: 'naive' })
  addedAt!: Date;

  @TextColumn({ name: 'source', nullable: false })
  source!: string;
}
