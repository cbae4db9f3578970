import { Index, IntColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `public_link_verifications`: Email verification codes and resulting session tokens for public links. */
@Table('public_link_verifications')
@Index('idx_verifications_link', ['link_id'])
@Index('idx_verifications_email', ['email'])
@Index('idx_verifications_code', ['code'])
export class PublicLinkVerification {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'link_id', nullable: false })
  linkId!: string;

  @TextColumn({ name: 'email', nullable: false })
  email!: string;

  @TextColumn({ name: 'code', nullable: false })
  code!: string;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'expires_at', nullable: false, format: 'naive' })
  expiresAt!: Date;

  @IntColumn({ name: 'verified', default: 0 })
  verified!: number | null;

  @TextColumn({ name: 'session_token' })
  sessionToken!: string | null;

  @TimestampColumn({ name: 'session_expires_at', format: 'naive' })
  sessionExpiresAt!: Date | null;
}
