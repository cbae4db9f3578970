import { BoolColumn, Index, JsonColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_git_config`: GitHub sync configuration of GitHub-backed agents. */
@Table('agent_git_config')
@Index('idx_git_config_agent', ['agent_name'])
@Index('idx_git_config_repo', ['github_repo'])
export class AgentGitConfig {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false, unique: true })
  agentName!: string;

  @TextColumn({ name: 'github_repo', nullable: false })
  githubRepo!: string;

  @TextColumn({ name: 'working_branch', nullable: false })
  workingBranch!: string;

  @TextColumn({ name: 'instance_id', nullable: false })
  instanceId!: string;

  @TextColumn({ name: 'source_branch', default: 'main' })
  sourceBranch!: string | null;

  @BoolColumn({ name: 'source_mode', default: false })
  sourceMode!: boolean | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'Z6' })
  createdAt!: Date;

  @TimestampColumn({ name: 'last_sync_at', format: 'Z6' })
  lastSyncAt!: Date | null;

  @TextColumn({ name: 'last_commit_sha' })
  lastCommitSha!: string | null;

  @BoolColumn({ name: 'sync_enabled', default: true })
  syncEnabled!: boolean | null;

  @JsonColumn({ name: 'sync_paths' })
  syncPaths!: unknown;
}
