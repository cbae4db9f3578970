import { BoolColumn, Index, IntColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `mcp_api_keys`: API keys for the MCP server (user keys, per-agent keys, system key). */
@Table('mcp_api_keys')
@Index('idx_mcp_keys_user', ['user_id'])
@Index('idx_mcp_keys_hash', ['key_hash'])
@Index('idx_mcp_keys_agent', ['agent_name'])
export class McpApiKey {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'name', nullable: false })
  name!: string;

  @TextColumn({ name: 'description' })
  description!: string | null;

  @TextColumn({ name: 'key_prefix', nullable: false })
  keyPrefix!: string;

  @TextColumn({ name: 'key_hash', nullable: false, unique: true })
  keyHash!: string;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'last_used_at', format: 'naive' })
  lastUsedAt!: Date | null;

  @IntColumn({ name: 'usage_count', default: 0 })
  usageCount!: number | null;

  @BoolColumn({ name: 'is_active', default: true })
  isActive!: boolean | null;

  @IntColumn({ name: 'user_id', nullable: false })
  userId!: number;

  @TextColumn({ name: 'agent_name' })
  agentName!: string | null;

  @TextColumn({ name: 'scope', default: 'user' })
  scope!: string | null;
}
