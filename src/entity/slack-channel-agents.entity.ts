import { BoolColumn, Index, Table, TextColumn, TimestampColumn, Unique } from './columns';

/** `slack_channel_agents`: Binding of a Slack channel (in a workspace) to an agent; one may be the DM default. */
@Table('slack_channel_agents')
@Unique(['team_id', 'slack_channel_id'])
@Index('idx_slack_channel_agents_agent', ['agent_name'])
@Index('idx_slack_channel_agents_team', ['team_id'])
export class SlackChannelAgent {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'team_id', nullable: false })
  teamId!: string;

  @TextColumn({ name: 'slack_channel_id', nullable: false })
  slackChannelId!: string;

  @TextColumn({ name: 'slack_channel_name' })
  slackChannelName!: string | null;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @BoolColumn({ name: 'is_dm_default', default: false })
  isDmDefault!: boolean | null;

  @TextColumn({ name: 'created_by' })
  createdBy!: string | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;
}
