import { BoolColumn, IdColumn, Index, IntColumn, JsonColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_ownership`: One row per agent container: owner plus all per-agent settings (flags, limits, subscription, avatar). */
@Table('agent_ownership')
@Index('idx_agent_ownership_owner', ['owner_id'])
@Index('idx_agent_ownership_name', ['agent_name'])
export class AgentOwnership {
  @IdColumn()
  id!: number;

  @TextColumn({ name: 'agent_name', nullable: false, unique: true })
  agentName!: string;

  @IntColumn({ name: 'owner_id', nullable: false })
  ownerId!: number;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @BoolColumn({ name: 'is_system', default: false })
  isSystem!: boolean | null;

  @BoolColumn({ name: 'use_platform_api_key', default: true })
  usePlatformApiKey!: boolean | null;

  @BoolColumn({ name: 'autonomy_enabled', default: false })
  autonomyEnabled!: boolean | null;

  @TextColumn({ name: 'memory_limit' })
  memoryLimit!: string | null;

  @TextColumn({ name: 'cpu_limit' })
  cpuLimit!: string | null;

  @BoolColumn({ name: 'read_only_mode', default: false })
  readOnlyMode!: boolean | null;

  @JsonColumn({ name: 'read_only_config' })
  readOnlyConfig!: unknown;

  @TextColumn({ name: 'subscription_id' })
  subscriptionId!: string | null;

  @IntColumn({ name: 'max_parallel_tasks', default: 3 })
  maxParallelTasks!: number | null;

  @IntColumn({ name: 'execution_timeout_seconds', default: 900 })
  executionTimeoutSeconds!: number | null;

  @TextColumn({ name: 'avatar_identity_prompt' })
  avatarIdentityPrompt!: string | null;

  @TimestampColumn({ name: 'avatar_updated_at', format: '+00:00' })
  avatarUpdatedAt!: Date | null;

  @BoolColumn({ name: 'is_default_avatar', default: false })
  isDefaultAvatar!: boolean | null;

  @BoolColumn({ name: 'full_capabilities', default: false })
  fullCapabilities!: boolean | null;

  @TextColumn({ name: 'voice_system_prompt' })
  voiceSystemPrompt!: string | null;
}
