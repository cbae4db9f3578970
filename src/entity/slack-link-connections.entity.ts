import { BoolColumn, Index, Table, TextColumn, TimestampColumn } from './columns';

/** `slack_link_connections`: LEGACY: Slack workspace connected to one public link (superseded by slack_workspaces/slack_channel_agents but still written). */
@Table('slack_link_connections')
@Index('idx_slack_connections_team', ['slack_team_id'])
@Index('idx_slack_connections_link', ['link_id'])
export class SlackLinkConnection {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'link_id', nullable: false, unique: true })
  linkId!: string;

  @TextColumn({ name: 'slack_team_id', nullable: false, unique: true })
  slackTeamId!: string;

  @TextColumn({ name: 'slack_team_name' })
  slackTeamName!: string | null;

  @TextColumn({ name: 'slack_bot_token', nullable: false })
  slackBotToken!: string;

  @TextColumn({ name: 'connected_by', nullable: false })
  connectedBy!: string;

  @TimestampColumn({ name: 'connected_at', nullable: false, format: 'naive' })
  connectedAt!: Date;

  @BoolColumn({ name: 'enabled', default: true })
  enabled!: boolean | null;
}
