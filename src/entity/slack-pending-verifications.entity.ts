import { Index, Table, TextColumn, TimestampColumn } from './columns';

/** `slack_pending_verifications`: In-progress Slack email verification state machine (one row per Slack user). */
@Table('slack_pending_verifications')
@Index('idx_slack_pending_user', ['slack_user_id', 'slack_team_id'])
export class SlackPendingVerification {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'link_id', nullable: false })
  linkId!: string;

  @TextColumn({ name: 'slack_user_id', nullable: false })
  slackUserId!: string;

  @TextColumn({ name: 'slack_team_id', nullable: false })
  slackTeamId!: string;

  @TextColumn({ name: 'email' })
  email!: string | null;

  @TextColumn({ name: 'code' })
  code!: string | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'expires_at', nullable: false, format: 'naive' })
  expiresAt!: Date;

  @TextColumn({ name: 'state', default: 'awaiting_email' })
  state!: string | null;
}
