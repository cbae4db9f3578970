import { CURRENT_TIMESTAMP, Index, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_tags`: Free-form tags on agents. */
@Table('agent_tags')
@Index('idx_agent_tags_tag', ['tag'])
@Index('idx_agent_tags_agent', ['agent_name'])
export class AgentTag {
  @TextColumn({ name: 'agent_name', primary: true })
  agentName!: string;

  @TextColumn({ name: 'tag', primary: true })
  tag!: string;

  @TimestampColumn({ name: 'created_at', default: CURRENT_TIMESTAMP, format: 'naive+Z' })
  createdAt!: Date | null;
}
