import { Index, Table, TextColumn, TimestampColumn, Unique } from './columns';

/** `slack_user_verifications`: Slack users verified (by profile email or emailed code) for a public link. */
@Table('slack_user_verifications')
@Unique(['link_id', 'slack_user_id', 'slack_team_id'])
@Index('idx_slack_verifications_user', ['slack_user_id', 'slack_team_id'])
@Index('idx_slack_verifications_link', ['link_id'])
export class SlackUserVerification {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'link_id', nullable: false })
  linkId!: string;

  @TextColumn({ name: 'slack_user_id', nullable: false })
  slackUserId!: string;

  @TextColumn({ name: 'slack_team_id', nullable: false })
  slackTeamId!: string;

  @TextColumn({ name: 'verified_email', nullable: false })
  verifiedEmail!: string;

  @TextColumn({ name: 'verification_method', nullable: false })
  verificationMethod!: string;

  @TimestampColumn({ name: 'verified_at', nullable: false, format: 'naive' })
  verifiedAt!: Date;
}
