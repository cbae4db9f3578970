import { BoolColumn, Index, IntColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `nevermined_agent_config`: Per-agent Nevermined (x402) payment configuration with encrypted API key. */
@Table('nevermined_agent_config')
@Index('idx_nvm_config_agent', ['agent_name'])
export class NeverminedAgentConfig {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false, unique: true })
  agentName!: string;

  @TextColumn({ name: 'encrypted_credentials', nullable: false })
  encryptedCredentials!: string;

  @TextColumn({ name: 'nvm_environment', nullable: false })
  nvmEnvironment!: string;

  @TextColumn({ name: 'nvm_agent_id', nullable: false })
  nvmAgentId!: string;

  @TextColumn({ name: 'nvm_plan_id', nullable: false })
  nvmPlanId!: string;

  @IntColumn({ name: 'credits_per_request', nullable: false, default: 1 })
  creditsPerRequest!: number;

  @BoolColumn({ name: 'enabled', nullable: false, default: false })
  enabled!: boolean;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at', nullable: false, format: 'naive' })
  updatedAt!: Date;
}
