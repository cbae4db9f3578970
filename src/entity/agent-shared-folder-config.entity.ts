import { BoolColumn, Index, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_shared_folder_config`: Per-agent shared-folder expose/consume switches. */
@Table('agent_shared_folder_config')
@Index('idx_shared_folders_expose', ['expose_enabled'])
@Index('idx_shared_folders_consume', ['consume_enabled'])
export class AgentSharedFolderConfig {
  @TextColumn({ name: 'agent_name', primary: true })
  agentName!: string;

  @BoolColumn({ name: 'expose_enabled', default: false })
  exposeEnabled!: boolean | null;

  @BoolColumn({ name: 'consume_enabled', default: false })
  consumeEnabled!: boolean | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at', nullable: false, format: 'naive' })
  updatedAt!: Date;
}
