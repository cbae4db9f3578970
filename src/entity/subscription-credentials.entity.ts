import { Index, IntColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `subscription_credentials`: Registered Claude Max/Pro subscription tokens (encrypted), assignable to agents. */
@Table('subscription_credentials')
@Index('idx_subscriptions_name', ['name'])
@Index('idx_subscriptions_owner', ['owner_id'])
export class SubscriptionCredential {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'name', nullable: false, unique: true })
  name!: string;

  @TextColumn({ name: 'encrypted_credentials', nullable: false })
  encryptedCredentials!: string;

  @TextColumn({ name: 'subscription_type' })
  subscriptionType!: string | null;

  @TextColumn({ name: 'rate_limit_tier' })
  rateLimitTier!: string | null;

  @IntColumn({ name: 'owner_id', nullable: false })
  ownerId!: number;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at', nullable: false, format: 'naive' })
  updatedAt!: Date;
}
