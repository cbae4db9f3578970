import { BoolColumn, Index, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_public_links`: Shareable public chat links for an agent. */
@Table('agent_public_links')
@Index('idx_public_links_token', ['token'])
@Index('idx_public_links_agent', ['agent_name'])
export class AgentPublicLink {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'token', nullable: false, unique: true })
  token!: string;

  @TextColumn({ name: 'created_by', nullable: false })
  createdBy!: string;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'expires_at', format: 'external' })
  expiresAt!: Date | null;

  @BoolColumn({ name: 'enabled', default: true })
  enabled!: boolean | null;

  @TextColumn({ name: 'name' })
  name!: string | null;

  @BoolColumn({ name: 'require_email', default: false })
  requireEmail!: boolean | null;
}
