import { IdColumn, Index, Table, TextColumn, TimestampColumn } from './columns';

/** `users`: Platform user accounts (local admin, email-code users, Auth0 users). */
@Table('users')
@Index('idx_users_username', ['username'])
@Index('idx_users_auth0_sub', ['auth0_sub'])
@Index('idx_users_email', ['email'])
export class User {
  @IdColumn()
  id!: number;

  @TextColumn({ name: 'username', nullable: false, unique: true })
  username!: string;

  @TextColumn({ name: 'password_hash' })
  passwordHash!: string | null;

  @TextColumn({ name: 'role', nullable: false, default: 'user' })
  role!: string;

  @TextColumn({ name: 'auth0_sub', unique: true })
  auth0Sub!: string | null;

  @TextColumn({ name: 'name' })
  name!: string | null;

  @TextColumn({ name: 'picture' })
  picture!: string | null;

  @TextColumn({ name: 'email' })
  email!: string | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at', nullable: false, format: 'naive' })
  updatedAt!: Date;

  @TimestampColumn({ name: 'last_login', format: 'naive' })
  lastLogin!: Date | null;
}
