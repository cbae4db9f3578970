import { Index, IntColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `public_link_usage`: Per (link, email/ip) message counters for stats and rate limits. */
@Table('public_link_usage')
@Index('idx_usage_link', ['link_id'])
@Index('idx_usage_ip', ['ip_address'])
export class PublicLinkUsage {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'link_id', nullable: false })
  linkId!: string;

  @TextColumn({ name: 'email' })
  email!: string | null;

  @TextColumn({ name: 'ip_address' })
  ipAddress!: string | null;

  @IntColumn({ name: 'message_count', default: 0 })
  messageCount!: number | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'last_used_at', format: 'naive' })
  lastUsedAt!: Date | null;
}
