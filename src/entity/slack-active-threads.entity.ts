import { Index, Table, TextColumn, TimestampColumn } from './columns';

/** `slack_active_threads`: Threads where the bot replied (enables reply-without-mention). */
@Table('slack_active_threads')
@Index('idx_slack_active_threads_lookup', ['team_id', 'channel_id', 'thread_ts'])
export class SlackActiveThread {
  @TextColumn({ name: 'team_id', primary: true })
  teamId!: string;

  @TextColumn({ name: 'channel_id', primary: true })
  channelId!: string;

  @TextColumn({ name: 'thread_ts', primary: true })
  threadTs!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;
}
