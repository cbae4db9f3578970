import { BoolColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `slack_workspaces`: One Slack workspace install (bot token) shared by many agents. */
@Table('slack_workspaces')
export class SlackWorkspace {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'team_id', nullable: false, unique: true })
  teamId!: string;

  @TextColumn({ name: 'team_name' })
  teamName!: string | null;

  @TextColumn({ name: 'bot_token', nullable: false })
  botToken!: string;

  @TextColumn({ name: 'connected_by' })
  connectedBy!: string | null;

  @TimestampColumn({ name: 'connected_at', nullable: false, format: 'naive' })
  connectedAt!: Date;

  @BoolColumn({ name: 'enabled', default: true })
  enabled!: boolean | null;
}
